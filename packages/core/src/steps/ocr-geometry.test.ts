import { describe, expect, it } from 'vitest';
import { convexHull, homography, insideConvex, minAreaRect, orderQuad, polygonArea } from './ocr-geometry.js';
import type { OcrPoint } from './ocr-types.js';

describe('OCR geometry', () => {
  it('convexHull drops interior and collinear points', () => {
    const hull = convexHull([[0, 0], [2, 0], [4, 0], [4, 3], [0, 3], [2, 1], [1, 2]]);
    expect(hull).toHaveLength(4);
    expect(polygonArea(hull)).toBe(12);
  });

  it('minAreaRect recovers a rotated rectangle (30 degrees, 40 x 10)', () => {
    const angle = Math.PI / 6;
    const points: OcrPoint[] = [];
    for (let u = 0; u <= 40; u += 2) {
      for (let v = 0; v <= 10; v += 2) {
        points.push([100 + u * Math.cos(angle) - v * Math.sin(angle), 50 + u * Math.sin(angle) + v * Math.cos(angle)]);
      }
    }
    const rect = minAreaRect(points);
    expect(Math.max(rect.width, rect.height)).toBeCloseTo(40, 6);
    expect(Math.min(rect.width, rect.height)).toBeCloseTo(10, 6);
  });

  it('orderQuad returns top-left, top-right, bottom-right, bottom-left', () => {
    expect(orderQuad([[10, 20], [0, 0], [10, 0], [0, 20]])).toEqual([[0, 0], [10, 0], [10, 20], [0, 20]]);
  });

  it('homography maps the four corners exactly', () => {
    const from: OcrPoint[] = [[0, 0], [100, 0], [100, 30], [0, 30]];
    const to: OcrPoint[] = [[12, 40], [108, 22], [113, 51], [15, 70]];
    const h = homography(from, to);
    for (let i = 0; i < 4; i++) {
      const [x, y] = from[i]!;
      const w = h[6]! * x + h[7]! * y + h[8]!;
      expect((h[0]! * x + h[1]! * y + h[2]!) / w).toBeCloseTo(to[i]![0], 6);
      expect((h[3]! * x + h[4]! * y + h[5]!) / w).toBeCloseTo(to[i]![1], 6);
    }
    expect(() => homography(from, [[0, 0], [0, 0], [0, 0], [0, 0]])).toThrow('degenerate');
  });

  it('insideConvex works for either winding', () => {
    const square: OcrPoint[] = [[0, 0], [4, 0], [4, 4], [0, 4]];
    expect(insideConvex(square, 2, 2)).toBe(true);
    expect(insideConvex([...square].reverse(), 2, 2)).toBe(true);
    expect(insideConvex(square, 5, 2)).toBe(false);
  });
});
