import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/core';
import { decodeWav } from './wav-decode.js';

function wav16(samples: number[], channels = 1, sampleRate = 16000): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((sample, index) => data.writeInt16LE(Math.round(sample * 32767), index * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

describe('decodeWav', () => {
  it('decodes 16-bit PCM and mixes stereo to mono', () => {
    const mono = decodeWav(wav16([0, 0.5, -0.5]));
    expect(mono.sampleRate).toBe(16000);
    expect(Array.from(mono.samples).map((value) => Math.round(value * 100) / 100)).toEqual([0, 0.5, -0.5]);
    const stereo = decodeWav(wav16([0.5, -0.5, 0.25, 0.25], 2, 8000));
    expect(stereo.sampleRate).toBe(8000);
    expect(Array.from(stereo.samples).map((value) => Math.round(value * 100) / 100)).toEqual([0, 0.25]);
  });

  it('rejects non-WAV bytes with INVALID_INPUT naming the field', () => {
    try {
      decodeWav(Buffer.from('not a wav file at all'), 'inputs.audio_wav_base64');
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
      expect((error as Error).message).toContain('inputs.audio_wav_base64');
    }
  });
});
