import type sharp from 'sharp';
import { loadSharp } from './native-modules.js';
import type { Tensor } from '@switchyard/spec';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { normalizeHwcToChw, ocrChannelTables } from './ocr-normalize-chw.js';
import { OCR_SLOTS, ocrStepError } from './ocr-types.js';
import type { OcrImage } from './ocr-types.js';

export interface OcrDetResizeParams {
  /** Side limit in pixels (PaddleOCR `det_limit_side_len`). Default 960. */
  readonly limit_side_len?: number;
  /** `max`: shrink so the longer side fits; `min`: grow so the shorter side reaches the limit. Default `max`. */
  readonly limit_type?: 'max' | 'min';
  /** Both sides are rounded to a multiple of this (the DB backbone downsamples by 32). Default 32. */
  readonly multiple_of?: number;
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  /** Channel order of the tensor; PaddleOCR models were trained on OpenCV's BGR. Default `BGR`. */
  readonly channel_order?: 'RGB' | 'BGR';
}

/** Resizes for the DB detector and normalises to a `[1, 3, H, W]` float32 tensor. */
export function createOcrDetResizeStep(
  params: OcrDetResizeParams,
  env: StepEnvironment,
): StepFunction<OcrImage, Tensor> {
  const limit = params.limit_side_len ?? 960;
  const limitType = params.limit_type ?? 'max';
  const multiple = params.multiple_of ?? 32;
  // A single value stands for all three channels (as for Normalize).
  const three = (values: readonly number[]): readonly number[] => (values.length === 1 ? [values[0]!, values[0]!, values[0]!] : values);
  const mean = three(params.mean ?? [0.485, 0.456, 0.406]);
  const std = three(params.std ?? [0.229, 0.224, 0.225]);
  const order = params.channel_order === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  if (mean.length !== 3 || std.length !== 3 || std.some((s) => s === 0)) {
    throw ocrStepError(env, 'METADATA_INVALID', 'mean and std must have 3 entries (or 1 for all three) and std must be non-zero');
  }
  // Per channel-of-tensor lookup tables: byte value -> normalised float.
  const tables = ocrChannelTables(order, mean, std);
  return async (image, frame) => {
    const longSide = Math.max(image.width, image.height);
    const shortSide = Math.min(image.width, image.height);
    let ratio = 1;
    if (limitType === 'max' && longSide > limit) ratio = limit / longSide;
    if (limitType === 'min' && shortSide < limit) ratio = limit / shortSide;
    const width = Math.max(Math.round((image.width * ratio) / multiple) * multiple, multiple);
    const height = Math.max(Math.round((image.height * ratio) / multiple) * multiple, multiple);
    const resized =
      width === image.width && height === image.height
        ? image.data
        : await (await loadSharp())(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
            .resize(width, height, { fit: 'fill', kernel: 'linear' })
            .raw()
            .toBuffer();
    const plane = width * height;
    const data = new Float32Array(3 * plane);
    normalizeHwcToChw(resized, width, height, tables, data, 0, plane, width);
    frame.slots.set(OCR_SLOTS.detSize, { width, height });
    return { type: 'float32', dims: [1, 3, height, width], data };
  };
}
