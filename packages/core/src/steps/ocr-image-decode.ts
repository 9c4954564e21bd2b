import type sharp from 'sharp';
import { loadSharp } from './native-modules.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { OCR_SLOTS, ocrStepError } from './ocr-types.js';
import type { OcrImage } from './ocr-types.js';

export interface OcrImageDecodeParams {
  /** Refuse images with more pixels than this (decompression bombs). Default 40 megapixels. */
  readonly max_pixels?: number;
}

/**
 * Decodes image bytes (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG) to 8-bit RGB, honouring EXIF orientation and
 * flattening transparency onto white. The decoded image is also kept in `frame.slots` for the crop step.
 */
export function createOcrImageDecodeStep(
  params: OcrImageDecodeParams,
  env: StepEnvironment,
): StepFunction<Uint8Array | { readonly data: Uint8Array }, OcrImage> {
  const maxPixels = params.max_pixels ?? 40_000_000;
  return async (value, frame) => {
    // Raw bytes, or the Executor's `{ kind: 'image', data }` engine input.
    const input = value instanceof Uint8Array ? value : (value as { data?: unknown } | null)?.data;
    if (!(input instanceof Uint8Array)) {
      throw ocrStepError(env, 'INVALID_INPUT', `expected image bytes (Uint8Array), found ${describe(value)}`);
    }
    if (input.byteLength === 0) throw ocrStepError(env, 'INVALID_INPUT', 'the image is empty (0 bytes)');
    let decoded: { data: Buffer; info: sharp.OutputInfo };
    try {
      decoded = await (await loadSharp())(input, { limitInputPixels: maxPixels, failOn: 'error' })
        .rotate()
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw ocrStepError(
        env,
        'INVALID_INPUT',
        `the input is not a decodable image (${input.byteLength} bytes): ${reason}`,
        error,
      );
    }
    const { width, height, channels } = decoded.info;
    if (channels !== 3) {
      throw ocrStepError(env, 'STEP_FAILED', `decoder returned ${channels} channels, expected 3`);
    }
    const image: OcrImage = { width, height, data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength) };
    frame.slots.set(OCR_SLOTS.image, image);
    return image;
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
