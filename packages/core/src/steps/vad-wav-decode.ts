import type { SwitchyardError } from '@switchyard/spec';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { AudioSamples } from './step-values.js';
import { vadStepError } from './vad-types.js';
import { hexBytes, pcm16View, readWav, readWavLayout, WavFormatError } from './wav-reader.js';
import type { WavAudio } from './wav-reader.js';

export interface VadWavDecodeParams {
  /** Required sample rate; other rates are refused (resample first). Default 16000. */
  readonly sample_rate?: number;
  /** Output channels; 1 averages the channels of a multi-channel file. Default 1. */
  readonly channels?: number;
}

/**
 * Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit or 32/64-bit float, any channel count) to mono float32 samples
 * in [-1, 1] with the shared WAV reader (readWav). Already decoded mono audio (`{ samples, sampleRate }`, e.g. the
 * Executor's audio input) passes through. Refuses non-WAV bytes, a sample rate other than the model's and audio
 * without samples.
 */
export function createVadWavDecodeStep(
  params: VadWavDecodeParams,
  env: StepEnvironment,
): StepFunction<Uint8Array | AudioSamples, Float32Array> {
  const expectedRate = params.sample_rate ?? 16000;
  const checkRate = (found: number) => {
    if (found !== expectedRate) {
      throw vadStepError(
        env,
        'INVALID_INPUT',
        `wrong sample rate: expected ${expectedRate} Hz, found ${found} Hz (resample the audio to ${expectedRate} Hz mono)`,
        { field: 'sample_rate', expected: expectedRate, found },
      );
    }
  };
  return (input) => {
    if (typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && (input as AudioSamples).samples instanceof Float32Array) {
      const audio = input as AudioSamples;
      checkRate(audio.sampleRate);
      if (audio.samples.length === 0) throw vadStepError(env, 'INVALID_INPUT', 'the audio contains no samples');
      return audio.samples;
    }
    if (!(input instanceof Uint8Array)) {
      throw vadStepError(env, 'INVALID_INPUT', `expected WAV bytes (Uint8Array) or { samples: Float32Array, sampleRate }, found ${input === null ? 'null' : typeof input}`);
    }
    let wav: WavAudio;
    try {
      wav = readWav(input);
    } catch (error) {
      if (error instanceof WavFormatError) throw wavError(env, error, input);
      throw error;
    }
    checkRate(wav.sampleRate);
    const channels = wav.channels;
    if (channels < 1) throw vadStepError(env, 'INVALID_INPUT', `unsupported WAV encoding: ${channels} channels (expected PCM 8/16/24/32-bit or float 32/64-bit)`);
    const frames = Math.floor(wav.samples.length / channels);
    if (frames === 0) throw vadStepError(env, 'INVALID_INPUT', 'the WAV file contains no audio samples (empty data chunk)');
    if (channels === 1) return wav.samples;
    const samples = new Float32Array(frames);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += wav.samples[f * channels + c]!;
      samples[f] = sum / channels;
    }
    return samples;
  };
}

/**
 * VadWavDecode's output left undecoded, for a generated pipeline that fuses the step into the stream stage after it
 * (StatefulStreamStage.runAllPcm16 converts each window as the step converts the whole file): the samples of a
 * mono 16-bit PCM WAV at the step's sample rate, as an Int16Array view of the bytes (not a copy: like any pipeline
 * input, the bytes must not change while the run reads them). For any other input it returns undefined and the
 * caller runs the step, so every other input, and every error, is the step's.
 */
export function vadWavPcm16Samples(input: unknown, params: VadWavDecodeParams): Int16Array | undefined {
  if (!(input instanceof Uint8Array)) return undefined;
  let pcm: Int16Array | undefined;
  try {
    const layout = readWavLayout(input);
    if (layout.sampleRate !== (params.sample_rate ?? 16000) || layout.channels !== 1) return undefined;
    pcm = pcm16View(input, layout);
  } catch (error) {
    if (error instanceof WavFormatError) return undefined;
    throw error;
  }
  return pcm && pcm.length > 0 ? pcm : undefined;
}

/** Words a WavFormatError the way VadWavDecode always has (all INVALID_INPUT). */
function wavError(env: StepEnvironment, error: WavFormatError, input: Uint8Array): SwitchyardError {
  switch (error.problem) {
    case 'not-wav':
      return vadStepError(env, 'INVALID_INPUT', `the input is not a WAV file (no RIFF/WAVE header; first bytes ${hexBytes(input.subarray(0, 12))})`, {
        expected: 'RIFF....WAVE',
      });
    case 'no-fmt':
      return vadStepError(env, 'INVALID_INPUT', 'the WAV file has no "fmt " chunk');
    case 'no-data':
      return vadStepError(env, 'INVALID_INPUT', 'the WAV file has no "data" chunk');
    case 'unsupported':
      return vadStepError(env, 'INVALID_INPUT', `${error.message}; expected PCM 8/16/24/32-bit or float 32/64-bit`);
    default:
      return vadStepError(env, 'INVALID_INPUT', `malformed WAV file: ${error.message}`);
  }
}
