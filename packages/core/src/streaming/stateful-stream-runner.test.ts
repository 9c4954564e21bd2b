import { describe, expect, it } from 'vitest';
import type { TensorMap, TensorRunner } from '@switchyard/spec';
import { StatefulStreamRunner } from './stateful-stream-runner.js';
import type { StatefulStreamMode } from './stateful-stream-mode.js';

const MODE: StatefulStreamMode = { type: 'StatefulStream', sample_rate: 16000, window_size: 4, context_size: 2, sample_rate_input: 'sr', state_shape: [2] };

/** Records what each run saw (copied) and returns state = previous state + window sum, output = first input value. */
function recordingRunner() {
  const seen: { input: number[]; state: number[]; inputBuffer: unknown; sr: bigint }[] = [];
  const runner: TensorRunner = {
    async run(_stage, feeds: TensorMap) {
      const input = feeds.input!.data as Float32Array;
      const state = feeds.state!.data as Float32Array;
      seen.push({ input: [...input], state: [...state], inputBuffer: input, sr: (feeds.sr!.data as BigInt64Array)[0]! });
      const sum = input.reduce((a, b) => a + b, 0);
      return {
        stateN: { type: 'float32', dims: [2], data: Float32Array.of(state[0]! + sum, state[1]! + 1) },
        output: { type: 'float32', dims: [1, 1], data: Float32Array.of(input[0]!) },
      };
    },
  };
  return { runner, seen };
}

describe('StatefulStreamRunner', () => {
  it('carries the context and the state from window to window, reusing one input buffer', async () => {
    const { runner, seen } = recordingRunner();
    const model = new StatefulStreamRunner(MODE, runner, 'vad', 'm');
    const signal = new AbortController().signal;
    expect(await model.step(Float32Array.of(1, 2, 3, 4), signal)).toBe(0);
    expect(await model.step(Float32Array.of(5, 6, 7, 8), signal)).toBe(3);
    await model.step(Float32Array.of(9, 10, 11, 12), signal);
    expect(seen.map((s) => s.input)).toEqual([
      [0, 0, 1, 2, 3, 4],
      [3, 4, 5, 6, 7, 8],
      [7, 8, 9, 10, 11, 12],
    ]);
    expect(seen.map((s) => s.state)).toEqual([
      [0, 0],
      [10, 1],
      [10 + 33, 2],
    ]);
    expect(seen[1]!.inputBuffer).toBe(seen[0]!.inputBuffer);
    expect(seen[0]!.sr).toBe(16000n);
    model.reset();
    await model.step(Float32Array.of(1, 1, 1, 1), signal);
    expect(seen[3]).toMatchObject({ input: [0, 0, 1, 1, 1, 1], state: [0, 0] });
  });

  it('refuses a second step while one runs (the input buffer is shared)', async () => {
    const { runner } = recordingRunner();
    const model = new StatefulStreamRunner(MODE, runner, 'vad', 'm');
    const signal = new AbortController().signal;
    const first = model.step(Float32Array.of(1, 2, 3, 4), signal);
    await expect(model.step(Float32Array.of(1, 2, 3, 4), signal)).rejects.toThrow(/before the previous step finished/);
    await first;
  });
});
