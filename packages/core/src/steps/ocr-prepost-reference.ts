import type { OcrImage } from './ocr-types.js';

// Test helpers: the OCR pre-processing formulas as first written (per channel, one strided pass each), the
// reference the fused kernels must match bit for bit.

/** `[3, H, W]` of (v / 255 - mean[c]) / std[c], channel c read from HWC byte `source[c]`. */
export function referenceNormalizeChw(image: OcrImage, mean: readonly number[], std: readonly number[], source: readonly number[]): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) out[c * plane + i] = (image.data[i * 3 + source[c]!]! / 255 - mean[c]!) / std[c]!;
  }
  return out;
}

/** A reproducible RGB image with every byte value likely present. */
export function randomOcrImage(width: number, height: number, random: () => number): OcrImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
  return { width, height, data };
}
