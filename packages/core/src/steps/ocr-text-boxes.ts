import { createRequire } from 'node:module';
import type { Tensor, TensorMap } from '@switchyard/spec';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { minAreaRect, insideConvex, orderQuad, polygonArea, polygonPerimeter } from './ocr-geometry.js';
import { readingOrderRows } from './ocr-reading-order.js';
import { OCR_SLOTS, ocrStepError } from './ocr-types.js';
import type { OcrImage, OcrPoint, OcrQuad, OcrTextBox } from './ocr-types.js';

interface IntPoint { X: number; Y: number }
interface ClipperOffset {
  AddPath(path: IntPoint[], joinType: number, endType: number): void;
  Execute(solution: IntPoint[][], delta: number): void;
}
interface ClipperLib {
  ClipperOffset: new () => ClipperOffset;
  JoinType: { jtRound: number };
  EndType: { etClosedPolygon: number };
}
const clipper = createRequire(import.meta.url)('js-clipper') as ClipperLib;

export interface OcrTextBoxesParams {
  /** Pixel threshold on the probability map. Default 0.3. */
  readonly threshold?: number;
  /** Minimum mean probability inside a box. Default 0.6. */
  readonly box_threshold?: number;
  /** Polygon expansion: offset distance = area * ratio / perimeter. Default 1.5. */
  readonly unclip_ratio?: number;
  /** Minimum short side of a box, in probability-map pixels. Default 3. */
  readonly min_size?: number;
  /** Minimum connected-component area, in probability-map pixels. Default 16. */
  readonly min_area?: number;
  readonly max_candidates?: number;
}

/**
 * DB post-processing: binarise the probability map, take each connected region, fit a minimum-area rotated
 * rectangle, score it on the map, expand it (unclip) and map it back to original-image pixels. Boxes come out in
 * reading order.
 */
export function createOcrTextBoxesStep(
  params: OcrTextBoxesParams,
  env: StepEnvironment,
): StepFunction<Tensor | TensorMap, OcrTextBox[]> {
  const threshold = params.threshold ?? 0.3;
  const boxThreshold = params.box_threshold ?? 0.6;
  const unclipRatio = params.unclip_ratio ?? 1.5;
  const minSize = params.min_size ?? 3;
  const minArea = params.min_area ?? 16;
  const maxCandidates = params.max_candidates ?? 1000;
  return (input, frame) => {
    const map = pickTensor(input);
    if (!map || map.type !== 'float32' || map.dims.length !== 4 || map.dims[0] !== 1 || map.dims[1] !== 1) {
      throw ocrStepError(env, 'STEP_FAILED', `expected a [1, 1, H, W] float32 probability map, found ${describeTensor(map)}`);
    }
    const height = map.dims[2]!;
    const width = map.dims[3]!;
    const prob = map.data as Float32Array;
    const image = frame.slots.get(OCR_SLOTS.image) as OcrImage | undefined;
    if (!image) throw ocrStepError(env, 'STEP_FAILED', 'the decoded image is missing (run OcrImageDecode first)');
    const scaleX = image.width / width;
    const scaleY = image.height / height;

    const boxes: OcrTextBox[] = [];
    const regions = connectedRegions(prob, width, height, threshold, minArea).slice(0, maxCandidates);
    for (const region of regions) {
      const rect = minAreaRect(region);
      if (Math.min(rect.width, rect.height) < minSize) continue;
      const score = meanInside(prob, width, height, rect.corners);
      if (score < boxThreshold) continue;
      const expanded = unclip(rect.corners, unclipRatio);
      if (expanded.length < 3) continue;
      const grown = minAreaRect(expanded);
      if (Math.min(grown.width, grown.height) < minSize + 2) continue;
      const corners = orderQuad(grown.corners).map(
        ([x, y]): OcrPoint => [
          clamp(Math.round(x * scaleX), 0, image.width),
          clamp(Math.round(y * scaleY), 0, image.height),
        ],
      );
      const quad = corners as unknown as OcrQuad;
      if (Math.hypot(quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]) <= 3) continue;
      if (Math.hypot(quad[3][0] - quad[0][0], quad[3][1] - quad[0][1]) <= 3) continue;
      boxes.push({ box: quad, score });
    }
    // Reading order here already, so batched recognition downstream sees lines in document order.
    return readingOrderRows(boxes, (b) => b.box, 0.5).flat();
  };
}

function pickTensor(input: Tensor | TensorMap): Tensor | undefined {
  if (input && typeof input === 'object' && 'dims' in input && 'data' in input) return input as Tensor;
  const values = Object.values(input ?? {});
  return values[0];
}

function describeTensor(t: Tensor | undefined): string {
  return t ? `${t.type} [${t.dims.join(', ')}]` : 'nothing';
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * 8-connected regions of pixels above the threshold. Each region is returned as the centres of its boundary
 * pixels (enough for a convex hull; interior pixels cannot be hull vertices).
 */
function connectedRegions(prob: Float32Array, width: number, height: number, threshold: number, minArea: number): OcrPoint[][] {
  const labels = new Int32Array(width * height);
  const regions: OcrPoint[][] = [];
  const stack: number[] = [];
  let next = 0;
  const on = (i: number): boolean => prob[i]! > threshold;
  for (let start = 0; start < prob.length; start++) {
    if (labels[start] !== 0 || !on(start)) continue;
    next++;
    labels[start] = next;
    stack.push(start);
    const boundary: OcrPoint[] = [];
    let area = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      area++;
      const x = i % width;
      const y = (i - x) / width;
      let edge = x === 0 || y === 0 || x === width - 1 || y === height - 1;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (!on(j)) {
            if (dx === 0 || dy === 0) edge = true;
            continue;
          }
          if (labels[j] === 0) {
            labels[j] = next;
            stack.push(j);
          }
        }
      }
      if (edge) boundary.push([x, y]);
    }
    if (area >= minArea) regions.push(boundary);
  }
  return regions;
}

/** Mean probability of the map pixels inside a (convex) polygon. */
function meanInside(prob: Float32Array, width: number, height: number, polygon: readonly OcrPoint[]): number {
  const xs = polygon.map((p) => p[0]);
  const ys = polygon.map((p) => p[1]);
  const x0 = clamp(Math.floor(Math.min(...xs)), 0, width - 1);
  const x1 = clamp(Math.ceil(Math.max(...xs)), 0, width - 1);
  const y0 = clamp(Math.floor(Math.min(...ys)), 0, height - 1);
  const y1 = clamp(Math.ceil(Math.max(...ys)), 0, height - 1);
  let sum = 0;
  let count = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insideConvex(polygon, x, y)) continue;
      sum += prob[y * width + x]!;
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}

/** Expands a polygon outward by area * ratio / perimeter (round joins), as the DB paper's "unclip". */
function unclip(polygon: readonly OcrPoint[], ratio: number): OcrPoint[] {
  const perimeter = polygonPerimeter(polygon);
  if (perimeter === 0) return [];
  const distance = (polygonArea(polygon) * ratio) / perimeter;
  const offset = new clipper.ClipperOffset();
  offset.AddPath(
    polygon.map(([x, y]) => ({ X: Math.round(x), Y: Math.round(y) })),
    clipper.JoinType.jtRound,
    clipper.EndType.etClosedPolygon,
  );
  const solution: IntPoint[][] = [];
  offset.Execute(solution, distance);
  const largest = solution.sort((a, b) => b.length - a.length)[0] ?? [];
  return largest.map((p): OcrPoint => [p.X, p.Y]);
}
