import type { ChannelLayout } from './channel-layout.js';
import { applyPerChannel, broadcastMeanStd, validateMeanStd } from './normalize-step.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { expectTensor } from './step-tensor.js';
import type { Tensor, TensorInput } from './step-values.js';

export interface DenormalizeParams {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly layout?: ChannelLayout;
}

/** x · std[c] + mean[c] per channel: the inverse of Normalize. */
export function createDenormalizeStep(params: DenormalizeParams, env: StepEnvironment): StepFunction<TensorInput, Tensor> {
  const channels = validateMeanStd(params, env);
  const { mean, std } = broadcastMeanStd(params, channels);
  return (input) => applyPerChannel(expectTensor(input, env), channels, params.layout, env, (x, c) => x * std[c]! + mean[c]!);
}
