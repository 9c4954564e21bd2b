import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { Tensor, TensorBuffer } from '@switchyard/spec';
import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment } from './step-kernel.js';

/** Shared tensor plumbing for the numeric steps. */

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function describeTensor(tensor: Tensor): string {
  return `${tensor.type}[${tensor.dims.join(', ')}]`;
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'dims' in value && 'data' in value && 'type' in value;
}

/**
 * A float32 tensor whose data length matches its dims and that no step reads as an image (no `width`/`channels`):
 * the input generated pipelines run their folded elementwise loops on (anything else goes through the step kernels).
 */
export function isPlainFloat32Tensor(value: unknown): value is Tensor & { readonly type: 'float32'; readonly data: Float32Array } {
  return (
    isTensor(value) &&
    value.type === 'float32' &&
    value.data instanceof Float32Array &&
    Array.isArray(value.dims) &&
    elementCount(value.dims) === value.data.length &&
    !('width' in value) &&
    !('channels' in value)
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}

/**
 * The tensor a post-processing step works on: a Tensor as is, or the named / first tensor of a TensorMap
 * (what a graph run returns).
 */
export function expectTensor(input: unknown, env: StepEnvironment, name?: string): Tensor {
  if (isTensor(input)) return input;
  if (typeof input === 'object' && input !== null && !ArrayBuffer.isView(input) && !Array.isArray(input)) {
    const map = input as Record<string, unknown>;
    const picked = name !== undefined ? map[name] : Object.values(map).find(isTensor);
    if (isTensor(picked)) return picked;
  }
  throw stepInputError(env, 'expects a tensor', { expected: name ? `Tensor or TensorMap with '${name}'` : 'Tensor or TensorMap', found: describeValue(input) });
}

/** Numeric view of a tensor's data as float64-convertible numbers (int64 via Number). */
export function toFloat32(tensor: Tensor, env: StepEnvironment): Float32Array {
  const data = tensor.data;
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array) return Float32Array.from(data, (v) => Number(v));
  if (ArrayBuffer.isView(data)) {
    if (tensor.type === 'float16') throw stepInputError(env, 'float16 tensors are not supported', { expected: 'float32/float64/int', found: describeTensor(tensor) });
    return Float32Array.from(data as ArrayLike<number>);
  }
  throw stepInputError(env, 'expects a numeric tensor', { expected: 'numeric dtype', found: describeTensor(tensor) });
}

export function checkTensorSize(tensor: Tensor, env: StepEnvironment): void {
  const n = elementCount(tensor.dims);
  if ((tensor.data as TensorBuffer).length !== n) {
    throw stepInputError(env, 'tensor data length does not match its dims', { expected: `${n} elements for [${tensor.dims.join(', ')}]`, found: `${(tensor.data as TensorBuffer).length}` });
  }
}

/** Resolves a negative or missing axis against a rank; `fallback` is used when `dim` is undefined. */
export function resolveAxis(dim: number | undefined, rank: number, env: StepEnvironment, fallback = -1): number {
  const d = dim ?? fallback;
  const axis = d < 0 ? rank + d : d;
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
    throw stepInputError(env, `dim ${d} is out of range`, { expected: `an axis in [-${rank}, ${rank - 1}]`, found: String(d), field: 'dim' });
  }
  return axis;
}

/** Splits dims around an axis: outer * size * inner = total. */
export function axisGeometry(dims: readonly number[], axis: number): { outer: number; size: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= dims[i]!;
  for (let i = axis + 1; i < dims.length; i++) inner *= dims[i]!;
  return { outer, size: dims[axis]!, inner };
}

/** A checked tensor, its values as float32 and its geometry around the `dim` axis (default last). */
export function axisView(input: unknown, dim: number | undefined, env: StepEnvironment): { tensor: Tensor; x: Float32Array; axis: number; outer: number; size: number; inner: number } {
  const tensor = expectTensor(input, env);
  checkTensorSize(tensor, env);
  const axis = resolveAxis(dim, tensor.dims.length, env);
  return { tensor, x: toFloat32(tensor, env), axis, ...axisGeometry(tensor.dims, axis) };
}

export function float32Tensor(data: Float32Array, dims: readonly number[]): Tensor {
  return { type: 'float32', dims: [...dims], data };
}

export function int64Tensor(values: ArrayLike<number>, dims: readonly number[]): Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return { type: 'int64', dims: [...dims], data };
}

/** Integer token ids from an int32/int64/float tensor or a plain array. */
export function toIdArray(input: unknown, env: StepEnvironment): number[][] {
  if (Array.isArray(input)) {
    if (input.every((v) => typeof v === 'number' || typeof v === 'bigint')) return [input.map(Number)];
    if (input.every((row) => Array.isArray(row))) return (input as unknown[][]).map((row) => row.map(Number));
  }
  const tensor = expectTensor(input, env);
  const flat = Array.from(tensor.data as ArrayLike<number | bigint>, Number);
  const width = tensor.dims.length === 0 ? flat.length : tensor.dims[tensor.dims.length - 1]!;
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += Math.max(width, 1)) rows.push(flat.slice(i, i + width));
  return rows.length ? rows : [[]];
}

/** Reads a step's file: a logical name from env.files, or an absolute path. */
export async function readStepFile(env: StepEnvironment, name: string, field: string): Promise<string> {
  const path = env.files[name] ?? (isAbsolute(name) ? name : undefined);
  if (path === undefined) {
    throw stepFailure(env, `${field} '${name}' is not among the model's files (${Object.keys(env.files).join(', ') || 'none'})`, undefined, { field, file: name });
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw stepFailure(env, `cannot read ${field} '${name}' at ${path}`, error, { field, file: path });
  }
}
