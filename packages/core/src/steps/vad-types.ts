import { SwitchyardError } from '@switchyard/spec';
import type { ErrorCode } from '@switchyard/spec';
import type { StepEnvironment } from './step-kernel.js';

/** One stretch of speech, in milliseconds from the start of the audio. */
export interface VadSegment {
  readonly start_ms: number;
  readonly end_ms: number;
}

export interface VadResult {
  readonly segments: readonly VadSegment[];
  /** Length of the audio that was analysed. */
  readonly duration_ms: number;
}

export function vadStepError(env: StepEnvironment, code: ErrorCode, message: string, details: Record<string, unknown> = {}): SwitchyardError {
  return new SwitchyardError({
    code,
    message: `${env.modelId}: ${env.step}: ${message}`,
    details: { model: env.modelId, step: env.step, ...details },
  });
}
