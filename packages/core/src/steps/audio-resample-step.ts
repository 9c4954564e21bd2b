import { SincResampler } from './sinc-resampler.js';
import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { AudioSamples } from './step-values.js';

export interface AudioResampleParams {
  /** Target rate in Hz. */
  readonly sample_rate: number;
  /** Sinc lobes each side (quality/speed trade-off, default 16). */
  readonly zero_crossings?: number;
}

/** Resamples AudioSamples to `sample_rate` with a band-limited windowed-sinc filter (resamplers cached per source rate). */
export function createAudioResampleStep(params: AudioResampleParams, env: StepEnvironment): StepFunction<AudioSamples, AudioSamples> {
  const target = params.sample_rate;
  if (!Number.isInteger(target) || target < 1) throw stepFailure(env, 'sample_rate must be a positive integer', undefined, { field: 'sample_rate', found: target });
  const cache = new Map<number, SincResampler>();
  return (audio) => resampleAudio(audio, target, cache, env, params.zero_crossings);
}

export function resampleAudio(audio: AudioSamples, target: number, cache: Map<number, SincResampler>, env: StepEnvironment, zeroCrossings?: number): AudioSamples {
  if (!audio || !(audio.samples instanceof Float32Array) || !Number.isInteger(audio.sampleRate) || audio.sampleRate < 1) {
    throw stepInputError(env, 'expects audio samples', { expected: 'AudioSamples {samples: Float32Array, sampleRate: integer}', found: typeof audio });
  }
  if (audio.sampleRate === target) return audio;
  let resampler = cache.get(audio.sampleRate);
  if (!resampler) {
    resampler = new SincResampler(audio.sampleRate, target, zeroCrossings);
    cache.set(audio.sampleRate, resampler);
  }
  return { samples: resampler.resample(audio.samples), sampleRate: target };
}
