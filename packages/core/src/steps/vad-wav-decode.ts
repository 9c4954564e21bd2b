import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { vadStepError } from './vad-types.js';

export interface VadWavDecodeParams {
  /** Required sample rate; other rates are refused (resample first). Default 16000. */
  readonly sample_rate?: number;
  /** Output channels; 1 averages the channels of a multi-channel file. Default 1. */
  readonly channels?: number;
}

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/**
 * Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit or 32/64-bit float, any channel count) to mono float32 samples
 * in [-1, 1]. Refuses non-WAV bytes, a sample rate other than the model's and audio without samples.
 */
export function createVadWavDecodeStep(
  params: VadWavDecodeParams,
  env: StepEnvironment,
): StepFunction<Uint8Array, Float32Array> {
  const expectedRate = params.sample_rate ?? 16000;
  return (input) => {
    if (!(input instanceof Uint8Array)) {
      throw vadStepError(env, 'INVALID_INPUT', `expected WAV bytes (Uint8Array), found ${input === null ? 'null' : typeof input}`);
    }
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const tag = (at: number) => String.fromCharCode(...input.subarray(at, at + 4));
    if (input.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
      throw vadStepError(env, 'INVALID_INPUT', `the input is not a WAV file (no RIFF/WAVE header; first bytes ${hex(input.subarray(0, 12))})`, {
        expected: 'RIFF....WAVE',
      });
    }
    let format: { code: number; channels: number; rate: number; bits: number } | undefined;
    let data: Uint8Array | undefined;
    for (let at = 12; at + 8 <= input.byteLength; ) {
      const id = tag(at);
      const size = view.getUint32(at + 4, true);
      const body = at + 8;
      if (id === 'fmt ' && size >= 16) {
        let code = view.getUint16(body, true);
        if (code === EXTENSIBLE && size >= 26) code = view.getUint16(body + 24, true);
        format = { code, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
      } else if (id === 'data') {
        data = input.subarray(body, Math.min(input.byteLength, body + size));
      }
      at = body + size + (size % 2);
    }
    if (!format) throw vadStepError(env, 'INVALID_INPUT', 'the WAV file has no "fmt " chunk');
    if (!data) throw vadStepError(env, 'INVALID_INPUT', 'the WAV file has no "data" chunk');
    if (format.rate !== expectedRate) {
      throw vadStepError(
        env,
        'INVALID_INPUT',
        `wrong sample rate: expected ${expectedRate} Hz, found ${format.rate} Hz (resample the audio to ${expectedRate} Hz mono)`,
        { field: 'sample_rate', expected: expectedRate, found: format.rate },
      );
    }
    const bytes = format.bits / 8;
    const supported =
      (format.code === PCM && [1, 2, 3, 4].includes(bytes)) || (format.code === IEEE_FLOAT && (bytes === 4 || bytes === 8));
    if (!supported || format.channels < 1) {
      throw vadStepError(env, 'INVALID_INPUT', `unsupported WAV encoding: format ${format.code}, ${format.bits} bits, ${format.channels} channels (expected PCM 8/16/24/32-bit or float 32/64-bit)`);
    }
    const frameBytes = bytes * format.channels;
    const frames = Math.floor(data.byteLength / frameBytes);
    if (frames === 0) throw vadStepError(env, 'INVALID_INPUT', 'the WAV file contains no audio samples (empty data chunk)');
    const samples = new Float32Array(frames);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const read = sampleReader(format.code, bytes);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < format.channels; c++) sum += read(dv, f * frameBytes + c * bytes);
      samples[f] = sum / format.channels;
    }
    return samples;
  };
}

function sampleReader(code: number, bytes: number): (dv: DataView, at: number) => number {
  if (code === IEEE_FLOAT) return bytes === 4 ? (dv, at) => dv.getFloat32(at, true) : (dv, at) => dv.getFloat64(at, true);
  switch (bytes) {
    case 1:
      return (dv, at) => (dv.getUint8(at) - 128) / 128;
    case 2:
      return (dv, at) => dv.getInt16(at, true) / 32768;
    case 3:
      return (dv, at) => ((dv.getUint8(at) | (dv.getUint8(at + 1) << 8) | (dv.getInt8(at + 2) << 16)) / 8388608);
    default:
      return (dv, at) => dv.getInt32(at, true) / 2147483648;
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') || '(empty)';
}
