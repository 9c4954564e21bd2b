import { describe, expect, it } from 'vitest';
import type { Tensor } from '@switchyard/spec';
import { createDenormalizeStep } from './denormalize-step.js';
import { createNormalizeStep } from './normalize-step.js';
import { type ImageValue } from './step-values.js';
import { testFrame, testStepEnv, f32 } from './step-test-env.js';

const env = testStepEnv('preprocessing/1 (Test)');

const values = (t: Tensor) => Array.from(t.data as Float32Array);

describe('Normalize / Denormalize', () => {
  it('normalises NCHW per channel and Denormalize inverts it', async () => {
    const x = f32([10, 20, 30, 40, 50, 60, 70, 80], [1, 2, 2, 2]);
    const params = { mean: [10, 50], std: [10, 5] };
    const out = await createNormalizeStep(params, env)(x, testFrame());
    expect(values(out)).toEqual([0, 1, 2, 3, 0, 2, 4, 6]);
    const back = await createDenormalizeStep(params, env)(out, testFrame());
    expect(values(back)).toEqual(values(x));
  });

  it('detects HWC and honours an explicit layout', async () => {
    const hwc = f32([1, 100, 2, 200], [1, 2, 2]); // H=1, W=2, C=2
    expect(values(await createNormalizeStep({ mean: [0, 100], std: [1, 100] }, env)(hwc, testFrame()))).toEqual([1, 0, 2, 1]);
    const nhwc = f32([1, 100, 2, 200], [1, 1, 2, 2]);
    expect(values(await createNormalizeStep({ mean: [0, 100], std: [1, 100], layout: 'NHWC' }, env)(nhwc, testFrame()))).toEqual([1, 0, 2, 1]);
  });

  it('turns an ImageValue into normalised NCHW float32', async () => {
    const image: ImageValue = { data: Uint8Array.from([255, 0, 0, 0, 255, 0]), width: 2, height: 1, channels: 3 };
    const out = await createNormalizeStep({ mean: [0, 0, 0], std: [255, 255, 255] }, env)(image, testFrame());
    expect(out.dims).toEqual([1, 3, 1, 2]);
    expect(values(out)).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('broadcasts a single mean/std (the digits example: std 255)', async () => {
    expect(values(await createNormalizeStep({ mean: [0], std: [255] }, env)(f32([255, 51], [1, 1, 1, 2]), testFrame()))).toEqual([1, 0.2].map(Math.fround));
  });

  it('names the step and shape when no channel axis fits; rejects std 0 and length mismatch', () => {
    expect(() => createNormalizeStep({ mean: [0, 0, 0], std: [1, 1, 1] }, env)(f32([1, 2, 3, 4], [1, 2, 2]), testFrame())).toThrowError(/preprocessing\/1 \(Test\): cannot find a channel axis of size 3 \(expected NCHW\/NHWC\/CHW\/HWC with 3 channels, found \[1, 2, 2\]\)/);
    expect(() => createNormalizeStep({ mean: [0], std: [0] }, env)).toThrowError(/std must not contain 0/);
    expect(() => createNormalizeStep({ mean: [0, 1], std: [1, 2, 3] }, env)).toThrowError(/equal length \(or one of them a single value\)/);
  });

  it('broadcasts a single std over per-channel means (and a single mean over per-channel stds), as the validator accepts', async () => {
    const x = f32([10, 20, 30, 40, 50, 60, 70, 80], [1, 2, 2, 2]);
    expect(values(await createNormalizeStep({ mean: [10, 50], std: [10] }, env)(x, testFrame()))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(values(await createNormalizeStep({ mean: [10], std: [10, 5] }, env)(x, testFrame()))).toEqual([0, 1, 2, 3, 8, 10, 12, 14]);
    const back = await createDenormalizeStep({ mean: [10, 50], std: [10] }, env)(f32([0, 1, 2, 3, 0, 1, 2, 3], [1, 2, 2, 2]), testFrame());
    expect(values(back)).toEqual(values(x));
  });
});
