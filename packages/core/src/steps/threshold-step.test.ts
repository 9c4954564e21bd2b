import { describe, expect, it } from 'vitest';
import { createThresholdStep } from './threshold-step.js';
import { testFrame, testStepEnv, f32, ids } from './step-test-env.js';

const env = testStepEnv('postprocessing/0 (Test)');

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
