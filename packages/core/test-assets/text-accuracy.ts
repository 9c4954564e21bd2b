// Test helper: character accuracy of recognised text against the truth, via Levenshtein distance.

export function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** 1 - edit distance / truth length, clamped at 0. */
export function characterAccuracy(recognised: string, truth: string): number {
  if (truth.length === 0) return recognised.length === 0 ? 1 : 0;
  return Math.max(0, 1 - levenshtein(recognised, truth) / truth.length);
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
