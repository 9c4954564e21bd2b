import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createImageDecodeStep } from './image-decode-step.js';
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
