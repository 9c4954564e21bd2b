import { describe, expect, it } from 'vitest';
import { createArgmaxStep } from './argmax-step.js';
import { testFrame, testStepEnv, f32, ids } from './step-test-env.js';

const env = testStepEnv('postprocessing/0 (Test)');

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
