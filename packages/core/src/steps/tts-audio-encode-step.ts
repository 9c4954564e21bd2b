import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { expectTensor, toFloat32 } from './step-tensor.js';
import type { AudioSamples } from './step-values.js';
import { writeWav } from './wav-reader.js';

export interface TTSAudioEncodeParams {
  readonly sample_rate: number;
  /** Trim leading/trailing silence (|x| < 1e-3) and peak-normalise to 0.95. */
  readonly apply_postprocessing?: boolean;
}

/** A TTS model's float waveform (Tensor of any shape, Float32Array or AudioSamples) -> mono PCM16 WAV bytes. */
export function createTTSAudioEncodeStep(params: TTSAudioEncodeParams, env: StepEnvironment): StepFunction<unknown, Uint8Array> {
  if (!Number.isInteger(params.sample_rate) || params.sample_rate < 1) {
    throw stepFailure(env, 'sample_rate must be a positive integer', undefined, { field: 'sample_rate', found: params.sample_rate });
  }
  return (input) => {
    let samples: Float32Array;
    if (input instanceof Float32Array) samples = input;
    else if (typeof input === 'object' && input !== null && 'samples' in input) samples = (input as AudioSamples).samples;
    else samples = toFloat32(expectTensor(input, env), env);
    if (!(samples instanceof Float32Array)) throw stepInputError(env, 'expects audio samples', { expected: 'Float32Array, AudioSamples or a float tensor', found: typeof samples });
    if (params.apply_postprocessing) samples = trimAndNormalise(samples);
    return writeWav(samples, params.sample_rate, { encoding: 'pcm16' });
  };
}

function trimAndNormalise(samples: Float32Array): Float32Array {
  let start = 0, end = samples.length;
  while (start < end && Math.abs(samples[start]!) < 1e-3) start++;
  while (end > start && Math.abs(samples[end - 1]!) < 1e-3) end--;
  const out = samples.slice(start, end);
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i]! / peak) * 0.95;
  return out;
}
