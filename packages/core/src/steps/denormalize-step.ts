import type { Tensor } from '@switchyard/spec';
import type { ChannelLayout } from './channel-layout.js';
import { applyPerChannel, validateMeanStd } from './normalize-step.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';

export interface DenormalizeParams {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly layout?: ChannelLayout;
}

/** x · std[c] + mean[c] per channel: the inverse of Normalize. */
export function createDenormalizeStep(params: DenormalizeParams, env: StepEnvironment): StepFunction<Tensor, Tensor> {
  validateMeanStd(params, env);
  return (input) => applyPerChannel(input, params.mean.length, params.layout, env, (x, c) => x * params.std[c]! + params.mean[c]!);
}
