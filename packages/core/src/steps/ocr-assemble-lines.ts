import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { OcrLine, OcrPoint, OcrQuad } from './ocr-types.js';

export interface OcrAssembleLinesParams {
  /** Lines recognised with a lower mean confidence are dropped. Default 0.5. */
  readonly min_confidence?: number;
  /** Boxes whose vertical centres differ by less than this fraction of the smaller box height share a row. Default 0.5. */
  readonly y_tolerance?: number;
  /** Join the boxes of one row into one line (texts joined by a space). Default true. */
  readonly merge_rows?: boolean;
}

/** Orders recognised boxes top-to-bottom, then left-to-right within a row (with a y tolerance). */
export function createOcrAssembleLinesStep(
  params: OcrAssembleLinesParams,
  _env: StepEnvironment,
): StepFunction<readonly OcrLine[], OcrLine[]> {
  const minConfidence = params.min_confidence ?? 0.5;
  const tolerance = params.y_tolerance ?? 0.5;
  const merge = params.merge_rows ?? true;
  return (lines) => {
    const kept = lines
      .filter((l) => l.text.trim() !== '' && l.confidence >= minConfidence)
      .map((line) => ({ line, ...extent(line.box) }))
      .sort((a, b) => a.cy - b.cy);
    const rows: (typeof kept)[] = [];
    for (const item of kept) {
      const row = rows.find((r) =>
        r.some((o) => Math.abs(o.cy - item.cy) < tolerance * Math.min(o.height, item.height)),
      );
      if (row) row.push(item);
      else rows.push([item]);
    }
    rows.sort((a, b) => Math.min(...a.map((i) => i.cy)) - Math.min(...b.map((i) => i.cy)));
    const out: OcrLine[] = [];
    for (const row of rows) {
      row.sort((a, b) => a.minX - b.minX);
      if (!merge || row.length === 1) {
        for (const item of row) out.push(item.line);
        continue;
      }
      const first = row[0]!.line.box;
      const last = row[row.length - 1]!.line.box;
      const box: OcrQuad = [first[0], last[1], last[2], first[3]];
      const chars = row.reduce((n, i) => n + i.line.text.length, 0);
      out.push({
        text: row.map((i) => i.line.text.trim()).join(' '),
        confidence: row.reduce((s, i) => s + i.line.confidence * i.line.text.length, 0) / chars,
        box,
      });
    }
    return out;
  };
}

function extent(box: readonly OcrPoint[]): { cy: number; height: number; minX: number } {
  const ys = box.map((p) => p[1]);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
  return { cy: (minY + maxY) / 2, height: Math.max(1, maxY - minY), minX: Math.min(...box.map((p) => p[0])) };
}
