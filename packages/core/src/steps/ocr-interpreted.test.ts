import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInterpretedPipeline } from '../template-executor/index.js';
import { createOrtTensorRunner, OCR_FILES } from '../../test-assets/ort-tensor-runner.js';
import type { OrtTensorRunner } from '../../test-assets/ort-tensor-runner.js';
import { svgDocument } from '../../test-assets/text-accuracy.js';
import { createPaddleOcrPipeline } from './ocr-pipeline.js';
import type { OcrLine, OcrResult } from './ocr-types.js';

// models/paddleocr-v4/model_metadata.json interpreted step by step (recognition in batches of 6) must read a page
// like the hand-written pipeline: boxes travel with the texts and lines come out in reading order.
const metadata = JSON.parse(readFileSync(new URL('../../../../models/paddleocr-v4/model_metadata.json', import.meta.url), 'utf8')) as unknown;
let runner: OrtTensorRunner;
beforeAll(() => {
  runner = createOrtTensorRunner({ det: OCR_FILES['ch_PP-OCRv4_det_infer.onnx'], rec: OCR_FILES['ch_PP-OCRv4_rec_infer.onnx'] });
});
afterAll(() => runner.close());

describe('paddleocr-v4 metadata through the TemplateExecutor', () => {
  it('reads eight lines (two recognition batches) in reading order, same as the hand pipeline', async () => {
    const truth = Array.from({ length: 8 }, (_, i) => `Line ${i + 1} of the page`);
    const svg = svgDocument(360, 330, truth.map((text, i) => ({ text, x: 20, y: 34 + i * 38, font: 'DejaVu Sans', size: 20 })));
    const image = await sharp(Buffer.from(svg)).png().toBuffer();
    const context = { runner, signal: new AbortController().signal, files: OCR_FILES };
    const interpreted: unknown = await createInterpretedPipeline(metadata).run({ kind: 'image', data: image }, context);
    // The metadata's last step (OcrAssembleLines) yields the line array itself.
    const lines = (Array.isArray(interpreted) ? interpreted : (interpreted as OcrResult).lines) as readonly OcrLine[];
    const hand = await createPaddleOcrPipeline().run(image, context);
    expect(lines.map((l) => l.text)).toEqual(truth);
    expect(lines.map((l) => l.text)).toEqual(hand.lines.map((l) => l.text));
    expect(lines.every((l) => Array.isArray(l.box) && l.box.length === 4)).toBe(true);
  });
});
