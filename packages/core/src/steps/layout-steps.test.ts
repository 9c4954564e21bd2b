import { describe, expect, it } from 'vitest';
import type { Tensor } from '../contracts/engine/v1/tensor.js';
import { createDenormalizeStep } from './denormalize-step.js';
import { createImageToTensorStep } from './image-to-tensor-step.js';
import { createMeanPoolStep } from './mean-pool-step.js';
import { createNormalizeStep } from './normalize-step.js';
import { createReshapeStep } from './reshape-step.js';
import { STEP_SLOTS, type ImageValue } from './step-values.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('preprocessing/1 (Test)');
const f32 = (values: number[], dims: number[]): Tensor => ({ type: 'float32', dims, data: Float32Array.from(values) });
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
    expect(() => createNormalizeStep({ mean: [0, 1], std: [1] }, env)).toThrowError(/equal length/);
  });
});

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

describe('MeanPool', () => {
  const hidden = f32([1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10], [2, 3, 2]);

  it('averages only unmasked positions using the mask Tokenize left in the frame', async () => {
    const frame = testFrame();
    frame.slots.set(STEP_SLOTS.attentionMask, { type: 'int64', dims: [2, 3], data: BigInt64Array.from([1n, 1n, 0n, 1n, 1n, 1n]) });
    const out = await createMeanPoolStep({}, env)({ last_hidden_state: hidden }, frame);
    expect(out.dims).toEqual([2, 2]);
    expect(values(out)).toEqual([2, 3, 7, 8]);
  });

  it('averages everything without a mask, and L2-normalises on request', async () => {
    expect(values(await createMeanPoolStep({}, env)(hidden, testFrame()))[0]).toBeCloseTo(104 / 3, 4);
    const unit = values(await createMeanPoolStep({ normalize: true }, env)(f32([3, 4], [1, 1, 2]), testFrame()));
    expect(unit[0]).toBeCloseTo(0.6, 6);
    expect(unit[1]).toBeCloseTo(0.8, 6);
  });

  it('rejects rank-2 input and a mask of the wrong shape', () => {
    expect(() => createMeanPoolStep({}, env)(f32([1, 2], [1, 2]), testFrame())).toThrowError(/expected \[batch, sequence, hidden\], found \[1, 2\]/);
    const frame = testFrame();
    frame.slots.set(STEP_SLOTS.attentionMask, { type: 'int64', dims: [2, 4], data: new BigInt64Array(8) });
    expect(() => createMeanPoolStep({}, env)(hidden, frame)).toThrowError(/attention mask does not match.*expected \[2, 3\], found \[2, 4\]/);
  });
});
