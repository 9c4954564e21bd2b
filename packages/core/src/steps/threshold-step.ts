import type { Tensor } from '@switchyard/spec';
import type { TensorInput } from './step-values.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { checkTensorSize, expectTensor, int64Tensor, toFloat32 } from './step-tensor.js';
import { stepFailure } from './step-errors.js';

export interface ThresholdParams {
  readonly threshold: number;
  /** true: the flat indices of elements above the threshold; false: a 0/1 uint8 mask of the same dims. */
  readonly return_indices?: boolean;
}

/** Elements strictly greater than `threshold`. */
export function createThresholdStep(params: ThresholdParams, env: StepEnvironment): StepFunction<TensorInput, Tensor> {
  if (typeof params.threshold !== 'number' || Number.isNaN(params.threshold)) {
    throw stepFailure(env, 'threshold must be a number', undefined, { field: 'threshold', found: params.threshold });
  }
  return (input) => {
    const tensor = expectTensor(input, env);
    checkTensorSize(tensor, env);
    const x = toFloat32(tensor, env);
    if (params.return_indices) {
      const indices: number[] = [];
      for (let i = 0; i < x.length; i++) if (x[i]! > params.threshold) indices.push(i);
      return int64Tensor(indices, [indices.length]);
    }
    const mask = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) mask[i] = x[i]! > params.threshold ? 1 : 0;
    return { type: 'uint8', dims: [...tensor.dims], data: mask };
  };
}
