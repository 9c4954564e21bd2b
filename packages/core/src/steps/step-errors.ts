import { SwitchyardError } from '@switchyard/spec';
import type { StepEnvironment } from './step-kernel.js';

/** Bad value handed to a step (wrong dtype, shape, format). Names the step and the model. */
export function stepInputError(
  env: StepEnvironment,
  message: string,
  mismatch: { expected?: string; found?: string; field?: string } = {},
  cause?: unknown,
): SwitchyardError {
  const detail = mismatch.expected !== undefined ? ` (expected ${mismatch.expected}, found ${mismatch.found ?? 'nothing'})` : '';
  return new SwitchyardError({
    code: 'INVALID_INPUT',
    message: `${env.modelId} ${env.step}: ${message}${detail}`,
    details: { modelId: env.modelId, step: env.step, ...mismatch },
    cause,
  });
}

/** A step that could not do its job for a reason other than its input (bad params, unreadable file, library failure). */
export function stepFailure(env: StepEnvironment, message: string, cause?: unknown, details: Record<string, unknown> = {}): SwitchyardError {
  return new SwitchyardError({
    code: 'STEP_FAILED',
    message: `${env.modelId} ${env.step}: ${message}`,
    details: { modelId: env.modelId, step: env.step, ...details },
    cause,
  });
}

/** A step parameter or backend the step does not support. */
export function stepUnsupported(env: StepEnvironment, message: string, details: Record<string, unknown> = {}): SwitchyardError {
  return new SwitchyardError({
    code: 'UNSUPPORTED',
    message: `${env.modelId} ${env.step}: ${message}`,
    details: { modelId: env.modelId, step: env.step, ...details },
  });
}
