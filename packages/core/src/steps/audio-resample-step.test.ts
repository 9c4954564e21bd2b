import { describe, expect, it } from 'vitest';
import { createAudioResampleStep } from './audio-resample-step.js';
import type { AudioSamples } from './step-values.js';
import { testFrame, testStepEnv, tone } from './step-test-env.js';

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! ** 2;
  return Math.sqrt(s / (to - from));
}

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
