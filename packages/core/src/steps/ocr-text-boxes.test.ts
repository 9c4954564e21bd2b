import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createPipelineFrame } from './step-kernel.js';
import { createOcrTextBoxesStep } from './ocr-text-boxes.js';
import { OCR_SLOTS } from './ocr-types.js';
import type { OcrTextBox } from './ocr-types.js';

const env = { modelId: 'paddleocr-v4', step: 'det/postprocessing/0 (OcrTextBoxes)', files: {} };

/** A [1, 1, h, w] probability map with rectangles of the given probability. */
function map(w: number, h: number, rects: { x0: number; y0: number; x1: number; y1: number; p: number }[]) {
  const data = new Float32Array(w * h).fill(0.01);
  for (const r of rects) for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) data[y * w + x] = r.p;
  return { type: 'float32' as const, dims: [1, 1, h, w], data };
}

function frameFor(width: number, height: number) {
  const frame = createPipelineFrame(new AbortController().signal);
  frame.slots.set(OCR_SLOTS.image, { width, height, data: new Uint8Array(width * height * 3) });
  return frame;
}

describe('OcrTextBoxes', () => {
  const step = createOcrTextBoxesStep({ threshold: 0.3, box_threshold: 0.6, unclip_ratio: 1.5 }, env);

  it('finds two regions, unclips them and scales them to source pixels, in reading order', () => {
    // Map 64 x 32 for a 128 x 64 source image: scale 2. The lower region is listed first in memory order of x.
    const probs = map(64, 32, [
      { x0: 4, y0: 20, x1: 30, y1: 26, p: 0.9 },
      { x0: 10, y0: 4, x1: 60, y1: 10, p: 0.95 },
    ]);
    const boxes = step({ 'sigmoid_0.tmp_0': probs }, frameFor(128, 64)) as OcrTextBox[];
    expect(boxes).toHaveLength(2);
    const [top, bottom] = boxes as [OcrTextBox, OcrTextBox];
    expect(top.score).toBeCloseTo(0.95, 2);
    // Region x 10..59, y 4..9 (pixel centres), expanded by area * 1.5 / perimeter (about 3.7 px) then doubled.
    expect(top.box[0][0]).toBeLessThan(20);
    expect(top.box[0][0]).toBeGreaterThan(5);
    expect(top.box[1][0]).toBeGreaterThan(118);
    expect(top.box[2][1]).toBeGreaterThan(18);
    expect(bottom.box[0][1]).toBeGreaterThan(top.box[3][1] - 1);
  });

  it('drops regions scoring under box_threshold and specks under min_area', () => {
    const probs = map(64, 32, [
      { x0: 4, y0: 4, x1: 40, y1: 10, p: 0.45 },
      { x0: 50, y0: 20, x1: 53, y1: 23, p: 0.99 },
    ]);
    expect(step(probs, frameFor(64, 32))).toEqual([]);
  });

  it('names the step when the map has the wrong shape', () => {
    const bad = { type: 'float32' as const, dims: [1, 2, 4, 4], data: new Float32Array(32) };
    try {
      step(bad, frameFor(4, 4));
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.hasCode(error, 'STEP_FAILED')).toBe(true);
      expect((error as Error).message).toContain('det/postprocessing/0 (OcrTextBoxes): expected a [1, 1, H, W] float32 probability map, found float32 [1, 2, 4, 4]');
    }
  });
});
