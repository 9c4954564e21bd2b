import type { Tensor } from '@switchyard/spec';
import { stepFailure } from './step-errors.js';
import type { TensorInput } from './step-values.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { checkTensorSize, expectTensor, int64Tensor, toFloat32 } from './step-tensor.js';
import { createSeededRandom } from './seeded-random.js';

export interface TemperatureSampleParams {
  readonly temperature: number;
  readonly top_k?: number;
  readonly top_p?: number;
  /** Our extension: PRNG seed for reproducible sampling (default: Math.random). */
  readonly seed?: number;
}

/**
 * Samples one token id per row of logits (the last axis; for `[B, T, V]` the last position is used) after
 * temperature scaling, top-k and nucleus (top-p) filtering. temperature 0 = greedy. Output int64 `[B]`.
 */
export function createTemperatureSampleStep(params: TemperatureSampleParams, env: StepEnvironment): StepFunction<TensorInput, Tensor> {
  const { temperature, top_k: topK, top_p: topP } = params;
  if (typeof temperature !== 'number' || temperature < 0) throw stepFailure(env, 'temperature must be >= 0', undefined, { field: 'temperature', found: temperature });
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1)) throw stepFailure(env, 'top_k must be a positive integer', undefined, { field: 'top_k', found: topK });
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw stepFailure(env, 'top_p must be in (0, 1]', undefined, { field: 'top_p', found: topP });
  const random = params.seed === undefined ? Math.random : createSeededRandom(params.seed);

  return (input) => {
    const tensor = expectTensor(input, env);
    checkTensorSize(tensor, env);
    const x = toFloat32(tensor, env);
    const vocab = tensor.dims[tensor.dims.length - 1] ?? x.length;
    const dims = tensor.dims;
    const rows = dims.length >= 3 ? dims[0]! : dims.length === 2 ? dims[0]! : 1;
    const rowStride = dims.length >= 3 ? x.length / rows : vocab;
    const rowOffset = dims.length >= 3 ? rowStride - vocab : 0; // last position of each sequence
    const ids: number[] = [];
    for (let r = 0; r < rows; r++) {
      const base = r * rowStride + rowOffset;
      const order = Array.from({ length: vocab }, (_, i) => i).sort((a, b) => x[base + b]! - x[base + a]! || a - b);
      if (temperature === 0) { ids.push(order[0]!); continue; }
      const kept = order.slice(0, topK ?? vocab);
      const max = x[base + kept[0]!]!;
      const probs = kept.map((i) => Math.exp((x[base + i]! - max) / temperature));
      const total = probs.reduce((a, b) => a + b, 0);
      let cut = probs.length;
      if (topP !== undefined) {
        let cumulative = 0;
        for (let i = 0; i < probs.length; i++) {
          cumulative += probs[i]! / total;
          if (cumulative >= topP) { cut = i + 1; break; }
        }
      }
      const mass = probs.slice(0, cut).reduce((a, b) => a + b, 0);
      let u = random() * mass;
      let chosen = kept[cut - 1]!;
      for (let i = 0; i < cut; i++) {
        u -= probs[i]!;
        if (u < 0) { chosen = kept[i]!; break; }
      }
      ids.push(chosen);
    }
    return int64Tensor(ids, [rows]);
  };
}
