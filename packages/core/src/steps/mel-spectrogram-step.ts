import type { Tensor } from '@switchyard/spec';
import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { AudioSamples } from './step-values.js';
import { createMelFilterBank, type MelScale } from './mel-filter-bank.js';
import { RealFft } from './mixed-radix-fft.js';

export interface MelSpectrogramParams {
  /**
   * A Whisper preset (xybrid's names): it sets every field (80 mels; 128 for whisper-large / -v3), whatever else the
   * step says, as xybrid does. whisper-large-v2 has 80 mels like the real model (xybrid gives it 128).
   */
  readonly preset?: keyof typeof PRESET_MELS;
  readonly n_mels?: number;
  readonly sample_rate?: number;
  readonly fft_size?: number;
  readonly hop_length?: number;
  readonly mel_scale?: MelScale;
  /** Our extension: filter normalisation (Whisper: slaney). */
  readonly norm?: 'slaney' | null;
  /** Pad with zeros / trim the audio to max_frames·hop_length samples; 0 or null = no padding. */
  readonly max_frames?: number | null;
}

const PRESET_MELS = {
  whisper: 80,
  'whisper-tiny': 80,
  'whisper-base': 80,
  'whisper-small': 80,
  'whisper-medium': 80,
  'whisper-large': 128,
  'whisper-large-v2': 80,
  'whisper-large-v3': 128,
} as const;

/**
 * Whisper's log-mel spectrogram (same arithmetic as openai/whisper and HF WhisperFeatureExtractor):
 * pad/trim to max_frames·hop, reflect-pad fft/2 each side, periodic Hann window, |rfft|², slaney mel filters,
 * log10(max(x, 1e-10)), floor at max-8, (x+4)/4. Output float32 [1, n_mels, frames].
 */
export function createMelSpectrogramStep(params: MelSpectrogramParams, env: StepEnvironment): StepFunction<AudioSamples | Float32Array | Tensor, Tensor> {
  const preset = params.preset;
  if (preset !== undefined && !(preset in PRESET_MELS)) {
    throw stepFailure(env, `unknown preset '${String(preset)}'`, undefined, { expected: Object.keys(PRESET_MELS).join(' | '), found: preset });
  }
  const nMels = preset ? PRESET_MELS[preset] : (params.n_mels ?? 80);
  const sampleRate = preset ? 16000 : (params.sample_rate ?? 16000);
  const fftSize = preset ? 400 : (params.fft_size ?? 400);
  const hop = preset ? 160 : (params.hop_length ?? 160);
  const scale = preset ? 'slaney' : (params.mel_scale ?? 'slaney');
  const maxFrames = preset ? 3000 : params.max_frames === undefined ? 3000 : params.max_frames;
  for (const [name, value] of [['n_mels', nMels], ['sample_rate', sampleRate], ['fft_size', fftSize], ['hop_length', hop]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw stepFailure(env, `${name} must be a positive integer`, undefined, { field: name, found: value });
  }
  if (scale !== 'slaney' && scale !== 'htk') throw stepFailure(env, `mel_scale must be slaney or htk`, undefined, { field: 'mel_scale', found: scale });

  const bank = createMelFilterBank({ nMels, fftSize, sampleRate, scale, norm: params.norm === undefined ? 'slaney' : params.norm });
  const window = new Float64Array(fftSize);
  for (let i = 0; i < fftSize; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / fftSize); // periodic Hann
  const fft = new RealFft(fftSize);
  const frame = new Float64Array(fftSize);
  const re = new Float64Array(fft.bins);
  const im = new Float64Array(fft.bins);
  const power = new Float64Array(fft.bins);
  const pad = Math.floor(fftSize / 2);
  // Reused between calls (the step is synchronous, so calls never overlap): keeps a 30 s call from allocating 4 MB.
  let padded = new Float64Array(0);

  return (input) => {
    const audio = asAudio(input, sampleRate);
    if (!audio || !(audio.samples instanceof Float32Array)) {
      throw stepInputError(env, 'expects audio samples', { expected: 'AudioSamples {samples: Float32Array, sampleRate}, Float32Array or a float32 tensor', found: typeof input });
    }
    if (audio.sampleRate !== sampleRate) {
      throw stepInputError(env, 'audio sample rate does not match (add an AudioResample step)', { expected: `${sampleRate} Hz`, found: `${audio.sampleRate} Hz`, field: 'sampleRate' });
    }
    const targetLength = maxFrames ? maxFrames * hop : audio.samples.length;
    if (targetLength <= pad) {
      throw stepInputError(env, 'audio is too short for one analysis frame', { expected: `more than ${pad} samples`, found: `${targetLength}` });
    }
    // Zero-pad/trim, then reflect-pad by fft/2 on both sides (numpy 'reflect': the edge sample is not repeated).
    if (padded.length !== targetLength + 2 * pad) padded = new Float64Array(targetLength + 2 * pad);
    else padded.fill(0, pad + Math.min(targetLength, audio.samples.length));
    const copied = Math.min(targetLength, audio.samples.length);
    for (let i = 0; i < copied; i++) padded[pad + i] = audio.samples[i]!;
    for (let i = 1; i <= pad; i++) {
      padded[pad - i] = padded[pad + i]!;
      padded[pad + targetLength - 1 + i] = padded[pad + targetLength - 1 - i]!;
    }
    const frames = maxFrames ? maxFrames : Math.floor(targetLength / hop);
    // log10 values are kept in float32, as transformers.js does, then scaled in place.
    const mel = new Float32Array(nMels * frames);
    let maxLog = -Infinity;
    for (let t = 0; t < frames; t++) {
      const offset = t * hop;
      for (let i = 0; i < fftSize; i++) frame[i] = padded[offset + i]! * window[i]!;
      fft.transform(frame, re, im);
      for (let k = 0; k < fft.bins; k++) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
      for (let m = 0; m < nMels; m++) {
        const w = bank.weights[m]!;
        const s = bank.start[m]!;
        let acc = 0;
        for (let j = 0; j < w.length; j++) acc += w[j]! * power[s + j]!;
        const value = Math.fround(Math.log10(Math.max(acc, 1e-10)));
        mel[m * frames + t] = value;
        if (value > maxLog) maxLog = value;
      }
    }
    const floor = maxLog - 8;
    for (let i = 0; i < mel.length; i++) mel[i] = (Math.max(mel[i]!, floor) + 4) / 4;
    return { type: 'float32', dims: [1, nMels, frames], data: mel };
  };
}

/** Float32Array and float32 tensors (`[n]` or `[1, n]`) are taken to be at the step's sample_rate. */
function asAudio(input: AudioSamples | Float32Array | Tensor, sampleRate: number): AudioSamples | undefined {
  if (input instanceof Float32Array) return { samples: input, sampleRate };
  if (typeof input !== 'object' || input === null) return undefined;
  if ('samples' in input) return input;
  if ('dims' in input && input.data instanceof Float32Array && input.dims.filter((d) => d !== 1).length <= 1) return { samples: input.data, sampleRate };
  return undefined;
}
