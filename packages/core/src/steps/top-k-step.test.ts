import { describe, expect, it } from 'vitest';
import { createTopKStep } from './top-k-step.js';
import { testFrame, testStepEnv, f32 } from './step-test-env.js';

const env = testStepEnv('postprocessing/0 (Test)');

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
