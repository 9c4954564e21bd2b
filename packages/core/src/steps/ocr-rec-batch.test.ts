import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createOcrRecBatchStep } from './ocr-rec-batch.js';
import { randomOcrImage } from './ocr-prepost-reference.js';
import type { OcrImage, OcrLineImage, OcrQuad } from './ocr-types.js';
import { createSeededRandom } from './seeded-random.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('rec/preprocessing/0 (OcrRecBatch)');
const BOX: OcrQuad = [[0, 0], [1, 0], [1, 1], [0, 1]];

/** The batch as first written: per crop, per channel a strided pass of (v / 255 - 0.5) / 0.5, zero padding. */
async function referenceBatch(images: OcrImage[], batchWidth: number, source: readonly number[], height = 48): Promise<Float32Array> {
  const plane = height * batchWidth;
  const out = new Float32Array(images.length * 3 * plane);
  for (const [n, image] of images.entries()) {
    const width = Math.max(1, Math.min(batchWidth, Math.ceil((height * image.width) / image.height)));
    const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          out[n * 3 * plane + c * plane + y * batchWidth + x] = (resized[(y * width + x) * 3 + source[c]!]! / 255 - 0.5) / 0.5;
        }
      }
    }
  }
  return out;
}

describe('OcrRecBatch', () => {
  it('builds the padded batch bit for bit like the per-channel formula', async () => {
    const random = createSeededRandom(11);
    const images = [randomOcrImage(40, 30, random), randomOcrImage(300, 40, random), randomOcrImage(520, 50, random)];
    const lines: OcrLineImage[] = images.map((image) => ({ box: BOX, image }));
    for (const order of ['BGR', 'RGB'] as const) {
      const tensor = await createOcrRecBatchStep({ channel_order: order }, env)(lines, testFrame());
      const batchWidth = tensor.dims[3]!;
      expect(tensor.dims).toEqual([3, 3, 48, batchWidth]);
      const expected = await referenceBatch(images, batchWidth, order === 'RGB' ? [0, 1, 2] : [2, 1, 0]);
      expect(Buffer.from((tensor.data as Float32Array).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });

  it('fits every crop into a fixed width, cutting the wider ones', async () => {
    const random = createSeededRandom(5);
    const images = [randomOcrImage(100, 48, random), randomOcrImage(900, 48, random)];
    const tensor = await createOcrRecBatchStep({ fixed_width: true, max_width: 192 }, env)(images.map((image) => ({ box: BOX, image })), testFrame());
    const expected = await referenceBatch(images, 192, [2, 1, 0]);
    expect(Buffer.from((tensor.data as Float32Array).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });
});
