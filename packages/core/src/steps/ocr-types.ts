import { SwitchyardError } from '@switchyard/spec';
import type { ErrorCode } from '@switchyard/spec';
import type { StepEnvironment } from './step-kernel.js';

/** A decoded image: 8-bit interleaved RGB, row-major. */
export interface OcrImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A point `[x, y]` in original-image pixels. */
export type OcrPoint = readonly [number, number];

/** A text box: four corners clockwise from top-left, in original-image pixels. */
export type OcrQuad = readonly [OcrPoint, OcrPoint, OcrPoint, OcrPoint];

export interface OcrTextBox {
  readonly box: OcrQuad;
  /** Mean detection probability inside the box. */
  readonly score: number;
}

export interface OcrLineImage {
  readonly box: OcrQuad;
  image: OcrImage;
}

export interface OcrRecognizedText {
  readonly text: string;
  /** Mean probability of the emitted characters (0 for an empty line). */
  readonly confidence: number;
}

/** One line of the OCR output. */
export interface OcrLine extends OcrRecognizedText {
  readonly box: OcrQuad;
}

export interface OcrResult {
  readonly lines: readonly OcrLine[];
}

/** Keys of `frame.slots` the OCR steps share. */
export const OCR_SLOTS = {
  /** The decoded source image (OcrImage). */
  image: 'ocr.image',
  /** `{ width, height }` of the detection input tensor. */
  detSize: 'ocr.det.size',
  /** Boxes of the crops in the current recognition batch (OcrCtcDecode attaches them to its texts). */
  batchBoxes: 'ocr.batch.boxes',
  /** The crops of the current batch (OcrDirectionFix turns them). */
  batchLines: 'ocr.batch.lines',
} as const;

export function ocrStepError(env: StepEnvironment, code: ErrorCode, message: string, cause?: unknown): SwitchyardError {
  return new SwitchyardError({
    code,
    message: `${env.modelId}: ${env.step}: ${message}`,
    details: { model: env.modelId, step: env.step },
    ...(cause === undefined ? {} : { cause }),
  });
}
