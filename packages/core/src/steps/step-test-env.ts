import type { Tensor } from '@switchyard/spec';
import type { PipelineFrame, StepEnvironment } from './step-kernel.js';
import { createPipelineFrame } from './step-kernel.js';

/** Test helper: an environment and frame for calling a step directly. */
export function testStepEnv(step = 'preprocessing/0 (Test)', files: Record<string, string> = {}): StepEnvironment {
  return { modelId: 'test-model', step, files };
}

export function testFrame(): PipelineFrame {
  return createPipelineFrame(new AbortController().signal);
}

/** Test helper: a float32 tensor from plain numbers. */
export function f32(values: number[], dims: number[]): Tensor {
  return { type: 'float32', dims, data: Float32Array.from(values) };
}

/** Test helper: an int64 tensor's values as numbers. */
export function ids(tensor: { data: unknown }): number[] {
  return Array.from(tensor.data as BigInt64Array, Number);
}

/** Test helper: a sine tone. */
export function tone(hz: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}
