import type { OcrPoint } from './ocr-types.js';

interface Placed<T> {
  readonly item: T;
  readonly cy: number;
  readonly height: number;
  readonly minX: number;
}

/**
 * Groups boxes into rows (vertical centres closer than `tolerance` x the smaller box height), rows top to bottom,
 * boxes left to right within a row.
 */
export function readingOrderRows<T>(items: readonly T[], boxOf: (item: T) => readonly OcrPoint[], tolerance: number): T[][] {
  const placed: Placed<T>[] = items
    .map((item) => {
      const box = boxOf(item);
      const ys = box.map((p) => p[1]);
      const minY = Math.min(...ys);
      const maxY = Math.max(...ys);
      return { item, cy: (minY + maxY) / 2, height: Math.max(1, maxY - minY), minX: Math.min(...box.map((p) => p[0])) };
    })
    .sort((a, b) => a.cy - b.cy);
  const rows: Placed<T>[][] = [];
  for (const entry of placed) {
    const row = rows.find((r) => r.some((o) => Math.abs(o.cy - entry.cy) < tolerance * Math.min(o.height, entry.height)));
    if (row) row.push(entry);
    else rows.push([entry]);
  }
  rows.sort((a, b) => Math.min(...a.map((i) => i.cy)) - Math.min(...b.map((i) => i.cy)));
  return rows.map((row) => row.sort((a, b) => a.minX - b.minX).map((p) => p.item));
}
