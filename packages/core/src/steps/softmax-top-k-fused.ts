import type { ScoredIndex } from './step-values.js';

/**
 * Softmax followed by TopK over the same axis, in one pass per row: what a generated pipeline runs when its metadata
 * chains the two steps (codegen fuses them; the interpreter runs the two kernels). It gives the same scores, order
 * (best first, ties to the lower index) and shape as the Softmax kernel then the TopK kernel, for a float32 tensor
 * ranked over its last axis (both steps' `dim` naming it) whose rows have a finite maximum. For anything else it returns undefined and the caller
 * runs the two kernels, so every other input, and every error, is theirs.
 */
export function fusedSoftmaxTopK(
  tensor: { readonly dims: readonly number[]; readonly data: Float32Array },
  softmaxDim: number | undefined,
  topKDim: number | undefined,
  k: number,
  labels?: readonly string[],
): ScoredIndex[][] | undefined {
  const { dims, data: x } = tensor;
  const rank = dims.length;
  const last = (dim: number | undefined): boolean => rank > 0 && (dim === undefined || dim === rank - 1 || dim === -1);
  if (!last(softmaxDim) || !last(topKDim)) return undefined;
  const size = dims[rank - 1]!;
  if (!(size > 0) || x.length % size !== 0) return undefined;
  const take = Math.min(k, size);
  // The Softmax kernel stores each exp as float32 before dividing by the sum of the unrounded exps.
  const exps = new Float32Array(size);
  const best = new Array<number>(take);
  const bestScore = new Array<number>(take);
  const results: ScoredIndex[][] = [];
  for (let base = 0; base < x.length; base += size) {
    let max = -Infinity;
    for (let c = 0; c < size; c++) max = Math.max(max, x[base + c]!);
    if (!Number.isFinite(max)) return undefined;
    let sum = 0;
    for (let c = 0; c < size; c++) {
      const e = Math.exp(x[base + c]! - max);
      exps[c] = e;
      sum += e;
    }
    // Insertion into the best `take`: a later index replaces only a strictly lower score (ties keep the lower index).
    let filled = 0;
    for (let c = 0; c < size; c++) {
      const score = Math.fround(exps[c]! / sum);
      if (filled === take && score <= bestScore[take - 1]!) continue;
      let at = filled < take ? filled++ : take - 1;
      while (at > 0 && bestScore[at - 1]! < score) {
        best[at] = best[at - 1]!;
        bestScore[at] = bestScore[at - 1]!;
        at--;
      }
      best[at] = c;
      bestScore[at] = score;
    }
    const row: ScoredIndex[] = new Array(take);
    for (let i = 0; i < take; i++) {
      const index = best[i]!;
      const label = labels?.[index];
      row[i] = label === undefined ? { index, score: bestScore[i]! } : { index, score: bestScore[i]!, label };
    }
    results.push(row);
  }
  return results;
}
