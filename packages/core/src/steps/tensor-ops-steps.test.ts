import { describe, expect, it } from 'vitest';
import type { Tensor } from '../contracts/engine/v1/tensor.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import { createArgmaxStep } from './argmax-step.js';
import { createSoftmaxStep } from './softmax-step.js';
import { createTopKStep } from './top-k-step.js';
import { createThresholdStep } from './threshold-step.js';
import { createTemperatureSampleStep } from './temperature-sample-step.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('postprocessing/0 (Test)');
const f32 = (values: number[], dims: number[]): Tensor => ({ type: 'float32', dims, data: Float32Array.from(values) });
const ids = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);

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
    expect(() => createSoftmaxStep({}, env)('x', testFrame())).toThrowError(/expects a tensor/);
    expect(() => createSoftmaxStep({}, env)({ type: 'float32', dims: [3], data: new Float32Array(2) }, testFrame())).toThrowError(/expected 3 elements/);
  });
});

describe('Argmax', () => {
  it('reduces an axis to int64 indices, first index on ties', async () => {
    const out = await createArgmaxStep({}, env)(f32([1, 5, 5, 9, 2, 3], [2, 3]), testFrame());
    expect(out.type).toBe('int64');
    expect(out.dims).toEqual([2]);
    expect(ids(out)).toEqual([1, 0]);
    const cols = await createArgmaxStep({ dim: 0 }, env)(f32([1, 5, 5, 9, 2, 3], [2, 3]), testFrame());
    expect(ids(cols)).toEqual([1, 0, 0]);
  });
});

describe('TopK', () => {
  it('ranks the best k with labels', async () => {
    const out = await createTopKStep({ k: 2, labels: ['cat', 'dog', 'fox'] }, env)(f32([0.1, 0.7, 0.2], [1, 3]), testFrame());
    expect(out).toEqual([[{ index: 1, score: Math.fround(0.7), label: 'dog' }, { index: 2, score: Math.fround(0.2), label: 'fox' }]]);
  });

  it('caps k at the axis size and rejects k < 1', async () => {
    const out = await createTopKStep({ k: 10 }, env)(f32([3, 1], [2]), testFrame());
    expect(out[0]!.map((r) => r.index)).toEqual([0, 1]);
    expect(() => createTopKStep({ k: 0 }, env)).toThrowError(/k must be a positive integer/);
  });
});

describe('Threshold', () => {
  it('returns a mask or the flat indices above the threshold', async () => {
    const x = f32([0.1, 0.6, 0.5, 0.9], [2, 2]);
    const mask = await createThresholdStep({ threshold: 0.5 }, env)(x, testFrame());
    expect(mask.type).toBe('uint8');
    expect(Array.from(mask.data as Uint8Array)).toEqual([0, 1, 0, 1]);
    const idx = await createThresholdStep({ threshold: 0.5, return_indices: true }, env)(x, testFrame());
    expect(ids(idx)).toEqual([1, 3]);
    expect(() => createThresholdStep({ threshold: Number.NaN }, env)).toThrowError(/threshold must be a number/);
  });
});

describe('TemperatureSample', () => {
  const logits = f32([0, 1, 2, 3, 0, 0, 0, 10], [2, 4]);

  it('is greedy at temperature 0', async () => {
    expect(ids(await createTemperatureSampleStep({ temperature: 0 }, env)(logits, testFrame()))).toEqual([3, 3]);
  });

  it('is reproducible with a seed and varies across seeds', async () => {
    const draw = async (seed: number) => {
      const step = createTemperatureSampleStep({ temperature: 5, seed }, env);
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push(ids(await step(logits, testFrame()))[0]!);
      return out;
    };
    expect(await draw(7)).toEqual(await draw(7));
    expect(await draw(7)).not.toEqual(await draw(8));
  });

  it('top_k=1 and a tiny top_p both collapse to the best token', async () => {
    const a = createTemperatureSampleStep({ temperature: 100, top_k: 1, seed: 1 }, env);
    const b = createTemperatureSampleStep({ temperature: 1, top_p: 0.01, seed: 1 }, env);
    for (let i = 0; i < 10; i++) {
      expect(ids(await a(logits, testFrame()))).toEqual([3, 3]);
      expect(ids(await b(logits, testFrame()))).toEqual([3, 3]);
    }
  });

  it('top_k=2 only ever picks the two best tokens', async () => {
    const step = createTemperatureSampleStep({ temperature: 50, top_k: 2, seed: 3 }, env);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) seen.add(ids(await step(f32([0, 1, 2, 3], [1, 4]), testFrame()))[0]!);
    expect([...seen].sort()).toEqual([2, 3]);
  });

  it('samples the last position of [B, T, V] logits', async () => {
    const out = await createTemperatureSampleStep({ temperature: 0 }, env)(f32([9, 0, 0, 0, 0, 9], [1, 2, 3]), testFrame());
    expect(ids(out)).toEqual([2]);
  });

  it('rejects bad parameters with STEP_FAILED', () => {
    try {
      createTemperatureSampleStep({ temperature: 1, top_p: 1.5 }, env);
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.hasCode(error, 'STEP_FAILED')).toBe(true);
      expect((error as SwitchyardError).details).toMatchObject({ field: 'top_p', step: 'postprocessing/0 (Test)', modelId: 'test-model' });
    }
  });
});
