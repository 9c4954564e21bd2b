import { describe, expect, it } from 'vitest';
import { applyRepetitionPenalty, argmax, createRandom, TokenSampler } from './onnx-sampling.js';

const logits = () => Float32Array.of(1, 3, 2, 0.5);
const counts = (sampler: TokenSampler, n: number) => {
  const seen = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) seen[sampler.next(logits(), [])]! += 1;
  return seen;
};

describe('TokenSampler', () => {
  it('is greedy without a temperature and skips suppressed tokens', () => {
    expect(new TokenSampler({}, createRandom(1)).next(logits(), [])).toBe(1);
    expect(new TokenSampler({ suppress: new Set([1]) }, createRandom(1)).next(logits(), [])).toBe(2);
  });

  it('samples from the softmax with temperature, within top-k and top-p', () => {
    const all = counts(new TokenSampler({ temperature: 1 }, createRandom(3)), 4000);
    // softmax(1, 3, 2, 0.5) = 0.086, 0.636, 0.234, 0.052
    expect(all[1]! / 4000).toBeCloseTo(0.636, 1);
    expect(all[2]! / 4000).toBeCloseTo(0.234, 1);
    expect(all.every((c) => c > 0)).toBe(true);
    const topK = counts(new TokenSampler({ temperature: 1, topK: 2 }, createRandom(3)), 2000);
    expect(topK[0]).toBe(0);
    expect(topK[3]).toBe(0);
    // top-p 0.8: 0.636 + 0.234 crosses 0.8 at the second token, so only tokens 1 and 2 remain
    const topP = counts(new TokenSampler({ temperature: 1, topP: 0.8 }, createRandom(3)), 2000);
    expect(topP[0]! + topP[3]!).toBe(0);
    expect(topP[1]! > 0 && topP[2]! > 0).toBe(true);
  });

  it('reproduces a sequence from the same seed', () => {
    const a = new TokenSampler({ temperature: 1.5 }, createRandom(99));
    const b = new TokenSampler({ temperature: 1.5 }, createRandom(99));
    const seqA = Array.from({ length: 20 }, () => a.next(logits(), []));
    expect(Array.from({ length: 20 }, () => b.next(logits(), []))).toEqual(seqA);
  });
});

describe('applyRepetitionPenalty', () => {
  it('divides positive and multiplies negative logits of seen tokens (Hugging Face rule)', () => {
    const values = Float32Array.of(2, -1, 4);
    applyRepetitionPenalty(values, [0, 1, 1], 2);
    expect(Array.from(values)).toEqual([1, -2, 4]);
    expect(argmax(values)).toBe(2);
  });
});
