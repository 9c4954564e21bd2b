import type { Tensor, TensorMap, TensorRunner } from '@switchyard/spec';
import { SwitchyardError, throwIfAborted } from '@switchyard/spec';
import { pcm16ToFloat32 } from '../steps/wav-reader.js';
import type { StatefulStreamMode } from './stateful-stream-mode.js';

/**
 * Runs one StatefulStream graph window by window: prepends the context samples, feeds the carried state and
 * keeps the state the graph returns for the next call. Returns the first element of the per-window output.
 */
export class StatefulStreamRunner {
  /** [context | window]: the context is the previous input's tail, moved to the front after each run. */
  private readonly input: Float32Array;
  private readonly contextSize: number;
  private readonly stateSize: number;
  /** The feeds, built once; each run changes only the data behind them (the window in place, the state tensor). */
  private readonly feeds: Record<string, Tensor>;
  private readonly stateName: string;
  private readonly stateDims: readonly number[];
  private busy = false;

  constructor(
    private readonly mode: StatefulStreamMode,
    private readonly runner: TensorRunner,
    private readonly stage: string | undefined,
    private readonly modelId: string,
  ) {
    this.contextSize = mode.context_size ?? 0;
    this.stateSize = mode.state_shape.reduce((a, b) => a * b, 1);
    this.input = new Float32Array(this.contextSize + mode.window_size);
    this.stateName = mode.state_input ?? 'state';
    this.stateDims = [...mode.state_shape];
    this.feeds = {
      [mode.audio_input ?? 'input']: { type: 'float32', dims: [1, this.input.length], data: this.input },
      [this.stateName]: { type: 'float32', dims: this.stateDims, data: new Float32Array(this.stateSize) },
    };
    if (mode.sample_rate_input) this.feeds[mode.sample_rate_input] = { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(mode.sample_rate)) };
  }

  /** Forgets the carried state and context (start of a new, unrelated audio stream). */
  reset(): void {
    this.feeds[this.stateName] = { type: 'float32', dims: this.stateDims, data: new Float32Array(this.stateSize) };
    this.input.fill(0);
  }

  async step(window: Float32Array, signal: AbortSignal): Promise<number> {
    throwIfAborted(signal, `${this.modelId} stream`);
    const { mode } = this;
    if (window.length !== mode.window_size) {
      throw new SwitchyardError({
        code: 'INVALID_INPUT',
        message: `${this.modelId}: a window must have ${mode.window_size} samples, found ${window.length}`,
        details: { model: this.modelId, expected: mode.window_size, found: window.length },
      });
    }
    this.claim();
    try {
      this.input.set(window, this.contextSize);
      return this.carry(await this.runner.run(this.stage, this.feeds, signal));
    } finally {
      this.busy = false;
    }
  }

  /**
   * Scores every window of a whole input in order, the last one zero-padded (as the streaming path's reframer pads
   * it): one graph run and one await per window, the input buffer claimed once.
   */
  scoreAll(samples: Float32Array, signal: AbortSignal): Promise<Float32Array> {
    return this.scoreWindows(samples.length, (start, count) => this.input.set(samples.subarray(start, start + count), this.contextSize), signal);
  }

  /**
   * `scoreAll` of 16-bit PCM samples: each window is converted straight into the input buffer as readWav converts
   * samples (pcm16ToFloat32), so the scores are those of `scoreAll` on the decoded samples, without the decoded copy.
   */
  scoreAllPcm16(pcm: Int16Array, signal: AbortSignal): Promise<Float32Array> {
    return this.scoreWindows(pcm.length, (start, count) => pcm16ToFloat32(pcm, start, count, this.input, this.contextSize), signal);
  }

  /** The windows of `length` samples: `fill` writes samples [start, start + count) after the context, the rest is zeroed. */
  private async scoreWindows(length: number, fill: (start: number, count: number) => void, signal: AbortSignal): Promise<Float32Array> {
    const size = this.mode.window_size;
    const scores = new Float32Array(Math.ceil(length / size));
    const label = `${this.modelId} stream`;
    this.claim();
    try {
      for (let i = 0; i < scores.length; i += 1) {
        throwIfAborted(signal, label);
        const count = Math.min(size, length - i * size);
        fill(i * size, count);
        if (count < size) this.input.fill(0, this.contextSize + count);
        scores[i] = this.carry(await this.runner.run(this.stage, this.feeds, signal));
      }
      return scores;
    } finally {
      this.busy = false;
    }
  }

  /** The input buffer is reused across windows: a second step while one runs would overwrite its window. */
  private claim(): void {
    if (this.busy) {
      throw new SwitchyardError({ code: 'INTERNAL', message: `${this.modelId}: StatefulStreamRunner.step called again before the previous step finished` });
    }
    this.busy = true;
  }

  /** Reads a run's outputs: keeps the returned state and this input's tail (the context) for the next window. */
  private carry(out: TensorMap): number {
    const { mode } = this;
    const nextState = out[mode.state_output ?? 'stateN'];
    const output = out[mode.output ?? 'output'];
    if (!nextState || !output || nextState.data.length !== this.stateSize || !(nextState.data instanceof Float32Array)) {
      throw new SwitchyardError({
        code: 'STEP_FAILED',
        message: `${this.modelId}: the graph did not return "${mode.output ?? 'output'}" and a float32 "${mode.state_output ?? 'stateN'}" of shape [${mode.state_shape.join(', ')}]`,
        details: { model: this.modelId, outputs: Object.keys(out) },
      });
    }
    // The graph's fresh output buffer is the next state as is (no copy); the context is the tail of this input.
    this.feeds[this.stateName] = { type: 'float32', dims: this.stateDims, data: nextState.data };
    if (this.contextSize > 0) this.input.copyWithin(0, this.input.length - this.contextSize);
    return Number((output.data as Float32Array)[0]);
  }
}
