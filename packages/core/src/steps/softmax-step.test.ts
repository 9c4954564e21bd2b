import { describe, expect, it } from 'vitest';
import { createSoftmaxStep } from './softmax-step.js';
import { testFrame, testStepEnv, f32 } from './step-test-env.js';

const env = testStepEnv('postprocessing/0 (Test)');

describe('Softmax', () => {
  it('normalises the last axis and is stable for huge logits', async () => {
    const out = await createSoftmaxStep({}, env)(f32([1000, 1001, 1002, 0, 0, 0], [2, 3]), testFrame());
    const p = Array.from(out.data as Float32Array);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 6);
    expect(p[2]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(1) + Math.exp(2)), 6);
    expect(p.slice(3)).toEqual([1 / 3, 1 / 3, 1 / 3].map((v) => Math.fround(v)));
    expect(p.every(Number.isFinite)).toBe(true);
  });

  it('works over a middle axis and takes the first tensor of a TensorMap', async () => {
    const out = await createSoftmaxStep({ dim: 1 }, env)({ logits: f32([0, 0, Math.log(3), 0], [1, 2, 2]) }, testFrame());
    expect(Array.from(out.data as Float32Array, (v) => Math.round(v * 1e6) / 1e6)).toEqual([0.25, 0.5, 0.75, 0.5]);
    expect(out.dims).toEqual([1, 2, 2]);
  });

  it('rejects an out-of-range dim and non-tensors with INVALID_INPUT naming the step', () => {
    const step = createSoftmaxStep({ dim: 3 }, env);
    expect(() => step(f32([1, 2], [1, 2]), testFrame())).toThrowError(/test-model postprocessing\/0 \(Test\): dim 3 is out of range/);
    expect(() => createSoftmaxStep({}, env)('x' as never, testFrame())).toThrowError(/expects a tensor/);
    expect(() => createSoftmaxStep({}, env)({ type: 'float32', dims: [3], data: new Float32Array(2) }, testFrame())).toThrowError(/expected 3 elements/);
  });
});
