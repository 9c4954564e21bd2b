import type { Tensor } from '@switchyard/spec';
import { centerCropTensor, isTensorValue, type ImageTensorLayout } from './image-tensor-geometry.js';
import { expectImage } from './image-value.js';
import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { ImageValue } from './step-values.js';

export interface CenterCropParams {
  readonly width: number;
  readonly height: number;
  /** For tensor input: where the channel axis is (default: from the shape, channel-first when ambiguous). */
  readonly layout?: ImageTensorLayout;
}

/**
 * Cuts a width x height window out of the middle of an ImageValue, or of an NCHW / NHWC (CHW / HWC) tensor as
 * xybrid's files apply it after Reshape (offsets rounded down, like torchvision). Tensors come out float32.
 */
export function createCenterCropStep(params: CenterCropParams, env: StepEnvironment): StepFunction<ImageValue | Tensor, ImageValue | Tensor> {
  const { width, height } = params;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1) throw stepFailure(env, `${name} must be a positive integer`, undefined, { field: name, found: v });
  }
  return (input) => {
    if (isTensorValue(input)) return centerCropTensor(input, height, width, env, params.layout);
    const image = expectImage(input, env);
    if (image.width < width || image.height < height) {
      throw stepInputError(env, 'image is smaller than the crop (add a Resize step first)', { expected: `at least ${width}x${height}`, found: `${image.width}x${image.height}` });
    }
    const left = Math.floor((image.width - width) / 2);
    const top = Math.floor((image.height - height) / 2);
    const c = image.channels;
    const out = new Uint8Array(width * height * c);
    for (let y = 0; y < height; y++) {
      const from = ((top + y) * image.width + left) * c;
      out.set(image.data.subarray(from, from + width * c), y * width * c);
    }
    return { data: out, width, height, channels: c };
  };
}
