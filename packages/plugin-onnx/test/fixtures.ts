import { fileURLToPath } from 'node:url';
import type { Tensor } from '@switchyard/spec';

export const FIXTURES = fileURLToPath(new URL('../test-fixtures/', import.meta.url));
export const fixture = (name: string): string => `${FIXTURES}${name}`;
export const signal = (): AbortSignal => new AbortController().signal;

export const f32 = (values: number[], dims: number[]): Tensor => ({ type: 'float32', dims, data: Float32Array.from(values) });
export const i64 = (values: number[], dims: number[]): Tensor => ({ type: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });

/** Awaits a promise expected to reject and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown> & Error;
  }
  throw new Error('expected a rejection');
}

/** The tensors of a run result (fails the test if the output is not tensors). */
export function outputTensors(result: { output: { kind: string } }): Record<string, { data: ArrayLike<number | bigint>; dims: readonly number[] }> {
  if (result.output.kind !== 'tensors') throw new Error(`expected tensors, got ${result.output.kind}`);
  return (result.output as unknown as { tensors: Record<string, { data: ArrayLike<number | bigint>; dims: readonly number[] }> }).tensors;
}
