import { describe, expect, it } from 'vitest';
import { createCenterCropStep } from './center-crop-step.js';
import { type ImageValue } from './step-values.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('preprocessing/0 (ImageDecode)');

/** 4x2 image: left half red, right half blue. */

describe('CenterCrop', () => {
  it('cuts the middle window', () => {
    const image: ImageValue = { data: Uint8Array.from({ length: 16 }, (_, i) => i), width: 4, height: 4, channels: 1 };
    const out = createCenterCropStep({ width: 2, height: 2 }, env)(image, testFrame()) as ImageValue;
    expect(Array.from(out.data)).toEqual([5, 6, 9, 10]);
  });

  it('rejects an image smaller than the crop', () => {
    const image: ImageValue = { data: new Uint8Array(4), width: 2, height: 2, channels: 1 };
    expect(() => createCenterCropStep({ width: 3, height: 2 }, env)(image, testFrame())).toThrowError(/expected at least 3x2, found 2x2/);
  });
});
