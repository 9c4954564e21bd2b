import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createOcrDetResizeStep } from './ocr-det-resize.js';
import { randomOcrImage, referenceNormalizeChw } from './ocr-prepost-reference.js';
import { OCR_SLOTS } from './ocr-types.js';
import type { OcrImage } from './ocr-types.js';
import { createSeededRandom } from './seeded-random.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('det/preprocessing/1 (OcrDetResize)');
const FIXTURE = new URL('../../../../examples/demo/assets/receipt.png', import.meta.url);
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

async function resizeLikeStep(image: OcrImage, width: number, height: number): Promise<OcrImage> {
  if (width === image.width && height === image.height) return image;
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data) };
}

async function expectBitExact(image: OcrImage, order: 'RGB' | 'BGR', mean = MEAN, std = STD) {
  const frame = testFrame();
  const tensor = await createOcrDetResizeStep({ channel_order: order, mean, std }, env)(image, frame);
  const [, , height, width] = tensor.dims as number[];
  expect(frame.slots.get(OCR_SLOTS.detSize)).toEqual({ width, height });
  const resized = await resizeLikeStep(image, width!, height!);
  const expected = referenceNormalizeChw(resized, mean, std, order === 'RGB' ? [0, 1, 2] : [2, 1, 0]);
  // Compare the bits, not the numbers: -0 / 0 and the last ulp both count.
  expect(Buffer.from((tensor.data as Float32Array).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
}

describe('OcrDetResize', () => {
  it('normalises random images bit for bit like the per-channel formula (BGR and RGB, resized or not)', async () => {
    const random = createSeededRandom(7);
    for (const [w, h] of [[64, 32], [96, 96], [77, 45], [1200, 500]] as const) {
      await expectBitExact(randomOcrImage(w, h, random), 'BGR');
      await expectBitExact(randomOcrImage(w, h, random), 'RGB');
    }
  });

  it('keeps other means and stds exact', async () => {
    await expectBitExact(randomOcrImage(64, 64, createSeededRandom(3)), 'BGR', [0.5, 0.25, 0.1], [0.5, 0.3, 0.7]);
  });

  it('matches the formula on the receipt fixture', async () => {
    const { data, info } = await sharp(readFileSync(FIXTURE)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    await expectBitExact({ width: info.width, height: info.height, data: new Uint8Array(data) }, 'BGR');
  });
});
