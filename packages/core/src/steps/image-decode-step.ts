import type sharp from 'sharp';
import { loadSharp } from './native-modules.js';
import { stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { STEP_SLOTS, type ImageValue } from './step-values.js';

export interface ImageDecodeParams {
  /** 3 = RGB (default), 1 = greyscale. Alpha is dropped (flattened on black). */
  readonly channels?: 1 | 3;
}

/**
 * Encoded image bytes (PNG, JPEG, WebP, GIF, TIFF... whatever sharp reads) -> HWC uint8 pixels, EXIF-rotated.
 * Records the decoded size in `frame.slots` (original_image_size). An ImageValue input passes through.
 */
export function createImageDecodeStep(params: ImageDecodeParams, env: StepEnvironment): StepFunction<Uint8Array | ArrayBuffer | ImageValue, Promise<ImageValue>> {
  const channels = params.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw stepInputError(env, 'channels must be 1 or 3', { expected: '1 | 3', found: String(channels), field: 'channels' });
  return async (input, frame) => {
    if (typeof input === 'object' && input !== null && 'width' in input && 'data' in input) {
      frame.slots.set(STEP_SLOTS.originalImageSize, { width: input.width, height: input.height });
      return input;
    }
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw stepInputError(env, 'expects encoded image bytes', { expected: 'non-empty Uint8Array/Buffer (png, jpeg, webp...)', found: bytes instanceof Uint8Array ? '0 bytes' : typeof input });
    }
    let decoded: { data: Buffer; info: sharp.OutputInfo };
    try {
      let pipeline = (await loadSharp())(bytes, { failOn: 'error' }).rotate().flatten({ background: { r: 0, g: 0, b: 0 } });
      pipeline = channels === 1 ? pipeline.greyscale() : pipeline.toColourspace('srgb');
      decoded = await pipeline.raw().toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw stepInputError(env, `cannot decode the image: ${(error as Error).message}`, { expected: 'a png/jpeg/webp/gif/tiff image', found: `${bytes.length} bytes starting ${Buffer.from(bytes.subarray(0, 4)).toString('hex')}` }, error);
    }
    const { width, height, channels: got } = decoded.info;
    let data = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length);
    if (got !== channels) data = convertChannels(data, got, channels);
    frame.slots.set(STEP_SLOTS.originalImageSize, { width, height });
    return { data, width, height, channels };
  };
}

function convertChannels(data: Uint8Array, from: number, to: number): Uint8Array {
  const pixels = data.length / from;
  const out = new Uint8Array(pixels * to);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < to; c++) out[p * to + c] = data[p * from + Math.min(c, from - 1)]!;
  }
  return out;
}
