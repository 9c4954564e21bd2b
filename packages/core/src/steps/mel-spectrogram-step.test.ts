import { WhisperFeatureExtractor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createMelFilterBank, denseMelFilters, hertzToMel, melToHertz } from './mel-filter-bank.js';
import { createMelSpectrogramStep } from './mel-spectrogram-step.js';
import { testFrame, testStepEnv } from './step-test-env.js';

function chirp(seconds: number, sampleRate = 16000): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  let noise = 12345;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    noise = (noise * 1103515245 + 12345) % 2147483648;
    out[i] = 0.4 * Math.sin(2 * Math.PI * (200 + 900 * t) * t) + 0.2 * Math.sin(2 * Math.PI * 3100 * t) + 0.05 * (noise / 1073741824 - 1);
  }
  return out;
}

/** The reference, built from a config object: nothing is downloaded. */
function hfExtractor(nMels: number): WhisperFeatureExtractor {
  return new WhisperFeatureExtractor({
    feature_size: nMels, sampling_rate: 16000, hop_length: 160, chunk_length: 30, n_fft: 400,
    n_samples: 480000, nb_max_frames: 3000, padding_value: 0, return_attention_mask: false,
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const env = testStepEnv('preprocessing/0 (MelSpectrogram)');

describe('MelSpectrogram', () => {
  it.each([[80, 'whisper'], [128, 'whisper-large']] as const)('matches HF WhisperFeatureExtractor within 1e-4 (%i mels)', async (nMels, preset) => {
    const audio = chirp(7.3);
    const step = createMelSpectrogramStep({ preset }, env);
    const ours = await step({ samples: audio, sampleRate: 16000 }, testFrame());
    const { input_features } = await hfExtractor(nMels)(audio);
    expect(ours.dims).toEqual([1, nMels, 3000]);
    expect(input_features.dims).toEqual([1, nMels, 3000]);
    expect(maxAbsDiff(ours.data as Float32Array, input_features.data as Float32Array)).toBeLessThan(1e-4);
  });

  it('matches HF on audio longer than 30 s (trimmed)', async () => {
    const audio = chirp(31);
    const ours = await createMelSpectrogramStep({ preset: 'whisper' }, env)({ samples: audio, sampleRate: 16000 }, testFrame());
    const { input_features } = await hfExtractor(80)(audio);
    expect(maxAbsDiff(ours.data as Float32Array, input_features.data as Float32Array)).toBeLessThan(1e-4);
  });

  it('slaney filter bank equals the HF mel_filter_bank rows', () => {
    const ref = hfExtractor(80).config.mel_filters as number[][];
    const ours = denseMelFilters(createMelFilterBank({ nMels: 80, fftSize: 400, sampleRate: 16000, scale: 'slaney', norm: 'slaney' }));
    expect(ours).toHaveLength(80);
    for (let m = 0; m < 80; m++) expect(maxAbsDiff(ours[m]!, ref[m]!)).toBeLessThan(1e-12);
  });

  it('htk scale round-trips and differs from slaney', () => {
    expect(melToHertz(hertzToMel(4321, 'htk'), 'htk')).toBeCloseTo(4321, 9);
    expect(melToHertz(hertzToMel(4321, 'slaney'), 'slaney')).toBeCloseTo(4321, 9);
    expect(hertzToMel(1000, 'htk')).toBeCloseTo(999.99, 1);
    expect(hertzToMel(1000, 'slaney')).toBe(15);
    const htk = createMelSpectrogramStep({ mel_scale: 'htk', max_frames: 100 }, env)(chirp(1), testFrame()) as { data: Float32Array };
    const slaney = createMelSpectrogramStep({ mel_scale: 'slaney', max_frames: 100 }, env)(chirp(1), testFrame()) as { data: Float32Array };
    expect(maxAbsDiff(htk.data, slaney.data)).toBeGreaterThan(0.01);
  });

  it('without max_frames emits floor(samples / hop) frames', async () => {
    const out = await createMelSpectrogramStep({ max_frames: null }, env)({ samples: chirp(1), sampleRate: 16000 }, testFrame());
    expect(out.dims).toEqual([1, 80, 100]);
  });

  it('rejects audio at the wrong sample rate, naming step and model', () => {
    const step = createMelSpectrogramStep({}, env);
    expect(() => step({ samples: chirp(1), sampleRate: 44100 }, testFrame())).toThrowError(/test-model preprocessing\/0 \(MelSpectrogram\).*expected 16000 Hz, found 44100 Hz/);
    try { step({ samples: chirp(1), sampleRate: 8000 }, testFrame()); } catch (error) {
      expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    }
  });

  it('a reused step gives the same result as a fresh one (long call, then a shorter one)', async () => {
    const reused = createMelSpectrogramStep({ max_frames: 300 }, env);
    await reused({ samples: chirp(4), sampleRate: 16000 }, testFrame());
    const short = { samples: chirp(0.5), sampleRate: 16000 };
    const again = await reused(short, testFrame());
    const fresh = await createMelSpectrogramStep({ max_frames: 300 }, env)(short, testFrame());
    expect(maxAbsDiff(again.data as Float32Array, fresh.data as Float32Array)).toBe(0);
  });

  it('takes a float32 [1, n] tensor at the step rate', async () => {
    const audio = chirp(1);
    const step = createMelSpectrogramStep({ max_frames: 100 }, env);
    const fromTensor = await step({ type: 'float32', dims: [1, audio.length], data: audio }, testFrame());
    const fromSamples = await step({ samples: audio, sampleRate: 16000 }, testFrame());
    expect(maxAbsDiff(fromTensor.data as Float32Array, fromSamples.data as Float32Array)).toBe(0);
    expect(() => step({ type: 'float32', dims: [2, 8000], data: audio }, testFrame())).toThrowError(/expects audio samples/);
  });

  it('rejects a non-audio input and bad params', () => {
    const step = createMelSpectrogramStep({}, env);
    expect(() => step('hello' as never, testFrame())).toThrowError(/expects audio samples/);
    expect(() => createMelSpectrogramStep({ fft_size: 0 }, env)).toThrowError(/fft_size must be a positive integer/);
    expect(() => createMelSpectrogramStep({ preset: 'tiny' as never }, env)).toThrowError(/unknown preset/);
  });
});
