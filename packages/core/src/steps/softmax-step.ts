import type { Tensor } from '@switchyard/spec';
import type { TensorInput } from './step-values.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { axisView, float32Tensor } from './step-tensor.js';

export interface SoftmaxParams {
  /** Axis to normalise over (default: last). */
  readonly dim?: number;
}

/** Numerically stable softmax (max subtracted per slice) over one axis; output float32, same dims. */
export function createSoftmaxStep(params: SoftmaxParams, env: StepEnvironment): StepFunction<TensorInput, Tensor> {
  return (input) => {
    const { tensor, x, outer, size, inner } = axisView(input, params.dim, env);
    const out = new Float32Array(x.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        let max = -Infinity;
        for (let k = 0; k < size; k++) max = Math.max(max, x[base + k * inner]!);
        let sum = 0;
        for (let k = 0; k < size; k++) {
          const e = Math.exp(x[base + k * inner]! - max);
          out[base + k * inner] = e;
          sum += e;
        }
        for (let k = 0; k < size; k++) out[base + k * inner]! /= sum;
      }
    }
    return float32Tensor(out, tensor.dims);
  };
}
