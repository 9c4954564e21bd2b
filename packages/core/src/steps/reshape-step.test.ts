import { describe, expect, it } from 'vitest';
import type { Tensor } from '@switchyard/spec';
import { createReshapeStep } from './reshape-step.js';
import { testFrame, testStepEnv, f32 } from './step-test-env.js';

const env = testStepEnv('preprocessing/1 (Test)');

const values = (t: Tensor) => Array.from(t.data as Float32Array);

describe('Reshape', () => {
  it('reshapes number arrays, typed arrays and tensors, inferring -1', async () => {
    const step = createReshapeStep({ shape: [1, 1, 2, -1] }, env);
    const out = await step([1, 2, 3, 4, 5, 6], testFrame());
    expect(out).toMatchObject({ type: 'float32', dims: [1, 1, 2, 3] });
    expect((await step(new Uint8Array(4), testFrame())).type).toBe('uint8');
    expect((await createReshapeStep({ shape: [3, 2] }, env)(f32([1, 2, 3, 4, 5, 6], [6]), testFrame())).dims).toEqual([3, 2]);
  });

  it('reports the element count mismatch and rejects bad shapes', () => {
    expect(() => createReshapeStep({ shape: [1, 1, 28, 28] }, env)(new Float32Array(100), testFrame())).toThrowError(/cannot reshape \(expected 784 elements for \[1, 1, 28, 28\], found 100 elements\)/);
    expect(() => createReshapeStep({ shape: [-1, -1] }, env)).toThrowError(/at most one -1/);
    expect(() => createReshapeStep({ shape: [] }, env)).toThrowError(/shape must be/);
  });
});
