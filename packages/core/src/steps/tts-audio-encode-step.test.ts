import { describe, expect, it } from 'vitest';
import { testFrame, testStepEnv, tone } from './step-test-env.js';
import { readWav } from './wav-reader.js';
import { createTTSAudioEncodeStep } from './tts-audio-encode-step.js';

const env = testStepEnv('preprocessing/0 (AudioDecode)');

describe('TTSAudioEncode', () => {
  it('writes a float tensor as a PCM16 WAV that reads back', async () => {
    const wave = tone(220, 24000, 0.05);
    const wav = await createTTSAudioEncodeStep({ sample_rate: 24000, apply_postprocessing: false }, env)({ type: 'float32', dims: [1, wave.length], data: wave }, testFrame());
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

  it('post-processes by default, like xybrid (apply_postprocessing defaults to true)', async () => {
    const back = readWav(await createTTSAudioEncodeStep({ sample_rate: 16000 }, env)(new Float32Array([0, 0.5, 0]), testFrame()));
    expect(back.samples.length).toBe(1);
    expect(back.samples[0]).toBeCloseTo(0.95, 3);
  });

  it('trim_trailing_silence cuts a trailing run >= 50 ms below 0.01, keeping 10 ms (xybrid)', async () => {
    const loud = new Float32Array(1000).fill(0.5);
    const withTail = new Float32Array(1000 + 80);
    withTail.set(loud);
    withTail.fill(0.001, 1000);
    const step = createTTSAudioEncodeStep({ sample_rate: 1000, apply_postprocessing: false, trim_trailing_silence: true, container: 'raw' }, env);
    expect((await step(withTail, testFrame())).length).toBe((1000 + 10) * 2);
    const shortTail = new Float32Array(1000 + 40).fill(0.5, 0, 1000);
    expect((await step(shortTail, testFrame())).length).toBe(1040 * 2);
  });

  it("container 'raw' writes headerless PCM16 little-endian, truncated like xybrid", async () => {
    const raw = await createTTSAudioEncodeStep({ sample_rate: 8000, apply_postprocessing: false, container: 'raw' }, env)(new Float32Array([1, -1, 0.5, 2]), testFrame());
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    expect([0, 1, 2, 3].map((i) => view.getInt16(i * 2, true))).toEqual([32767, -32767, 16383, 32767]);
  });
});
