import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createOnnxEngine, type OnnxEngine } from './index.js';
import { refinementTimesteps } from './onnx-iterative-refinement.js';
import { f32, fixture, outputTensors, rejection, signal } from '../test/fixtures.js';

const f = Math.fround;
/** What refine-step.onnx computes per run, in float32: denoised = 0.5 * sample + t. */
const expected = (x0: number[], timesteps: number[]): number[] =>
  timesteps.reduce((x, t) => x.map((v) => f(f(v * 0.5) + f(t))), x0.map(f));

const load = async (engine: OnnxEngine, mode: Record<string, unknown>): Promise<void> =>
  engine.doLoad({ id: 'refine', files: { 'refine-step.onnx': fixture('refine-step.onnx') }, metadata: { execution_template: { type: 'Onnx', model_file: 'refine-step.onnx', execution_mode: mode } } }, signal());
const run = (engine: OnnxEngine, tensors: Record<string, ReturnType<typeof f32>>) =>
  engine.doRun({ modelId: 'refine', workload: 'inference', input: { kind: 'tensors', tensors } }, signal());

describe('IterativeRefinement (xybrid execution mode, run by the ONNX engine)', () => {
  let engine: OnnxEngine;
  afterEach(async () => engine?.close());
  const x0 = [8, -4, 2, 0];

  it('Linear: t = 1, 3/4, 1/2, 1/4 for 4 steps, each output fed back as the next sample (exact)', async () => {
    engine = createOnnxEngine();
    await load(engine, { type: 'IterativeRefinement', num_steps: 4 });
    const out = outputTensors(await run(engine, { sample: f32(x0, [1, 4]) }))['denoised']!;
    // by hand: 8 -> 5 -> 3.25 -> 2.125 -> 1.3125; -4 -> -1 -> 0.25 -> 0.625 -> 0.5625
    expect(Array.from(out.data)).toEqual([1.3125, 0.5625, 0.9375, 0.8125]);
    expect(Array.from(out.data)).toEqual(expected(x0, [1, 0.75, 0.5, 0.25]));
  });

  it('Cosine: t_i = cos(pi/2 * i/N); Custom: the given timesteps', async () => {
    engine = createOnnxEngine();
    await load(engine, { type: 'IterativeRefinement', num_steps: 3, schedule: { type: 'Cosine' } });
    const cosine = [0, 1, 2].map((i) => Math.cos((Math.PI / 2) * (i / 3)));
    expect(Array.from(outputTensors(await run(engine, { sample: f32(x0, [1, 4]) }))['denoised']!.data)).toEqual(expected(x0, cosine));
    await engine.doUnload('refine', signal());
    await load(engine, { type: 'IterativeRefinement', num_steps: 2, schedule: { type: 'Custom', timesteps: [0.5, 0] }, sample_input: 'sample', sample_output: 'denoised' });
    // a single tensor under another name binds to the sample input
    expect(Array.from(outputTensors(await run(engine, { latents: f32(x0, [1, 4]) }))['denoised']!.data)).toEqual([2.25, -0.75, 0.75, 0.25]);
  });

  it('num_steps 0 returns the sample unchanged; a Custom list of the wrong length is METADATA_INVALID', async () => {
    engine = createOnnxEngine();
    await load(engine, { type: 'IterativeRefinement', num_steps: 0 });
    expect(Array.from(outputTensors(await run(engine, { sample: f32(x0, [1, 4]) }))['denoised']!.data)).toEqual(x0);
    await engine.doUnload('refine', signal());
    await load(engine, { type: 'IterativeRefinement', num_steps: 3, schedule: { type: 'Custom', timesteps: [1] } });
    const error = await rejection(run(engine, { sample: f32(x0, [1, 4]) }));
    expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
    expect(error.message).toMatch(/timesteps has 1 values but num_steps is 3/);
  });

  it('schedules as numbers', () => {
    expect(refinementTimesteps({ type: 'IterativeRefinement', num_steps: 2 }, 'x')).toEqual([1, 0.5]);
    expect(refinementTimesteps({ type: 'IterativeRefinement', num_steps: 2, schedule: { type: 'Cosine' } }, 'x')[1]).toBeCloseTo(Math.SQRT1_2, 12);
  });
});
