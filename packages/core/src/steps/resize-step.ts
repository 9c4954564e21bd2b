import type sharp from 'sharp';
import type { Tensor } from '@switchyard/spec';
import { isTensorValue, resizeTensor, type ImageTensorLayout } from './image-tensor-geometry.js';
import { loadSharp } from './native-modules.js';
import { expectImage } from './image-value.js';
import { stepFailure } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { STEP_SLOTS, type ImageValue } from './step-values.js';

export interface ResizeParams {
  readonly width: number;
  readonly height: number;
  readonly interpolation?: 'Bilinear' | 'Nearest' | 'Bicubic';
  /** Our extension: keep the aspect ratio and pad to width x height (letterbox). */
  readonly keep_aspect?: boolean;
  /** Padding value 0..255 for letterboxing (default 0). */
  readonly pad_value?: number;
  /** Our extension: round width and height to the nearest multiple of this (at least one multiple). */
  readonly multiple_of?: number;
  /** Where the resized image sits in the letterbox (default center; top-left as PaddleOCR/detectors pad). */
  readonly pad_position?: 'center' | 'top-left';
  /** For tensor input: where the channel axis is (default: from the shape, channel-first when ambiguous). */
  readonly layout?: ImageTensorLayout;
}

const KERNELS = { Bilinear: 'linear', Nearest: 'nearest', Bicubic: 'cubic' } as const;

export interface LetterboxTransform {
  readonly scale: number;
  readonly padLeft: number;
  readonly padTop: number;
}

/**
 * Resizes an ImageValue with sharp (exact target size by default; with keep_aspect, scales to fit and pads,
 * storing `{scale, padLeft, padTop}` in `frame.slots` under `letterbox` so boxes can be mapped back).
 */
export function createResizeStep(params: ResizeParams, env: StepEnvironment): StepFunction<ImageValue | Tensor, Promise<ImageValue | Tensor>> {
  for (const [name, v] of [['width', params.width], ['height', params.height], ['multiple_of', params.multiple_of ?? 1]] as const) {
    if (!Number.isInteger(v) || v < 1) throw stepFailure(env, `${name} must be a positive integer`, undefined, { field: name, found: v });
  }
  const multiple = params.multiple_of ?? 1;
  const width = Math.max(multiple, Math.round(params.width / multiple) * multiple);
  const height = Math.max(multiple, Math.round(params.height / multiple) * multiple);
  const interpolation = params.interpolation ?? 'Bilinear';
  const kernel = KERNELS[interpolation];
  if (!kernel) throw stepFailure(env, `unknown interpolation '${String(interpolation)}'`, undefined, { field: 'interpolation', expected: 'Bilinear | Nearest | Bicubic', found: interpolation });
  const pad = params.pad_value ?? 0;

  return async (input, frame) => {
    if (isTensorValue(input)) {
      if (params.keep_aspect) throw stepFailure(env, 'keep_aspect (letterboxing) works on decoded images, not on tensors', undefined, { field: 'keep_aspect', found: true });
      return resizeTensor(input, height, width, interpolation, env, params.layout);
    }
    const image = expectImage(input, env);
    const raw = { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 | 4 } };
    let targetW = width, targetH = height, left = 0, top = 0;
    if (params.keep_aspect) {
      const scale = Math.min(width / image.width, height / image.height);
      targetW = Math.max(1, Math.round(image.width * scale));
      targetH = Math.max(1, Math.round(image.height * scale));
      if (params.pad_position !== 'top-left') { left = Math.floor((width - targetW) / 2); top = Math.floor((height - targetH) / 2); }
      frame.slots.set(STEP_SLOTS.letterbox, { scale, padLeft: left, padTop: top } satisfies LetterboxTransform);
    }
    try {
      let pipeline = (await loadSharp())(image.data, raw).resize(targetW, targetH, { fit: 'fill', kernel });
      if (params.keep_aspect && (targetW !== width || targetH !== height)) {
        pipeline = (await loadSharp())(await pipeline.raw().toBuffer(), { raw: { width: targetW, height: targetH, channels: raw.raw.channels } }).extend({
          left, top, right: width - targetW - left, bottom: height - targetH - top,
          background: { r: pad, g: pad, b: pad, alpha: 1 },
        });
      }
      const out = await pipeline.raw().toBuffer({ resolveWithObject: true });
      return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), width: out.info.width, height: out.info.height, channels: out.info.channels };
    } catch (error) {
      throw stepFailure(env, `resize to ${width}x${height} failed: ${(error as Error).message}`, error);
    }
  };
}
