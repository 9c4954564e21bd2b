import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { readingOrderRows } from './ocr-reading-order.js';
import type { OcrLine, OcrQuad, OcrRecognizedText, OcrResult } from './ocr-types.js';

export interface OcrAssembleLinesParams {
  /** Lines recognised with a lower mean confidence are dropped. Default 0.5. */
  readonly min_confidence?: number;
  /** Boxes whose vertical centres differ by less than this fraction of the smaller box height share a row. Default 0.5. */
  readonly y_tolerance?: number;
  /** Join the boxes of one row into one line (texts joined by a space). Default true. */
  readonly merge_rows?: boolean;
}

/**
 * Orders recognised boxes top-to-bottom, then left-to-right within a row (with a y tolerance), dropping empty and
 * low-confidence lines. Texts without a box (no detection stage) keep their order. The model's output: `{ lines }`.
 */
export function createOcrAssembleLinesStep(
  params: OcrAssembleLinesParams,
  _env: StepEnvironment,
): StepFunction<readonly (OcrRecognizedText & { readonly box?: OcrQuad })[], OcrResult> {
  const minConfidence = params.min_confidence ?? 0.5;
  const tolerance = params.y_tolerance ?? 0.5;
  const merge = params.merge_rows ?? true;
  return (lines) => ({ lines: assemble(lines) });

  function assemble(lines: readonly (OcrRecognizedText & { readonly box?: OcrQuad })[]): OcrLine[] {
    const kept = lines.filter((l) => l.text.trim() !== '' && l.confidence >= minConfidence);
    const boxed = kept.filter((l): l is OcrLine => l.box !== undefined);
    if (boxed.length < kept.length) return kept as OcrLine[];
    const out: OcrLine[] = [];
    for (const row of readingOrderRows(boxed, (l) => l.box, tolerance)) {
      if (!merge || row.length === 1) {
        out.push(...row);
        continue;
      }
      const first = row[0]!.box;
      const last = row[row.length - 1]!.box;
      const chars = row.reduce((n, l) => n + l.text.length, 0);
      out.push({
        text: row.map((l) => l.text.trim()).join(' '),
        confidence: row.reduce((s, l) => s + l.confidence * l.text.length, 0) / chars,
        box: [first[0], last[1], last[2], first[3]],
      });
    }
    return out;
  }
}
