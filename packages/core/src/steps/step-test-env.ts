import type { PipelineFrame, StepEnvironment } from './step-kernel.js';
import { createPipelineFrame } from './step-kernel.js';

/** Test helper: an environment and frame for calling a step directly. */
export function testStepEnv(step = 'preprocessing/0 (Test)', files: Record<string, string> = {}): StepEnvironment {
  return { modelId: 'test-model', step, files };
}

export function testFrame(): PipelineFrame {
  return createPipelineFrame(new AbortController().signal);
}
