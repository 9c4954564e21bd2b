import type { Tensor } from '@switchyard/spec';
import { stepFailure, stepInputError } from './step-errors.js';
import type { ImageValue, TensorInput } from './step-values.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { elementCount, expectTensor } from './step-tensor.js';

/** Reshape starts pipelines too: a tensor, plain numbers, a flat typed array or an ImageValue's pixels. */
export type ReshapeInput = TensorInput | readonly number[] | Float32Array | Uint8Array | Float64Array | Int32Array | BigInt64Array | ImageValue;

export interface ReshapeParams {
  /** Target dims; one entry may be -1 (inferred). */
  readonly shape: readonly number[];
}

/**
 * Gives a tensor new dims without copying. Also accepts a plain number array (-> float32), a typed array
 * (keeps its dtype) or an ImageValue (its uint8 pixels), so raw inputs can start a pipeline.
 */
export function createReshapeStep(params: ReshapeParams, env: StepEnvironment): StepFunction<ReshapeInput, Tensor> {
  const shape = params.shape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1)) || shape.filter((d) => d === -1).length > 1) {
    throw stepFailure(env, 'shape must be positive integers with at most one -1', undefined, { field: 'shape', found: shape });
  }
  return (input) => {
    const tensor = toTensor(input, env);
    const total = (tensor.data as ArrayLike<unknown>).length;
    const known = elementCount(shape.filter((d) => d !== -1));
    const dims = shape.map((d) => (d === -1 ? total / known : d));
    if (!dims.every(Number.isInteger) || elementCount(dims) !== total) {
      throw stepInputError(env, 'cannot reshape', { expected: `${elementCount(shape.map((d) => (d === -1 ? 1 : d)))}${shape.includes(-1) ? '·n' : ''} elements for [${shape.join(', ')}]`, found: `${total} elements` });
    }
    return { type: tensor.type, dims, data: tensor.data };
  };
}

function toTensor(input: unknown, env: StepEnvironment): Tensor {
  if (Array.isArray(input) && input.every((v) => typeof v === 'number')) return { type: 'float32', dims: [input.length], data: Float32Array.from(input) };
  if (input instanceof Float32Array) return { type: 'float32', dims: [input.length], data: input };
  if (input instanceof Uint8Array) return { type: 'uint8', dims: [input.length], data: input };
  if (input instanceof Float64Array) return { type: 'float64', dims: [input.length], data: input };
  if (input instanceof Int32Array) return { type: 'int32', dims: [input.length], data: input };
  if (input instanceof BigInt64Array) return { type: 'int64', dims: [input.length], data: input };
  if (typeof input === 'object' && input !== null && 'width' in input && 'channels' in input && 'data' in input) {
    const data = (input as { data: Uint8Array }).data;
    return { type: 'uint8', dims: [data.length], data };
  }
  return expectTensor(input, env);
}
