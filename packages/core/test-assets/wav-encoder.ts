import { writeWav } from '../src/steps/wav-reader.js';

// Test helper: RIFF/WAVE bytes (PCM 16-bit or float 32-bit) for decoder and VAD tests, via core's writeWav.
export function encodeWav(
  samples: Float32Array,
  sampleRate: number,
  options: { channels?: number; format?: 'pcm16' | 'float32' } = {},
): Uint8Array {
  const channels = options.channels ?? 1;
  const frames = Math.floor(samples.length / channels);
  return writeWav(samples.subarray(0, frames * channels), sampleRate, { channels, encoding: options.format ?? 'pcm16' });
}
