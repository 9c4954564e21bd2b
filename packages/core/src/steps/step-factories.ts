import type { StepFactory } from './step-kernel.js';
import { createOcrAssembleLinesStep } from './ocr-assemble-lines.js';
import { createOcrCropRotateStep } from './ocr-crop-rotate.js';
import { createOcrCtcDecodeStep } from './ocr-ctc-decode.js';
import { createOcrDetResizeStep } from './ocr-det-resize.js';
import { createOcrDirectionFixStep } from './ocr-direction-fix.js';
import { createOcrImageDecodeStep } from './ocr-image-decode.js';
import { createOcrRecBatchStep } from './ocr-rec-batch.js';
import { createOcrTextBoxesStep } from './ocr-text-boxes.js';
import { createVadSegmenterStep } from './vad-segmenter.js';
import { createVadWavDecodeStep } from './vad-wav-decode.js';

/**
 * Every step tag -> its factory. The TemplateExecutor dispatches through this table; generated pipelines import
 * `create${Tag}Step` directly. Keep keys sorted.
 */
export const STEP_FACTORIES: Readonly<Record<string, StepFactory>> = {
  OcrAssembleLines: createOcrAssembleLinesStep,
  OcrCropRotate: createOcrCropRotateStep,
  OcrCtcDecode: createOcrCtcDecodeStep,
  OcrDetResize: createOcrDetResizeStep,
  OcrDirectionFix: createOcrDirectionFixStep,
  OcrImageDecode: createOcrImageDecodeStep,
  OcrRecBatch: createOcrRecBatchStep,
  OcrTextBoxes: createOcrTextBoxesStep,
  VadSegmenter: createVadSegmenterStep,
  VadWavDecode: createVadWavDecodeStep,
};
