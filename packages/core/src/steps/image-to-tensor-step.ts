import type { Tensor } from '@switchyard/spec';
import { stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { ImageValue } from './step-values.js';

export interface ImageToTensorParams {
  /** Multiplier applied to each 0..255 value (e.g. 1/255); default 1. */
  readonly scale?: number;
  /** Output layout (default NCHW). */
  readonly layout?: 'NCHW' | 'NHWC';
}

/** HWC uint8 pixels -> float32 `[1, C, H, W]` (or `[1, H, W, C]`). */
export function imageToNchw(image: ImageValue, scale: number): Tensor {
  const { width, height, channels, data } = image;
  const plane = width * height;
  const out = new Float32Array(plane * channels);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) out[c * plane + p] = data[p * channels + c]! * scale;
  }
  return { type: 'float32', dims: [1, channels, height, width], data: out };
}

export function createImageToTensorStep(params: ImageToTensorParams, env: StepEnvironment): StepFunction<ImageValue, Tensor> {
  const scale = params.scale ?? 1;
  return (image) => {
    if (!image || !(image.data instanceof Uint8Array) || image.data.length !== image.width * image.height * image.channels) {
      throw stepInputError(env, 'expects a decoded image', { expected: 'ImageValue {data: Uint8Array (H·W·C), width, height, channels}', found: image && image.data ? `${image.data.length} bytes for ${image.width}x${image.height}x${image.channels}` : typeof image });
    }
    if (params.layout === 'NHWC') {
      return { type: 'float32', dims: [1, image.height, image.width, image.channels], data: Float32Array.from(image.data, (v) => v * scale) };
    }
    return imageToNchw(image, scale);
  };
}
