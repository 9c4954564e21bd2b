import type { ModelPipeline, PipelineContext } from '@switchyard/spec';
import { throwIfAborted } from '@switchyard/spec';
import { createOcrAssembleLinesStep } from './ocr-assemble-lines.js';
import { createOcrCropRotateStep } from './ocr-crop-rotate.js';
import { createOcrCtcDecodeStep } from './ocr-ctc-decode.js';
import { createOcrDetResizeStep } from './ocr-det-resize.js';
import { createOcrDirectionFixStep } from './ocr-direction-fix.js';
import { createOcrImageDecodeStep } from './ocr-image-decode.js';
import { createOcrRecBatchStep } from './ocr-rec-batch.js';
import { createOcrTextBoxesStep } from './ocr-text-boxes.js';
import { createPipelineFrame } from './step-kernel.js';
import type { StepEnvironment } from './step-kernel.js';
import type { OcrLine, OcrLineImage, OcrResult } from './ocr-types.js';

export interface PaddleOcrPipelineOptions {
  /** Run the 0/180 degree direction classifier on each crop (the `cls` stage). Default false. */
  readonly useDirectionClassifier?: boolean;
  /** Line crops per recognition call. Default 6 (PaddleOCR's rec_batch_num). */
  readonly recBatchSize?: number;
}

const MODEL_ID = 'paddleocr-v4';

/**
 * The paddleocr-v4 pipeline (models/paddleocr-v4/model_metadata.json) as straight-line step calls:
 * det stage -> text boxes -> crops -> optional cls stage -> rec stage in batches -> CTC -> lines in reading order.
 */
/** Image bytes, or the Executor's `{ kind: 'image', data }` engine input. */
export type PaddleOcrInput = Uint8Array | { readonly kind: 'image'; readonly data: Uint8Array };

export function createPaddleOcrPipeline(options: PaddleOcrPipelineOptions = {}): ModelPipeline<PaddleOcrInput, OcrResult> {
  const batchSize = options.recBatchSize ?? 6;
  const env = (step: string, files: Readonly<Record<string, string>> = {}): StepEnvironment => ({ modelId: MODEL_ID, step, files });
  const decode = createOcrImageDecodeStep({}, env('det/preprocessing/0 (OcrImageDecode)'));
  const detResize = createOcrDetResizeStep(
    { limit_side_len: 960, limit_type: 'max', multiple_of: 32, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channel_order: 'BGR' },
    env('det/preprocessing/1 (OcrDetResize)'),
  );
  // unclip 2.2 rather than PaddleOCR's 1.5: the wider margin keeps inter-word spaces on rendered Latin text.
  const textBoxes = createOcrTextBoxesStep(
    { threshold: 0.3, box_threshold: 0.6, unclip_ratio: 2.2, min_size: 3, min_area: 16, max_candidates: 1000 },
    env('det/postprocessing/0 (OcrTextBoxes)'),
  );
  const cropRotate = createOcrCropRotateStep({ rotate_if_tall_ratio: 1.5 }, env('det/postprocessing/1 (OcrCropRotate)'));
  const clsBatch = createOcrRecBatchStep(
    { height: 48, max_width: 192, fixed_width: true, channel_order: 'BGR' },
    env('cls/preprocessing/0 (OcrRecBatch)'),
  );
  const directionFix = createOcrDirectionFixStep({ threshold: 0.9 }, env('cls/postprocessing/0 (OcrDirectionFix)'));
  const recBatch = createOcrRecBatchStep(
    { height: 48, max_width: 3200, fixed_width: false, channel_order: 'BGR' },
    env('rec/preprocessing/0 (OcrRecBatch)'),
  );
  const assemble = createOcrAssembleLinesStep(
    { min_confidence: 0.5, y_tolerance: 0.5 },
    env('rec/postprocessing/1 (OcrAssembleLines)'),
  );
  // The CTC step reads the key file, so it is created on first run and memoised per files map.
  const ctcByFiles = new WeakMap<object, ReturnType<typeof createOcrCtcDecodeStep>>();
  const ctcFor = (files: Readonly<Record<string, string>>) => {
    let step = ctcByFiles.get(files);
    if (!step) {
      step = createOcrCtcDecodeStep(
        { vocab_file: 'ppocr_keys_v1.txt', blank_index: 0, append_space: true },
        env('rec/postprocessing/0 (OcrCtcDecode)', files),
      );
      step.catch(() => ctcByFiles.delete(files));
      ctcByFiles.set(files, step);
    }
    return step;
  };

  return {
    modelId: MODEL_ID,
    async run(input: PaddleOcrInput, context: PipelineContext): Promise<OcrResult> {
      const { runner, signal } = context;
      const frame = createPipelineFrame(signal);
      const ctc = await ctcFor(context.files);
      const image = await decode(input, frame);
      const detInput = await detResize(image, frame);
      throwIfAborted(signal, 'OCR detection');
      const probMap = await runner.run('det', { x: detInput }, signal);
      const boxes = textBoxes(probMap, frame) as Awaited<ReturnType<typeof textBoxes>>;
      let crops = (await cropRotate(boxes, frame)) as OcrLineImage[];
      if (crops.length === 0) return { lines: [] };
      if (options.useDirectionClassifier) {
        for (let start = 0; start < crops.length; start += batchSize) {
          throwIfAborted(signal, 'OCR direction classification');
          const part = crops.slice(start, start + batchSize);
          const probs = await runner.run('cls', { x: await clsBatch(part, frame) }, signal);
          const partFrame = { slots: new Map(frame.slots).set('ocr.lines', part), signal };
          await directionFix(probs, partFrame);
        }
        crops = [...crops];
      }
      // Batches of similar aspect ratio waste less padding (PaddleOCR sorts the same way).
      const order = crops.map((_, i) => i).sort((a, b) => aspect(crops[a]!) - aspect(crops[b]!));
      const recognised: OcrLine[] = new Array(crops.length);
      for (let start = 0; start < order.length; start += batchSize) {
        throwIfAborted(signal, 'OCR recognition');
        const indices = order.slice(start, start + batchSize);
        const part = indices.map((i) => crops[i]!);
        const probs = await runner.run('rec', { x: await recBatch(part, frame) }, signal);
        const texts = await ctc(probs, frame);
        indices.forEach((i, k) => {
          recognised[i] = { ...texts[k]!, box: crops[i]!.box };
        });
      }
      return { lines: await assemble(recognised, frame) };
    },
  };
}

function aspect(line: OcrLineImage): number {
  return line.image.width / line.image.height;
}
