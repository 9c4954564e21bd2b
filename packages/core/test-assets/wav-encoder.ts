// Test helper: writes RIFF/WAVE bytes (PCM 16-bit or float 32-bit) for decoder and VAD tests.
export function encodeWav(
  samples: Float32Array,
  sampleRate: number,
  options: { channels?: number; format?: 'pcm16' | 'float32' } = {},
): Uint8Array {
  const channels = options.channels ?? 1;
  const float = options.format === 'float32';
  const bytes = float ? 4 : 2;
  const frames = Math.floor(samples.length / channels);
  const dataSize = frames * channels * bytes;
  const out = new Uint8Array(44 + dataSize);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataSize, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, float ? 3 : 1, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * bytes, true);
  view.setUint16(32, channels * bytes, true);
  view.setUint16(34, bytes * 8, true);
  ascii(36, 'data');
  view.setUint32(40, dataSize, true);
  for (let i = 0; i < frames * channels; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    if (float) view.setFloat32(44 + i * 4, v, true);
    else view.setInt16(44 + i * 2, Math.round(v * 32767), true);
  }
  return out;
}
