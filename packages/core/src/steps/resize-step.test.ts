import { describe, expect, it } from 'vitest';
import { createResizeStep } from './resize-step.js';
import { STEP_SLOTS, type ImageValue } from './step-values.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('preprocessing/0 (ImageDecode)');

/** 4x2 image: left half red, right half blue. */

function pixel(image: ImageValue, x: number, y: number): number[] {
  const at = (y * image.width + x) * image.channels;
  return Array.from(image.data.subarray(at, at + image.channels));
}

describe('Resize', () => {
  const image: ImageValue = { data: Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (Math.floor(i / 3) % 4 < 2 ? 200 : 10)), width: 4, height: 2, channels: 3 };

  it.each(['Nearest', 'Bilinear', 'Bicubic'] as const)('%s gives the exact target size', async (interpolation) => {
    const out = await createResizeStep({ width: 8, height: 6, interpolation }, env)(image, testFrame()) as ImageValue;
    expect([out.width, out.height, out.channels, out.data.length]).toEqual([8, 6, 3, 144]);
    expect(pixel(out, 0, 0)).toEqual([200, 200, 200]);
  });

  it('Nearest keeps the hard edge that Bilinear blends', async () => {
    const nearest = await createResizeStep({ width: 8, height: 2, interpolation: 'Nearest' }, env)(image, testFrame()) as ImageValue;
    const bilinear = await createResizeStep({ width: 8, height: 2, interpolation: 'Bilinear' }, env)(image, testFrame()) as ImageValue;
    expect(new Set(nearest.data)).toEqual(new Set([200, 10]));
    expect([...bilinear.data].some((v) => v !== 200 && v !== 10)).toBe(true);
  });

  it('letterboxes with keep_aspect and records the transform', async () => {
    const frame = testFrame();
    const out = await createResizeStep({ width: 8, height: 8, keep_aspect: true, pad_value: 114 }, env)(image, frame) as ImageValue;
    expect([out.width, out.height]).toEqual([8, 8]);
    expect(frame.slots.get(STEP_SLOTS.letterbox)).toEqual({ scale: 2, padLeft: 0, padTop: 2 });
    expect(pixel(out, 0, 0)).toEqual([114, 114, 114]);
    expect(pixel(out, 0, 4)).toEqual([200, 200, 200]);
    const topLeft = testFrame();
    await createResizeStep({ width: 8, height: 8, keep_aspect: true, pad_position: 'top-left' }, env)(image, topLeft);
    expect(topLeft.slots.get(STEP_SLOTS.letterbox)).toEqual({ scale: 2, padLeft: 0, padTop: 0 });
  });

  it('rounds the target to multiple_of', async () => {
    const out = await createResizeStep({ width: 50, height: 30, multiple_of: 32 }, env)(image, testFrame()) as ImageValue;
    expect([out.width, out.height]).toEqual([64, 32]);
  });

  it('rejects bad params and undecoded input', async () => {
    expect(() => createResizeStep({ width: 0, height: 2 }, env)).toThrowError(/width must be a positive integer/);
    expect(() => createResizeStep({ width: 2, height: 2, interpolation: 'Lanczos' as never }, env)).toThrowError(/unknown interpolation/);
    await expect(createResizeStep({ width: 2, height: 2 }, env)(new Uint8Array(3) as never, testFrame())).rejects.toThrowError(/add an ImageDecode step/);
  });
});
