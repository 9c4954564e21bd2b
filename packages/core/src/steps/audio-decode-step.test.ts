import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createAudioDecodeStep } from './audio-decode-step.js';
import { testFrame, testStepEnv, tone } from './step-test-env.js';
import { readWav, writeWav } from './wav-reader.js';

const env = testStepEnv('preprocessing/0 (AudioDecode)');

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

  it('shows the first bytes of a non-WAV input in hex, never raw (control characters, terminal escapes)', async () => {
    const step = createAudioDecodeStep({ sample_rate: 16000 }, env);
    const error = await (async () => step(new Uint8Array([0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x00, 0x0a, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46]), testFrame()))().catch((e: Error) => e);
    expect((error as Error).message).toContain('not a RIFF/WAVE file (first bytes 1b 5b 32 4a 07 00 0a 41 42 43 44 45)');
    expect((error as Error).message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('readWav skips unknown chunks before data', () => {
    const wav = writeWav(Float32Array.from([0.5]), 16000, { encoding: 'float32' });
    const list = new Uint8Array([...new TextEncoder().encode('LIST'), 4, 0, 0, 0, 1, 2, 3, 4]);
    const withList = new Uint8Array([...wav.subarray(0, 36), ...list, ...wav.subarray(36)]);
    expect(Array.from(readWav(withList).samples)).toEqual([0.5]);
  });

  it('readWav gives the same samples from an aligned buffer and from one at an odd byte offset', () => {
    const samples = Float32Array.from({ length: 999 }, (_, i) => Math.sin(i / 5) * 0.9 - (i % 7) / 100);
    for (const encoding of ['pcm16', 'float32'] as const) {
      const wav = writeWav(samples, 16000, { encoding });
      // The same bytes one byte into a bigger buffer: typed-array views of the data would be misaligned there.
      const shifted = new Uint8Array(wav.length + 1).subarray(1);
      shifted.set(wav);
      const expected = encoding === 'float32' ? Array.from(samples) : Array.from(samples, (s) => Math.fround(Math.round(s * 32767) / 32768));
      expect(Array.from(readWav(wav).samples)).toEqual(expected);
      expect(Array.from(readWav(shifted).samples)).toEqual(expected);
    }
  });
});
