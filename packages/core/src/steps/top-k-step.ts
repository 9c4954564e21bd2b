import { stepFailure } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { axisView } from './step-tensor.js';
import type { ScoredIndex, TensorInput } from './step-values.js';

export interface TopKParams {
  readonly k: number;
  /** Axis to rank along (default: last). */
  readonly dim?: number;
  /** Our extension: class names; index i gets labels[i]. */
  readonly labels?: readonly string[];
}

/**
 * The k highest scores along an axis, best first (ties keep the lower index). One list per slice:
 * a `[1, C]` tensor gives `[[...k]]`.
 */
export function createTopKStep(params: TopKParams, env: StepEnvironment): StepFunction<TensorInput, ScoredIndex[][]> {
  if (!Number.isInteger(params.k) || params.k < 1) throw stepFailure(env, 'k must be a positive integer', undefined, { field: 'k', found: params.k });
  return (input) => {
    const { tensor, x, outer, size, inner } = axisView(input, params.dim, env);
    const k = Math.min(params.k, size);
    const results: ScoredIndex[][] = [];
    const order = new Array<number>(size);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        for (let c = 0; c < size; c++) order[c] = c;
        order.sort((a, b) => x[base + b * inner]! - x[base + a * inner]! || a - b);
        results.push(order.slice(0, k).map((index) => {
          const label = params.labels?.[index];
          return label === undefined ? { index, score: x[base + index * inner]! } : { index, score: x[base + index * inner]!, label };
        }));
      }
    }
    return results;
  };
}
