import { describe, expect, it } from 'vitest';
import type { Tensor } from '@switchyard/spec';
import { createMeanPoolStep } from './mean-pool-step.js';
import { STEP_SLOTS } from './step-values.js';
import { testFrame, testStepEnv, f32 } from './step-test-env.js';

const env = testStepEnv('preprocessing/1 (Test)');

const values = (t: Tensor) => Array.from(t.data as Float32Array);

describe('MeanPool', () => {
  const hidden = f32([1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10], [2, 3, 2]);

  it('averages only unmasked positions using the mask Tokenize left in the frame', async () => {
    const frame = testFrame();
    frame.slots.set(STEP_SLOTS.attentionMask, { type: 'int64', dims: [2, 3], data: BigInt64Array.from([1n, 1n, 0n, 1n, 1n, 1n]) });
    const out = await createMeanPoolStep({}, env)({ last_hidden_state: hidden }, frame);
    expect(out.dims).toEqual([2, 2]);
    expect(values(out)).toEqual([2, 3, 7, 8]);
  });

  it("masked: false averages padding too (xybrid's plain mean)", async () => {
    const frame = testFrame();
    frame.slots.set(STEP_SLOTS.attentionMask, { type: 'int64', dims: [2, 3], data: BigInt64Array.from([1n, 1n, 0n, 1n, 1n, 1n]) });
    const out = await createMeanPoolStep({ masked: false }, env)({ last_hidden_state: hidden }, frame);
    expect(values(out)[0]).toBeCloseTo(104 / 3, 4);
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
