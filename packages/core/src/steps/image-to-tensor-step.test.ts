import { describe, expect, it } from 'vitest';
import type { Tensor } from '@switchyard/spec';
import { createImageToTensorStep } from './image-to-tensor-step.js';
import { type ImageValue } from './step-values.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('preprocessing/1 (Test)');

const values = (t: Tensor) => Array.from(t.data as Float32Array);

describe('ImageToTensor', () => {
  it('converts HWC uint8 to NCHW float32 with a scale, or keeps NHWC', async () => {
    const image: ImageValue = { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), width: 2, height: 1, channels: 3 };
    const nchw = await createImageToTensorStep({ scale: 0.5 }, env)(image, testFrame());
    expect(nchw.dims).toEqual([1, 3, 1, 2]);
    expect(values(nchw)).toEqual([0.5, 2, 1, 2.5, 1.5, 3]);
    const nhwc = await createImageToTensorStep({ layout: 'NHWC' }, env)(image, testFrame());
    expect(nhwc.dims).toEqual([1, 1, 2, 3]);
    expect(() => createImageToTensorStep({}, env)({ ...image, width: 3 }, testFrame())).toThrowError(/expects a decoded image/);
  });
});
