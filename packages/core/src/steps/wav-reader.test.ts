import { describe, expect, it } from 'vitest';
import { pcm16ToFloat32, readWav, writeWav } from './wav-reader.js';

describe('pcm16ToFloat32', () => {
  it('gives x / 32768 for every 16-bit value, at every offset and count (the unrolled body and the tail)', () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const expected = Float32Array.from(all, (x) => x / 32768);
    const out = new Float32Array(65536);
    pcm16ToFloat32(all, 0, all.length, out, 0);
    expect(new Uint8Array(out.buffer)).toEqual(new Uint8Array(expected.buffer));
    for (let count = 0; count <= 17; count++) {
      for (const [from, at] of [[0, 0], [3, 5], [65536 - count, 1]] as const) {
        const into = new Float32Array(count + 8).fill(7);
        pcm16ToFloat32(all, from, count, into, at);
        const want = new Float32Array(count + 8).fill(7);
        want.set(expected.subarray(from, from + count), at);
        expect(Array.from(into), `count ${count}, from ${from}, at ${at}`).toEqual(Array.from(want));
      }
    }
  });

  it('is what readWav decodes PCM16 with, aligned or not', () => {
    const wav = writeWav(Float32Array.from({ length: 21 }, (_, i) => Math.sin(i) * 0.99), 16000);
    const odd = new Uint8Array(wav.length + 1);
    odd.set(wav, 1);
    const pcm = new Int16Array(wav.buffer, 44, 21);
    const want = new Float32Array(21);
    pcm16ToFloat32(pcm, 0, 21, want, 0);
    expect(readWav(wav).samples).toEqual(want);
    expect(readWav(odd.subarray(1)).samples).toEqual(want);
  });
});
