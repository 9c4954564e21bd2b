import type { Tensor, TensorMap } from '@switchyard/spec';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { rotate180 } from './ocr-crop-rotate.js';
import { OCR_SLOTS, ocrStepError } from './ocr-types.js';
import type { OcrLineImage } from './ocr-types.js';

export interface OcrDirectionFixParams {
  /** Turn a crop when the classifier says "180 degrees" with at least this probability. Default 0.9. */
  readonly threshold?: number;
}

/**
 * Applies the direction classifier's `[N, 2]` (0 deg, 180 deg) probabilities to the crops of the batch OcrRecBatch
 * built, and returns those crops.
 */
export function createOcrDirectionFixStep(
  params: OcrDirectionFixParams,
  env: StepEnvironment,
): StepFunction<Tensor | TensorMap, OcrLineImage[]> {
  const threshold = params.threshold ?? 0.9;
  return (input, frame) => {
    const t = 'dims' in input && 'data' in input ? (input as Tensor) : Object.values(input)[0];
    const lines = frame.slots.get(OCR_SLOTS.batchLines) as readonly OcrLineImage[] | undefined;
    if (!lines) throw ocrStepError(env, 'STEP_FAILED', 'the line crops are missing (run OcrRecBatch first)');
    if (!t || t.dims.length !== 2 || t.dims[0] !== lines.length || t.dims[1] !== 2) {
      throw ocrStepError(env, 'STEP_FAILED', `expected [${lines.length}, 2] probabilities, found ${t ? `[${t.dims.join(', ')}]` : 'nothing'}`);
    }
    const p = t.data as Float32Array;
    return lines.map((line, n) => (p[n * 2 + 1]! > p[n * 2]! && p[n * 2 + 1]! >= threshold ? { ...line, image: rotate180(line.image) } : line));
  };
}
