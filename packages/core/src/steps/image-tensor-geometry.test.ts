import { describe, expect, it } from 'vitest';
import type { Tensor } from '@switchyard/spec';
import { createCenterCropStep } from './center-crop-step.js';
import { createNormalizeStep } from './normalize-step.js';
import { createResizeStep } from './resize-step.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const env = testStepEnv('preprocessing/1 (CenterCrop)');
const f32 = (dims: number[], fill: (i: number) => number): Tensor => ({ type: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => fill(i)) });
const values = (t: unknown): number[] => Array.from((t as Tensor).data as Float32Array);

describe('CenterCrop / Resize / Normalize on tensors (xybrid applies them after Reshape)', () => {
  it('crops NCHW: the middle 2x2 of every channel of a 4x4', () => {
    // value = c*100 + y*10 + x
    const t = f32([1, 2, 4, 4], (i) => Math.floor(i / 16) * 100 + Math.floor((i % 16) / 4) * 10 + (i % 4));
    const out = createCenterCropStep({ width: 2, height: 2 }, env)(t, testFrame()) as Tensor;
    expect(out.dims).toEqual([1, 2, 2, 2]);
    expect(values(out)).toEqual([11, 12, 21, 22, 111, 112, 121, 122]);
  });

  it('crops NHWC (layout from the shape) and CHW', () => {
    const nhwc = f32([1, 4, 4, 3], (i) => Math.floor(i / 12) * 10 + (Math.floor(i / 3) % 4) + (i % 3) * 100);
    const out = createCenterCropStep({ width: 2, height: 2 }, env)(nhwc, testFrame()) as Tensor;
    expect(out.dims).toEqual([1, 2, 2, 3]);
    expect(values(out).slice(0, 6)).toEqual([11, 111, 211, 12, 112, 212]);
    const chw = f32([1, 3, 3], (i) => i);
    expect(values(createCenterCropStep({ width: 1, height: 1 }, env)(chw, testFrame()))).toEqual([4]);
  });

  it('takes the layout field when the shape is ambiguous', () => {
    const t = f32([1, 3, 3, 3], (i) => i);
    const out = createCenterCropStep({ width: 1, height: 1, layout: 'NHWC' }, env)(t, testFrame()) as Tensor;
    expect(out.dims).toEqual([1, 1, 1, 3]);
    expect(values(out)).toEqual([12, 13, 14]);
  });

  it('refuses a crop larger than the tensor, naming both sizes', () => {
    expect(() => createCenterCropStep({ width: 5, height: 2 }, env)(f32([1, 1, 4, 4], () => 0), testFrame())).toThrowError(/expected at least 5x2, found 4x4 \(NCHW\)/);
  });

  it('resizes bilinear with half-pixel centres (torch interpolate, align_corners=False)', async () => {
    // 1x2 -> 1x4: source x = (ox + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamp -> 0, .25, .75, 1
    const t = f32([1, 1, 1, 2], (i) => [0, 8][i]!);
    const out = (await createResizeStep({ width: 4, height: 1 }, env)(t, testFrame())) as Tensor;
    expect(out.dims).toEqual([1, 1, 1, 4]);
    expect(values(out)).toEqual([0, 2, 6, 8]);
  });

  it('resizes nearest as floor(dst * in / out) and keeps float values (no 8-bit rounding)', async () => {
    const t = f32([1, 1, 1, 3], (i) => [0.1234, 0.5, 0.9][i]!);
    const out = (await createResizeStep({ width: 6, height: 1, interpolation: 'Nearest' }, env)(t, testFrame())) as Tensor;
    expect(values(out).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0.1234, 0.1234, 0.5, 0.5, 0.9, 0.9]);
  });

  it('bicubic uses Keys\' kernel with a = -0.75 (PyTorch) and keeps constants', async () => {
    const ramp = f32([1, 1, 1, 4], (i) => i);
    const out = (await createResizeStep({ width: 8, height: 1, interpolation: 'Bicubic' }, env)(ramp, testFrame())) as Tensor;
    // ox = 3: x_src = 1.25, taps 0..3 with weights -0.10546875, 0.87890625, 0.26171875, -0.03515625 (by hand)
    expect(values(out)[3]).toBeCloseTo(0.87890625 + 2 * 0.26171875 - 3 * 0.03515625, 6);
    const flat = (await createResizeStep({ width: 5, height: 3, interpolation: 'Bicubic' }, env)(f32([1, 1, 2, 2], () => 7), testFrame())) as Tensor;
    expect(values(flat).every((v) => Math.abs(v - 7) < 1e-5)).toBe(true);
  });

  it('Normalize: channel-first on NCHW (torchvision), i % C on flat tensors, and `interleaved` for xybrid\'s rule', () => {
    const nchw = f32([1, 3, 1, 2], (i) => i);
    expect(values(createNormalizeStep({ mean: [0, 10, 20], std: [1, 1, 1] }, env)(nchw, testFrame()))).toEqual([0, 1, -8, -7, -16, -15]);
    const flat = f32([6], (i) => i);
    expect(values(createNormalizeStep({ mean: [0, 10, 20], std: [1, 1, 1] }, env)(flat, testFrame()))).toEqual([0, -9, -18, 3, -6, -15]);
    expect(values(createNormalizeStep({ mean: [0, 10, 20], std: [1, 1, 1], layout: 'interleaved' }, env)(nchw, testFrame()))).toEqual([0, -9, -18, 3, -6, -15]);
  });
});
