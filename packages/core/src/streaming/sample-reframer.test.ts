import { describe, expect, it } from 'vitest';
import { SampleReframer } from './sample-reframer.js';

describe('SampleReframer', () => {
  it('re-frames uneven chunks into whole windows in order and holds the remainder', () => {
    const reframer = new SampleReframer(4);
    const source = Float32Array.from({ length: 11 }, (_, i) => i + 1);
    const windows = [
      ...reframer.push(source.subarray(0, 3)),
      ...reframer.push(source.subarray(3, 4)),
      ...reframer.push(source.subarray(4, 10)),
    ];
    expect(windows.map((w) => Array.from(w))).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(reframer.buffered).toBe(2);
    expect(reframer.push(source.subarray(10))).toEqual([]);
    expect(Array.from(reframer.flush()!)).toEqual([9, 10, 11, 0]);
    expect(reframer.flush()).toBeUndefined();
  });

  it('copies windows so a reused input buffer cannot change them', () => {
    const reframer = new SampleReframer(2);
    const buffer = Float32Array.from([1, 2]);
    const [window] = reframer.push(buffer);
    buffer.fill(9);
    expect(Array.from(window!)).toEqual([1, 2]);
  });
});
