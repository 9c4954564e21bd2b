import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { homography } from './ocr-geometry.js';
import { OCR_SLOTS, ocrStepError } from './ocr-types.js';
import type { OcrImage, OcrLineImage, OcrPoint, OcrTextBox } from './ocr-types.js';

export interface OcrCropRotateParams {
  /** A crop whose height / width is at least this is turned 90 degrees (vertical text). Default 1.5. */
  readonly rotate_if_tall_ratio?: number;
}

/**
 * Cuts each text box out of the source image with a perspective warp onto an upright rectangle
 * (bilinear sampling), turning tall crops by 90 degrees so the recogniser sees horizontal text. Crops come out
 * narrowest first (width / height), as PaddleOCR sorts them, so recognition batches pad less; OcrAssembleLines
 * puts the lines back in reading order.
 */
export function createOcrCropRotateStep(
  params: OcrCropRotateParams,
  env: StepEnvironment,
): StepFunction<OcrTextBox[], OcrLineImage[]> {
  const tallRatio = params.rotate_if_tall_ratio ?? 1.5;
  return (boxes, frame) => {
    const image = frame.slots.get(OCR_SLOTS.image) as OcrImage | undefined;
    if (!image) throw ocrStepError(env, 'STEP_FAILED', 'the decoded image is missing (run OcrImageDecode first)');
    const lines = boxes.map(({ box }): OcrLineImage => {
      const [p0, p1, p2, p3] = box;
      const width = Math.max(1, Math.round(Math.max(distance(p0, p1), distance(p3, p2))));
      const height = Math.max(1, Math.round(Math.max(distance(p0, p3), distance(p1, p2))));
      let crop = warpPerspective(image, box, width, height);
      if (crop.height / crop.width >= tallRatio) crop = rotate90CounterClockwise(crop);
      return { box, image: crop };
    });
    lines.sort((a, b) => a.image.width / a.image.height - b.image.width / b.image.height);
    return lines;
  };
}

function distance(a: OcrPoint, b: OcrPoint): number {
  return Math.hypot(b[0] - a[0], b[1] - a[1]);
}

function warpPerspective(image: OcrImage, quad: readonly OcrPoint[], width: number, height: number): OcrImage {
  // Maps output pixel centres back into the source (inverse warp).
  const h = homography(
    [[0, 0], [width, 0], [width, height], [0, height]],
    quad,
  );
  const out = new Uint8Array(width * height * 3);
  const src = image.data;
  const maxX = image.width - 1;
  const maxY = image.height - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = h[6]! * x + h[7]! * y + h[8]!;
      let sx = (h[0]! * x + h[1]! * y + h[2]!) / w;
      let sy = (h[3]! * x + h[4]! * y + h[5]!) / w;
      sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = x0 < maxX ? x0 + 1 : x0;
      const y1 = y0 < maxY ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * width + x) * 3;
      const i00 = (y0 * image.width + x0) * 3;
      const i01 = (y0 * image.width + x1) * 3;
      const i10 = (y1 * image.width + x0) * 3;
      const i11 = (y1 * image.width + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[i00 + c]! * (1 - fx) + src[i01 + c]! * fx;
        const bottom = src[i10 + c]! * (1 - fx) + src[i11 + c]! * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, data: out };
}

export function rotate90CounterClockwise(image: OcrImage): OcrImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  // Output is height wide, width tall; output (x', y') takes input (width - 1 - y', x').
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < height; x++) {
      const s = (x * width + (width - 1 - y)) * 3;
      const o = (y * height + x) * 3;
      out[o] = data[s]!;
      out[o + 1] = data[s + 1]!;
      out[o + 2] = data[s + 2]!;
    }
  }
  return { width: height, height: width, data: out };
}

export function rotate180(image: OcrImage): OcrImage {
  const out = new Uint8Array(image.data.length);
  const pixels = image.width * image.height;
  for (let i = 0; i < pixels; i++) {
    const s = i * 3;
    const o = (pixels - 1 - i) * 3;
    out[o] = image.data[s]!;
    out[o + 1] = image.data[s + 1]!;
    out[o + 2] = image.data[s + 2]!;
  }
  return { width: image.width, height: image.height, data: out };
}
