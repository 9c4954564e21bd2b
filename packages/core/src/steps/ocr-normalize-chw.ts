/** Per tensor channel: the HWC byte it reads (0..2) and the 256-entry byte -> float table that normalises it. */
export interface OcrChannelTable {
  readonly source: number;
  readonly table: Float32Array;
}

/**
 * Writes an interleaved 8-bit RGB image (`width` x `height`) into three float32 planes of `out` in one pass over
 * the pixels: plane c starts at `offset + c * plane`, rows are `rowStride` apart (wider than `width` for a padded
 * batch). The byte tables keep each float exactly what the per-value formula gives. OcrDetResize and OcrRecBatch
 * share it; a top-level function lets V8 optimise the loop apart from the step closures.
 */
export function normalizeHwcToChw(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: readonly [OcrChannelTable, OcrChannelTable, OcrChannelTable],
  out: Float32Array,
  offset: number,
  plane: number,
  rowStride: number,
): void {
  const f0 = channels[0].table, f1 = channels[1].table, f2 = channels[2].table;
  const s0 = channels[0].source, s1 = channels[1].source, s2 = channels[2].source;
  for (let y = 0, p = 0; y < height; y++) {
    const o0 = offset + y * rowStride;
    const o1 = o0 + plane;
    const o2 = o1 + plane;
    for (let x = 0; x < width; x++, p += 3) {
      out[o0 + x] = f0[pixels[p + s0]!]!;
      out[o1 + x] = f1[pixels[p + s1]!]!;
      out[o2 + x] = f2[pixels[p + s2]!]!;
    }
  }
}

/** The three channel tables for (v / 255 - mean[c]) / std[c], channel c read from HWC byte `sources[c]`. */
export function ocrChannelTables(sources: readonly number[], mean: readonly number[], std: readonly number[]): [OcrChannelTable, OcrChannelTable, OcrChannelTable] {
  const make = (c: number): OcrChannelTable => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - mean[c]!) / std[c]!;
    return { source: sources[c]!, table };
  };
  return [make(0), make(1), make(2)];
}
