// Test helper: character accuracy of recognised text against the truth, via Levenshtein distance.
import { editDistance } from '../src/orchestrator/model-names.js';

/** 1 - edit distance / truth length, clamped at 0. */
export function characterAccuracy(recognised: string, truth: string): number {
  if (truth.length === 0) return recognised.length === 0 ? 1 : 0;
  return Math.max(0, 1 - editDistance(recognised, truth) / truth.length);
}

/** Renders SVG text lines to PNG bytes (white background, black text). */
export interface SvgLine {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly font: string;
  readonly size: number;
  readonly rotate?: number;
}

export function svgDocument(width: number, height: number, lines: readonly SvgLine[]): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = lines
    .map(
      (l) =>
        `<text x="${l.x}" y="${l.y}" font-family="${l.font}" font-size="${l.size}" fill="#111"${
          l.rotate ? ` transform="rotate(${l.rotate} ${l.x} ${l.y})"` : ''
        }>${escape(l.text)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
}
