import type sharp from 'sharp';
import { loadSharp } from './native-modules.js';
import type { Tensor } from '@switchyard/spec';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { normalizeHwcToChw, ocrChannelTables } from './ocr-normalize-chw.js';
import { OCR_SLOTS, ocrStepError } from './ocr-types.js';
import type { OcrLineImage } from './ocr-types.js';

export interface OcrRecBatchParams {
  /** Input height of the recogniser. Default 48. */
  readonly height?: number;
  /** Upper bound of the batch width (or the exact width when `fixed_width`). Default 3200. */
  readonly max_width?: number;
  /** Minimum batch width to height ratio (PaddleOCR's 320/48). Default 320/48. */
  readonly min_aspect?: number;
  /** Every crop is fitted into `max_width` (the direction classifier's 192). Default false. */
  readonly fixed_width?: boolean;
  readonly channel_order?: 'RGB' | 'BGR';
}

/**
 * Builds one `[N, 3, height, W]` batch from line crops: each is scaled to the height keeping its aspect ratio,
 * normalised as (x / 255 - 0.5) / 0.5 and right-padded with zeros to the widest crop of the batch.
 */
export function createOcrRecBatchStep(
  params: OcrRecBatchParams,
  env: StepEnvironment,
): StepFunction<readonly OcrLineImage[], Tensor> {
  const targetHeight = params.height ?? 48;
  const maxWidth = params.max_width ?? 3200;
  const minAspect = params.min_aspect ?? 320 / 48;
  const fixed = params.fixed_width ?? false;
  // (x / 255 - 0.5) / 0.5 per channel, as byte -> float tables.
  const tables = ocrChannelTables(params.channel_order === 'RGB' ? [0, 1, 2] : [2, 1, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
  return async (lines, frame) => {
    if (!Array.isArray(lines) || lines.length === 0) throw ocrStepError(env, 'STEP_FAILED', 'no line crops to batch');
    frame.slots.set(OCR_SLOTS.batchBoxes, lines.map((l) => l.box));
    frame.slots.set(OCR_SLOTS.batchLines, lines);
    const aspects = lines.map((l) => l.image.width / l.image.height);
    const batchWidth = fixed
      ? maxWidth
      : Math.min(maxWidth, Math.ceil(targetHeight * Math.max(minAspect, ...aspects)));
    const plane = targetHeight * batchWidth;
    const data = new Float32Array(lines.length * 3 * plane);
    await Promise.all(
      lines.map(async (line, n) => {
        const width = Math.max(1, Math.min(batchWidth, Math.ceil(targetHeight * aspects[n]!)));
        const resized = await (await loadSharp())(line.image.data, {
          raw: { width: line.image.width, height: line.image.height, channels: 3 },
        })
          .resize(width, targetHeight, { fit: 'fill', kernel: 'linear' })
          .raw()
          .toBuffer();
        normalizeHwcToChw(resized, width, targetHeight, tables, data, n * 3 * plane, plane, batchWidth);
      }),
    );
    return { type: 'float32', dims: [lines.length, 3, targetHeight, batchWidth], data };
  };
}
