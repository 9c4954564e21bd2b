import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../errors/switchyard-error.js';
import { createAudioDecodeStep } from './audio-decode-step.js';
import { createAudioResampleStep } from './audio-resample-step.js';
import type { AudioSamples } from './step-values.js';
import { testFrame, testStepEnv } from './step-test-env.js';
import { readWav, writeWav } from './wav-reader.js';
import { createTTSAudioEncodeStep } from './tts-audio-encode-step.js';

const env = testStepEnv('preprocessing/0 (AudioDecode)');

function tone(hz: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! ** 2;
  return Math.sqrt(s / (to - from));
}

describe('AudioDecode', () => {
  it.each(['pcm16', 'pcm24', 'float32'] as const)('reads %s WAV at the model rate', async (encoding) => {
    const samples = tone(440, 16000, 0.1);
    const out = await createAudioDecodeStep({ sample_rate: 16000 }, env)(writeWav(samples, 16000, { encoding }), testFrame());
    expect(out.sampleRate).toBe(16000);
    expect(out.samples.length).toBe(samples.length);
    const tolerance = encoding === 'pcm16' ? 1e-4 : encoding === 'pcm24' ? 1e-6 : 0;
    for (let i = 0; i < samples.length; i++) expect(Math.abs(out.samples[i]! - samples[i]!)).toBeLessThanOrEqual(tolerance);
  });

  it('mixes stereo down to mono', async () => {
    const interleaved = Float32Array.from([0.5, -0.5, 0.25, 0.75]);
    const out = await createAudioDecodeStep({ sample_rate: 8000 }, env)(writeWav(interleaved, 8000, { channels: 2, encoding: 'float32' }), testFrame());
    expect(Array.from(out.samples)).toEqual([0, 0.5]);
  });

  it('resamples a 44.1 kHz file to 16 kHz', async () => {
    const out = await createAudioDecodeStep({ sample_rate: 16000 }, env)(writeWav(tone(1000, 44100, 0.5), 44100, { encoding: 'float32' }), testFrame());
    expect(out.samples.length).toBe(8000);
    const expected = tone(1000, 16000, 0.5);
    let err = 0;
    for (let i = 200; i < 7800; i++) err = Math.max(err, Math.abs(out.samples[i]! - expected[i]!));
    expect(err).toBeLessThan(2e-3);
  });

  it('rejects non-WAV, truncated and empty input with INVALID_INPUT', async () => {
    const step = createAudioDecodeStep({ sample_rate: 16000 }, env);
    await expect(async () => step(new TextEncoder().encode('ID3\u0004 this is an mp3'), testFrame())).rejects.toThrowError(/cannot decode audio: not a RIFF\/WAVE file/);
    await expect(async () => step(writeWav(tone(440, 16000, 0.01), 16000).slice(0, 30), testFrame())).rejects.toThrowError(/file is truncated inside the fmt chunk/);
    await expect(async () => step(new Uint8Array(0), testFrame())).rejects.toSatisfy((e) => SwitchyardError.hasCode(e, 'INVALID_INPUT'));
    expect(() => createAudioDecodeStep({ sample_rate: 16000, channels: 2 }, env)).toThrowError(/only mono output/);
  });

  it('readWav skips unknown chunks before data', () => {
    const wav = writeWav(Float32Array.from([0.5]), 16000, { encoding: 'float32' });
    const list = new Uint8Array([...new TextEncoder().encode('LIST'), 4, 0, 0, 0, 1, 2, 3, 4]);
    const withList = new Uint8Array([...wav.subarray(0, 36), ...list, ...wav.subarray(36)]);
    expect(Array.from(readWav(withList).samples)).toEqual([0.5]);
  });
});

describe('AudioResample', () => {
  const step = createAudioResampleStep({ sample_rate: 16000 }, testStepEnv('preprocessing/1 (AudioResample)'));

  it('keeps an in-band tone and removes one above the new Nyquist (anti-aliasing)', async () => {
    const pass = await step({ samples: tone(3000, 48000, 0.5), sampleRate: 48000 }, testFrame());
    expect(pass.samples.length).toBe(8000);
    expect(rms(pass.samples, 500, 7500)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    const stop = await step({ samples: tone(11000, 48000, 0.5), sampleRate: 48000 }, testFrame());
    expect(rms(stop.samples, 500, 7500)).toBeLessThan(0.005);
  });

  it('upsamples 8 kHz to 16 kHz preserving the waveform', async () => {
    const out = await step({ samples: tone(500, 8000, 0.25), sampleRate: 8000 }, testFrame());
    const expected = tone(500, 16000, 0.25);
    let err = 0;
    for (let i = 200; i < expected.length - 200; i++) err = Math.max(err, Math.abs(out.samples[i]! - expected[i]!));
    expect(err).toBeLessThan(2e-3);
  });

  it('passes audio already at the rate through and rejects non-audio', async () => {
    const audio: AudioSamples = { samples: new Float32Array(10), sampleRate: 16000 };
    expect(await step(audio, testFrame())).toBe(audio);
    expect(() => step({ samples: [1, 2], sampleRate: 8000 } as never, testFrame())).toThrowError(/expects audio samples/);
  });
});

describe('TTSAudioEncode', () => {
  it('writes a float tensor as a PCM16 WAV that reads back', async () => {
    const wave = tone(220, 24000, 0.05);
    const wav = await createTTSAudioEncodeStep({ sample_rate: 24000 }, env)({ type: 'float32', dims: [1, wave.length], data: wave }, testFrame());
    const back = readWav(wav);
    expect([back.sampleRate, back.channels, back.samples.length]).toEqual([24000, 1, wave.length]);
    expect(Math.abs(back.samples[10]! - wave[10]!)).toBeLessThan(1e-4);
  });

  it('trims silence and peak-normalises with apply_postprocessing', async () => {
    const padded = new Float32Array([0, 0, 0.1, -0.5, 0.25, 0, 0]);
    const back = readWav(await createTTSAudioEncodeStep({ sample_rate: 16000, apply_postprocessing: true }, env)(padded, testFrame()));
    expect(back.samples.length).toBe(3);
    expect(back.samples[1]).toBeCloseTo(-0.95, 3);
    expect(() => createTTSAudioEncodeStep({ sample_rate: 0 }, env)).toThrowError(/sample_rate must be a positive integer/);
  });
});
