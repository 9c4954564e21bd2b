import { readFile } from 'node:fs/promises';
import type { Tensor, TensorMap } from '@switchyard/spec';
import { decodeCtcGreedy } from './ctc-decode-step.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { OCR_SLOTS, ocrStepError } from './ocr-types.js';
import type { OcrQuad, OcrRecognizedText } from './ocr-types.js';

export interface OcrCtcDecodeParams {
  /** Logical file name of the character list, one per line (index 1 = first line). */
  readonly vocab_file: string;
  readonly blank_index?: number;
  /** PaddleOCR appends a space as the last class (`use_space_char`). Default true. */
  readonly append_space?: boolean;
}

/**
 * Greedy CTC decoding (decodeCtcGreedy) of `[N, T, C]` class probabilities: best class per time step, collapse
 * repeats, drop the blank; the confidence of a line is the mean probability of its emitted characters. Each text
 * carries the box of its crop when OcrRecBatch recorded the batch's boxes in the frame.
 */
export async function createOcrCtcDecodeStep(
  params: OcrCtcDecodeParams,
  env: StepEnvironment,
): Promise<StepFunction<Tensor | TensorMap, (OcrRecognizedText & { box?: OcrQuad })[]>> {
  const path = env.files[params.vocab_file];
  if (!path) throw ocrStepError(env, 'ARTIFACT_NOT_FOUND', `vocab file "${params.vocab_file}" is not among the model files`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw ocrStepError(env, 'ARTIFACT_NOT_FOUND', `cannot read vocab file ${path}`, error);
  }
  const blank = params.blank_index ?? 0;
  const keys = text.replace(/\r/g, '').split('\n');
  if (keys[keys.length - 1] === '') keys.pop();
  if (params.append_space ?? true) keys.push(' ');
  // Class index -> character; the blank takes its own slot.
  const classes: string[] = [];
  for (let i = 0, k = 0; k < keys.length; i++) classes.push(i === blank ? '' : keys[k++]!);
  if (blank >= classes.length) classes.push('');
  return (input, frame) => {
    const t = 'dims' in input && 'data' in input ? (input as Tensor) : Object.values(input)[0];
    if (!t || t.type !== 'float32' || t.dims.length !== 3) {
      throw ocrStepError(env, 'STEP_FAILED', `expected [N, T, C] float32 probabilities, found ${t ? `${t.type} [${t.dims.join(', ')}]` : 'nothing'}`);
    }
    const [batch, steps, numClasses] = t.dims as [number, number, number];
    if (numClasses !== classes.length) {
      throw ocrStepError(
        env,
        'STEP_FAILED',
        `the model has ${numClasses} classes but ${params.vocab_file} gives ${classes.length} (keys + blank${params.append_space ?? true ? ' + space' : ''})`,
      );
    }
    const data = t.data as Float32Array;
    // The boxes of this batch's crops (set by OcrRecBatch) travel with the texts.
    const boxes = frame.slots.get(OCR_SLOTS.batchBoxes) as OcrQuad[] | undefined;
    const withBoxes = boxes?.length === batch;
    // PaddleOCR's recognizer ends in a softmax: the best probability is the confidence as is.
    const lines = decodeCtcGreedy(data, [batch, steps, numClasses], classes, blank, { scores: 'probabilities' });
    return withBoxes ? lines.map((line, n) => ({ ...line, box: boxes[n]! })) : lines;
  };
}
