import { stepInputError } from './step-errors.js';
import type { StepEnvironment } from './step-kernel.js';
import type { ImageValue } from './step-values.js';

/** Checks that a step input is a well-formed ImageValue. */
export function expectImage(input: unknown, env: StepEnvironment): ImageValue {
  const image = input as ImageValue;
  if (typeof input !== 'object' || input === null || !(image.data instanceof Uint8Array) || !Number.isInteger(image.width) || !Number.isInteger(image.height)) {
    throw stepInputError(env, 'expects a decoded image (add an ImageDecode step)', { expected: 'ImageValue {data: Uint8Array, width, height, channels}', found: ArrayBuffer.isView(input) ? 'encoded bytes' : typeof input });
  }
  if (image.data.length !== image.width * image.height * image.channels) {
    throw stepInputError(env, 'image data length does not match its size', { expected: `${image.width * image.height * image.channels} bytes (${image.width}x${image.height}x${image.channels})`, found: `${image.data.length}` });
  }
  return image;
}
