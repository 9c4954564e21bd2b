import type { Tensor } from '@switchyard/spec';
import type { TensorInput } from './step-values.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { axisView, int64Tensor } from './step-tensor.js';

export interface ArgmaxParams {
  /** Axis to reduce (default: last). */
  readonly dim?: number;
}

/** Index of the maximum along an axis (first one on ties); int64 tensor with that axis removed. */
export function createArgmaxStep(params: ArgmaxParams, env: StepEnvironment): StepFunction<TensorInput, Tensor> {
  return (input) => {
    const { tensor, x, axis, outer, size, inner } = axisView(input, params.dim, env);
    const out = new Array<number>(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        let best = 0;
        for (let k = 1; k < size; k++) if (x[base + k * inner]! > x[base + best * inner]!) best = k;
        out[o * inner + i] = best;
      }
    }
    return int64Tensor(out, tensor.dims.filter((_, d) => d !== axis));
  };
}
