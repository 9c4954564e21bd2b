import { describe, expect, it } from 'vitest';
import { testFrame, testStepEnv, tone } from './step-test-env.js';
import { readWav } from './wav-reader.js';
import { createTTSAudioEncodeStep } from './tts-audio-encode-step.js';

const env = testStepEnv('preprocessing/0 (AudioDecode)');

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
