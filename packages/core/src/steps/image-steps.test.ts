import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../errors/switchyard-error.js';
import { createCenterCropStep } from './center-crop-step.js';
import { createImageDecodeStep } from './image-decode-step.js';
import { createResizeStep } from './resize-step.js';
import { STEP_SLOTS, type ImageValue } from './step-values.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('preprocessing/0 (ImageDecode)');

/** 4x2 image: left half red, right half blue. */
async function encoded(format: 'png' | 'jpeg' | 'webp'): Promise<Uint8Array> {
  const raw = Buffer.alloc(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) raw.set(x < 2 ? [255, 0, 0] : [0, 0, 255], (y * 4 + x) * 3);
  const image = sharp(raw, { raw: { width: 4, height: 2, channels: 3 } });
  return new Uint8Array(await (format === 'png' ? image.png() : format === 'jpeg' ? image.jpeg({ quality: 100 }) : image.webp({ lossless: true })).toBuffer());
}

function pixel(image: ImageValue, x: number, y: number): number[] {
  const at = (y * image.width + x) * image.channels;
  return Array.from(image.data.subarray(at, at + image.channels));
}

describe('ImageDecode', () => {
  it.each(['png', 'webp', 'jpeg'] as const)('decodes %s to RGB HWC and records the size', async (format) => {
    const frame = testFrame();
    const image = await createImageDecodeStep({}, env)(await encoded(format), frame);
    expect({ width: image.width, height: image.height, channels: image.channels }).toEqual({ width: 4, height: 2, channels: 3 });
    expect(image.data.length).toBe(24);
    const tolerance = format === 'jpeg' ? 40 : 0;
    pixel(image, 0, 0).forEach((v, i) => expect(Math.abs(v - [255, 0, 0][i]!)).toBeLessThanOrEqual(tolerance));
    pixel(image, 3, 1).forEach((v, i) => expect(Math.abs(v - [0, 0, 255][i]!)).toBeLessThanOrEqual(tolerance));
    expect(frame.slots.get(STEP_SLOTS.originalImageSize)).toEqual({ width: 4, height: 2 });
  });

  it('drops alpha and can decode to greyscale', async () => {
    const rgba = await sharp(Buffer.from([255, 255, 255, 255, 0, 0, 0, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const rgb = await createImageDecodeStep({}, env)(rgba, testFrame());
    expect(rgb.channels).toBe(3);
    const grey = await createImageDecodeStep({ channels: 1 }, env)(rgba, testFrame());
    expect(grey.channels).toBe(1);
    expect(Array.from(grey.data)).toEqual([255, 0]);
  });

  it('rejects corrupt and empty bytes with INVALID_INPUT naming the step and model', async () => {
    const step = createImageDecodeStep({}, env);
    const corrupt = (await encoded('png')).slice(0, 20);
    await expect(step(corrupt, testFrame())).rejects.toThrowError(/test-model preprocessing\/0 \(ImageDecode\): cannot decode the image/);
    await expect(step(new Uint8Array(0), testFrame())).rejects.toSatisfy((e) => SwitchyardError.hasCode(e, 'INVALID_INPUT'));
    await expect(step('not bytes' as never, testFrame())).rejects.toThrowError(/expects encoded image bytes/);
  });
});

describe('Resize', () => {
  const image: ImageValue = { data: Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (Math.floor(i / 3) % 4 < 2 ? 200 : 10)), width: 4, height: 2, channels: 3 };

  it.each(['Nearest', 'Bilinear', 'Bicubic'] as const)('%s gives the exact target size', async (interpolation) => {
    const out = await createResizeStep({ width: 8, height: 6, interpolation }, env)(image, testFrame());
    expect([out.width, out.height, out.channels, out.data.length]).toEqual([8, 6, 3, 144]);
    expect(pixel(out, 0, 0)).toEqual([200, 200, 200]);
  });

  it('Nearest keeps the hard edge that Bilinear blends', async () => {
    const nearest = await createResizeStep({ width: 8, height: 2, interpolation: 'Nearest' }, env)(image, testFrame());
    const bilinear = await createResizeStep({ width: 8, height: 2, interpolation: 'Bilinear' }, env)(image, testFrame());
    expect(new Set(nearest.data)).toEqual(new Set([200, 10]));
    expect([...bilinear.data].some((v) => v !== 200 && v !== 10)).toBe(true);
  });

  it('letterboxes with keep_aspect and records the transform', async () => {
    const frame = testFrame();
    const out = await createResizeStep({ width: 8, height: 8, keep_aspect: true, pad_value: 114 }, env)(image, frame);
    expect([out.width, out.height]).toEqual([8, 8]);
    expect(frame.slots.get(STEP_SLOTS.letterbox)).toEqual({ scale: 2, padLeft: 0, padTop: 2 });
    expect(pixel(out, 0, 0)).toEqual([114, 114, 114]);
    expect(pixel(out, 0, 4)).toEqual([200, 200, 200]);
    const topLeft = testFrame();
    await createResizeStep({ width: 8, height: 8, keep_aspect: true, pad_position: 'top-left' }, env)(image, topLeft);
    expect(topLeft.slots.get(STEP_SLOTS.letterbox)).toEqual({ scale: 2, padLeft: 0, padTop: 0 });
  });

  it('rounds the target to multiple_of', async () => {
    const out = await createResizeStep({ width: 50, height: 30, multiple_of: 32 }, env)(image, testFrame());
    expect([out.width, out.height]).toEqual([64, 32]);
  });

  it('rejects bad params and undecoded input', async () => {
    expect(() => createResizeStep({ width: 0, height: 2 }, env)).toThrowError(/width must be a positive integer/);
    expect(() => createResizeStep({ width: 2, height: 2, interpolation: 'Lanczos' as never }, env)).toThrowError(/unknown interpolation/);
    await expect(createResizeStep({ width: 2, height: 2 }, env)(new Uint8Array(3) as never, testFrame())).rejects.toThrowError(/add an ImageDecode step/);
  });
});

describe('CenterCrop', () => {
  it('cuts the middle window', () => {
    const image: ImageValue = { data: Uint8Array.from({ length: 16 }, (_, i) => i), width: 4, height: 4, channels: 1 };
    const out = createCenterCropStep({ width: 2, height: 2 }, env)(image, testFrame()) as ImageValue;
    expect(Array.from(out.data)).toEqual([5, 6, 9, 10]);
  });

  it('rejects an image smaller than the crop', () => {
    const image: ImageValue = { data: new Uint8Array(4), width: 2, height: 2, channels: 1 };
    expect(() => createCenterCropStep({ width: 3, height: 2 }, env)(image, testFrame())).toThrowError(/expected at least 3x2, found 2x2/);
  });
});
