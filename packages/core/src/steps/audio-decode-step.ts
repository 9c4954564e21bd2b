import { resampleAudio } from './audio-resample-step.js';
import type { SincResampler } from './sinc-resampler.js';
import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { AudioSamples } from './step-values.js';
import { readWav, WavFormatError } from './wav-reader.js';

export interface AudioDecodeParams {
  /** Rate the model expects (default 16000); other rates are resampled (band-limited sinc). */
  readonly sample_rate?: number;
  /** Output channels; only 1 (mono mixdown) is supported. */
  readonly channels?: number;
}

/**
 * WAV bytes (PCM 8/16/24/32, float32/64, any channel count) -> mono AudioSamples at `sample_rate`.
 * An AudioSamples input is only resampled. Non-WAV or empty input is INVALID_INPUT.
 */
export function createAudioDecodeStep(params: AudioDecodeParams, env: StepEnvironment): StepFunction<Uint8Array | ArrayBuffer | AudioSamples, AudioSamples> {
  const target = params.sample_rate ?? 16000;
  if (!Number.isInteger(target) || target < 1) throw stepFailure(env, 'sample_rate must be a positive integer', undefined, { field: 'sample_rate', found: target });
  if ((params.channels ?? 1) !== 1) throw stepFailure(env, 'only mono output is supported', undefined, { field: 'channels', expected: '1', found: params.channels });
  const cache = new Map<number, SincResampler>();
  return (input) => {
    if (typeof input === 'object' && input !== null && 'samples' in input) return resampleAudio(input, target, cache, env);
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw stepInputError(env, 'expects WAV bytes', { expected: 'non-empty Uint8Array/Buffer holding a WAV file', found: bytes instanceof Uint8Array ? '0 bytes' : typeof input });
    }
    let wav;
    try {
      wav = readWav(bytes);
    } catch (error) {
      if (error instanceof WavFormatError) throw stepInputError(env, `cannot decode audio: ${error.message}`, { expected: 'a WAV file (PCM16/24/32 or float32)', found: `${bytes.length} bytes` }, error);
      throw error;
    }
    const frames = Math.floor(wav.samples.length / wav.channels);
    let mono = wav.samples;
    if (wav.channels > 1) {
      mono = new Float32Array(frames);
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < wav.channels; c++) sum += wav.samples[f * wav.channels + c]!;
        mono[f] = sum / wav.channels;
      }
    }
    return resampleAudio({ samples: mono, sampleRate: wav.sampleRate }, target, cache, env);
  };
}
