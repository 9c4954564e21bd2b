import { describe, expect, it } from 'vitest';
import { ComplexFft, RealFft } from './mixed-radix-fft.js';

function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * ((k * t) % n)) / n;
      sr += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
      si += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
    }
    outRe[k] = sr; outIm[k] = si;
  }
  return [outRe, outIm];
}

function signal(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; out[i] = s / 1073741824 - 1; }
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('ComplexFft', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 12, 16, 20, 25, 49, 60, 97, 200, 400, 512, 1000])('matches a naive DFT for n=%i', (n) => {
    const re = signal(n, n), im = signal(n, n + 7);
    const [expRe, expIm] = naiveDft(re, im);
    new ComplexFft(n).transform(re, im);
    expect(maxDiff(re, expRe, n)).toBeLessThan(1e-9 * n);
    expect(maxDiff(im, expIm, n)).toBeLessThan(1e-9 * n);
  });

  it('rejects a non-positive size', () => {
    expect(() => new ComplexFft(0)).toThrow(RangeError);
  });
});

describe('RealFft', () => {
  it.each([2, 9, 10, 400, 512, 1001])('gives the one-sided spectrum of a naive DFT for n=%i', (n) => {
    const x = signal(n, 3 * n);
    const [expRe, expIm] = naiveDft(x, new Float64Array(n));
    const fft = new RealFft(n);
    const re = new Float64Array(fft.bins), im = new Float64Array(fft.bins);
    fft.transform(x, re, im);
    expect(fft.bins).toBe(Math.floor(n / 2) + 1);
    expect(maxDiff(re, expRe, fft.bins)).toBeLessThan(1e-9 * n);
    expect(maxDiff(im, expIm, fft.bins)).toBeLessThan(1e-9 * n);
  });

  it('is reusable: a second transform is not affected by the first', () => {
    const fft = new RealFft(400);
    const a = signal(400, 1), b = signal(400, 2);
    const re1 = new Float64Array(201), im1 = new Float64Array(201), re2 = new Float64Array(201), im2 = new Float64Array(201);
    fft.transform(b, re1, im1);
    fft.transform(a, re2, im2);
    fft.transform(b, re2, im2);
    expect(Array.from(re2)).toEqual(Array.from(re1));
    expect(Array.from(im2)).toEqual(Array.from(im1));
  });
});
