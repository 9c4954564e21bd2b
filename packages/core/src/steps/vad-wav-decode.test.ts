import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { encodeWav } from '../../test-assets/wav-encoder.js';
import { createPipelineFrame } from './step-kernel.js';
import { createVadWavDecodeStep } from './vad-wav-decode.js';

const env = { modelId: 'silero-vad', step: 'preprocessing/0 (VadWavDecode)', files: {} };
const decode = createVadWavDecodeStep({ sample_rate: 16000 }, env);
const frame = createPipelineFrame(new AbortController().signal);

function decodeError(bytes: Uint8Array): SwitchyardError {
  try {
    decode(bytes, frame);
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('VadWavDecode', () => {
  it('decodes 16-bit PCM mono to floats in [-1, 1]', () => {
    const samples = Float32Array.from([0, 0.5, -0.5, 1, -1]);
    const out = decode(encodeWav(samples, 16000), frame) as Float32Array;
    expect(Array.from(out).map((v) => Math.round(v * 1000) / 1000)).toEqual([0, 0.5, -0.5, 1, -1]);
  });

  it('averages the channels of a float32 stereo file', () => {
    const interleaved = Float32Array.from([0.2, 0.4, -0.6, -0.2]);
    const out = decode(encodeWav(interleaved, 16000, { channels: 2, format: 'float32' }), frame) as Float32Array;
    expect(out).toHaveLength(2);
    expect(out[0]).toBeCloseTo(0.3, 5);
    expect(out[1]).toBeCloseTo(-0.4, 5);
  });

  it('refuses non-WAV bytes, showing the first bytes', () => {
    const error = decodeError(new TextEncoder().encode('ID3 this is an mp3, honest'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/silero-vad: preprocessing\/0 \(VadWavDecode\): the input is not a WAV file \(no RIFF\/WAVE header; first bytes 49 44 33/);
  });

  it('refuses a wrong sample rate with expected and found', () => {
    const error = decodeError(encodeWav(new Float32Array(800), 8000));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('wrong sample rate: expected 16000 Hz, found 8000 Hz');
    expect(error.details).toMatchObject({ field: 'sample_rate', expected: 16000, found: 8000 });
  });

  it('refuses a WAV without samples', () => {
    const error = decodeError(encodeWav(new Float32Array(0), 16000));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('contains no audio samples');
  });

  it('refuses a header cut before the data chunk', () => {
    const error = decodeError(encodeWav(new Float32Array(100), 16000).slice(0, 36));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('no "data" chunk');
  });
});
