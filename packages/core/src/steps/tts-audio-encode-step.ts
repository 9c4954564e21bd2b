import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { expectTensor, toFloat32 } from './step-tensor.js';
import type { AudioSamples, TensorInput } from './step-values.js';
import { writeWav } from './wav-reader.js';

export interface TTSAudioEncodeParams {
  readonly sample_rate: number;
  /** Trim leading/trailing silence (|x| < 1e-3) and peak-normalise to 0.95 (default true, as in xybrid). */
  readonly apply_postprocessing?: boolean;
  /** Cut a trailing run of >= 50 ms below 0.01 (keeping 10 ms), as xybrid does. */
  readonly trim_trailing_silence?: boolean;
  /** `wav` (default): a PCM16 WAV file; `raw`: headerless PCM16 little-endian (xybrid's output). */
  readonly container?: 'wav' | 'raw';
}

/** A TTS model's float waveform (Tensor of any shape, Float32Array or AudioSamples) -> mono PCM16 WAV (or raw PCM16) bytes. */
export function createTTSAudioEncodeStep(params: TTSAudioEncodeParams, env: StepEnvironment): StepFunction<Float32Array | AudioSamples | TensorInput, Uint8Array> {
  if (!Number.isInteger(params.sample_rate) || params.sample_rate < 1) {
    throw stepFailure(env, 'sample_rate must be a positive integer', undefined, { field: 'sample_rate', found: params.sample_rate });
  }
  return (input) => {
    let samples: Float32Array;
    if (input instanceof Float32Array) samples = input;
    else if (typeof input === 'object' && input !== null && 'samples' in input) samples = (input as AudioSamples).samples;
    else samples = toFloat32(expectTensor(input, env), env);
    if (!(samples instanceof Float32Array)) throw stepInputError(env, 'expects audio samples', { expected: 'Float32Array, AudioSamples or a float tensor', found: typeof samples });
    if (params.apply_postprocessing ?? true) samples = trimAndNormalise(samples);
    if (params.trim_trailing_silence) samples = trimTrailingSilence(samples, params.sample_rate);
    return params.container === 'raw' ? rawPcm16(samples) : writeWav(samples, params.sample_rate, { encoding: 'pcm16' });
  };
}

/** A trailing run of at least 50 ms below 0.01 is cut, keeping 10 ms after the last loud sample. */
export function trimTrailingSilence(samples: Float32Array, sampleRate: number): Float32Array {
  const minRun = Math.floor((sampleRate * 50) / 1000);
  if (samples.length <= minRun) return samples;
  let last = samples.length - 1;
  while (last >= 0 && Math.abs(samples[last]!) < 0.01) last--;
  const run = samples.length - 1 - last;
  if (run < minRun || last < 0) return samples;
  return samples.subarray(0, Math.min(last + 1 + Math.floor((sampleRate * 10) / 1000), samples.length));
}

function rawPcm16(samples: Float32Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  // Truncation toward zero, like a Rust `as i16` cast of the scaled sample.
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, Math.trunc(Math.max(-1, Math.min(1, samples[i]!)) * 32767), true);
  return out;
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
