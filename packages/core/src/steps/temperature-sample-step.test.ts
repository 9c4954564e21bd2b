import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createTemperatureSampleStep } from './temperature-sample-step.js';
import { testFrame, testStepEnv, f32, ids } from './step-test-env.js';

const env = testStepEnv('postprocessing/0 (Test)');

describe('TemperatureSample', () => {
  const logits = f32([0, 1, 2, 3, 0, 0, 0, 10], [2, 4]);

  it('is greedy at temperature 0', async () => {
    expect(ids(await createTemperatureSampleStep({ temperature: 0 }, env)(logits, testFrame()))).toEqual([3, 3]);
  });

  it('is reproducible with a seed and varies across seeds', async () => {
    const draw = async (seed: number) => {
      const step = createTemperatureSampleStep({ temperature: 5, seed }, env);
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push(ids(await step(logits, testFrame()))[0]!);
      return out;
    };
    expect(await draw(7)).toEqual(await draw(7));
    expect(await draw(7)).not.toEqual(await draw(8));
  });

  it('top_k=1 and a tiny top_p both collapse to the best token', async () => {
    const a = createTemperatureSampleStep({ temperature: 100, top_k: 1, seed: 1 }, env);
    const b = createTemperatureSampleStep({ temperature: 1, top_p: 0.01, seed: 1 }, env);
    for (let i = 0; i < 10; i++) {
      expect(ids(await a(logits, testFrame()))).toEqual([3, 3]);
      expect(ids(await b(logits, testFrame()))).toEqual([3, 3]);
    }
  });

  it('top_k=2 only ever picks the two best tokens', async () => {
    const step = createTemperatureSampleStep({ temperature: 50, top_k: 2, seed: 3 }, env);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) seen.add(ids(await step(f32([0, 1, 2, 3], [1, 4]), testFrame()))[0]!);
    expect([...seen].sort()).toEqual([2, 3]);
  });

  it('samples the last position of [B, T, V] logits', async () => {
    const out = await createTemperatureSampleStep({ temperature: 0 }, env)(f32([9, 0, 0, 0, 0, 9], [1, 2, 3]), testFrame());
    expect(ids(out)).toEqual([2]);
  });

  it('rejects bad parameters with STEP_FAILED', () => {
    try {
      createTemperatureSampleStep({ temperature: 1, top_p: 1.5 }, env);
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.hasCode(error, 'STEP_FAILED')).toBe(true);
      expect((error as SwitchyardError).details).toMatchObject({ field: 'top_p', step: 'postprocessing/0 (Test)', modelId: 'test-model' });
    }
  });
});
