import type { Tensor } from '@switchyard/spec';
import { channelGeometry, type ChannelLayout } from './channel-layout.js';
import { imageToNchw } from './image-to-tensor-step.js';
import { stepFailure } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { checkTensorSize, expectTensor, float32Tensor, toFloat32 } from './step-tensor.js';
import type { ImageValue } from './step-values.js';

export interface NormalizeParams {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Our extension: where the channel axis is (default: detected, channel-first preferred). */
  readonly layout?: ChannelLayout;
}

/**
 * Checks mean/std (as the metadata validator does: equal lengths, or one side a single value for every channel) and
 * returns the channel count, the longer length.
 */
export function validateMeanStd(params: { mean: readonly number[]; std: readonly number[] }, env: StepEnvironment): number {
  const { mean, std } = params;
  if (!Array.isArray(mean) || !Array.isArray(std) || mean.length === 0 || std.length === 0 || (mean.length !== std.length && mean.length !== 1 && std.length !== 1)) {
    throw stepFailure(env, 'mean and std must be non-empty arrays of equal length (or one of them a single value)', undefined, { expected: 'mean.length == std.length, or one of them 1', found: `${mean?.length} vs ${std?.length}` });
  }
  if (std.some((s) => s === 0 || typeof s !== 'number')) throw stepFailure(env, 'std must not contain 0', undefined, { field: 'std', found: std });
  return Math.max(mean.length, std.length);
}

/** mean/std as per-channel lists of `channels` values: a single value stands for every channel. */
export function broadcastMeanStd(params: { mean: readonly number[]; std: readonly number[] }, channels: number): { mean: number[]; std: number[] } {
  const widen = (values: readonly number[]): number[] => (values.length === 1 ? Array.from({ length: channels }, () => values[0]!) : [...values]);
  return { mean: widen(params.mean), std: widen(params.std) };
}

/** (x - mean[c]) / std[c] per channel; an ImageValue input is first turned into a float32 NCHW tensor. */
export function createNormalizeStep(params: NormalizeParams, env: StepEnvironment): StepFunction<Tensor | ImageValue, Tensor> {
  const channels = validateMeanStd(params, env);
  const { mean, std } = broadcastMeanStd(params, channels);
  return (input) => applyPerChannel(input, channels, params.layout, env, (x, c) => (x - mean[c]!) / std[c]!);
}

export function applyPerChannel(input: unknown, channels: number, layout: ChannelLayout | undefined, env: StepEnvironment, fn: (x: number, c: number) => number): Tensor {
  const tensor = isImage(input) ? imageToNchw(input, 1) : expectTensor(input, env);
  checkTensorSize(tensor, env);
  const { inner } = channelGeometry(tensor, channels, env, isImage(input) ? 'NCHW' : layout);
  const x = toFloat32(tensor, env);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = fn(x[i]!, channels === 1 ? 0 : Math.floor(i / inner) % channels);
  return float32Tensor(out, tensor.dims);
}

function isImage(value: unknown): value is ImageValue {
  return typeof value === 'object' && value !== null && 'width' in value && 'height' in value && 'channels' in value;
}
