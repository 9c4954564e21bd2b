import { describe, expect, it } from 'vitest';
import { createSoftmaxStep } from './softmax-step.js';
import { fusedSoftmaxTopK } from './softmax-top-k-fused.js';
import { testFrame } from './step-test-env.js';
import { createTopKStep } from './top-k-step.js';

const env = { modelId: 'm', step: 'postprocessing/0 (Softmax)', files: {} };

async function kernels(dims: number[], data: Float32Array, dim: number | undefined, k: number, labels?: string[]) {
  const softmax = createSoftmaxStep(dim === undefined ? {} : { dim }, env);
  const topK = createTopKStep({ k, ...(dim === undefined ? {} : { dim }), ...(labels ? { labels } : {}) }, env);
  return topK(await softmax({ type: 'float32', dims, data }, testFrame()), testFrame());
}

/** A deterministic generator: the same cases every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('fusedSoftmaxTopK', () => {
  it('equals Softmax then TopK on random rows, ties, -Infinity, large logits, labels and k beyond the row', async () => {
    const next = random(7);
    const cases: { dims: number[]; data: number[]; dim?: number; k: number; labels?: string[] }[] = [
      { dims: [1, 10], data: Array.from({ length: 10 }, () => next() * 20 - 10), dim: 1, k: 3 },
      { dims: [2, 10], data: Array.from({ length: 20 }, () => next() * 20 - 10), dim: 1, k: 3 },
      { dims: [4, 7], data: Array.from({ length: 28 }, () => Math.round(next() * 4)), dim: -1, k: 5 },
      { dims: [2, 3], data: [1, 1, 1, -Infinity, 2, -Infinity], k: 3 },
      { dims: [3], data: [1e30, 1e30 - 1, -1e30], dim: 0, k: 9 },
      { dims: [1, 4], data: [0.1, 0.4, 0.2, 0.3], dim: 1, k: 2, labels: ['a', 'b', 'c'] },
      { dims: [2, 1, 5], data: Array.from({ length: 10 }, () => next() * 1e-6), k: 4 },
      { dims: [0, 5], data: [], k: 2 },
    ];
    for (let i = 0; i < 200; i++) {
      const size = 1 + Math.floor(next() * 12);
      const rows = 1 + Math.floor(next() * 3);
      // Few distinct values: many exact ties after the float32 rounding of the softmax.
      cases.push({ dims: [rows, size], data: Array.from({ length: rows * size }, () => Math.floor(next() * 3) * (next() < 0.5 ? 1 : 30)), k: 1 + Math.floor(next() * 6) });
    }
    for (const { dims, data, dim, k, labels } of cases) {
      const x = Float32Array.from(data);
      const fused = fusedSoftmaxTopK({ dims, data: x }, dim, dim, k, labels);
      expect(fused, JSON.stringify({ dims, data, dim, k })).toEqual(await kernels(dims, x, dim, k, labels));
    }
  });

  it('takes a Softmax dim and a TopK dim that both name the last axis (1 and the default for a [1, C] tensor)', async () => {
    const x = Float32Array.from([0.3, 2, -1, 0.5]);
    const topK = createTopKStep({ k: 2 }, env);
    const expected = await topK(await createSoftmaxStep({ dim: 1 }, env)({ type: 'float32', dims: [1, 4], data: x }, testFrame()), testFrame());
    expect(fusedSoftmaxTopK({ dims: [1, 4], data: x }, 1, undefined, 2)).toEqual(expected);
    expect(fusedSoftmaxTopK({ dims: [1, 4], data: x }, -1, 1, 2)).toEqual(expected);
  });

  it('leaves to the kernels what it does not cover: another axis, a NaN or infinite maximum, a scalar', () => {
    expect(fusedSoftmaxTopK({ dims: [2, 3], data: new Float32Array(6) }, 0, 0, 1)).toBeUndefined();
    expect(fusedSoftmaxTopK({ dims: [2, 3], data: new Float32Array(6) }, 1, 0, 1)).toBeUndefined();
    expect(fusedSoftmaxTopK({ dims: [2, 3, 4], data: new Float32Array(24) }, 1, undefined, 1)).toBeUndefined();
    expect(fusedSoftmaxTopK({ dims: [1, 3], data: Float32Array.from([1, NaN, 2]) }, 1, 1, 1)).toBeUndefined();
    expect(fusedSoftmaxTopK({ dims: [1, 2], data: Float32Array.from([Infinity, 2]) }, 1, 1, 1)).toBeUndefined();
    expect(fusedSoftmaxTopK({ dims: [1, 2], data: Float32Array.from([-Infinity, -Infinity]) }, 1, 1, 1)).toBeUndefined();
    expect(fusedSoftmaxTopK({ dims: [], data: Float32Array.from([1]) }, undefined, undefined, 1)).toBeUndefined();
    expect(fusedSoftmaxTopK({ dims: [1, 2], data: Float32Array.from([1, 2]) }, 5, 5, 1)).toBeUndefined();
  });
});
