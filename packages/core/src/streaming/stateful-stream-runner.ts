import type { Tensor, TensorRunner } from '@switchyard/spec';
import { SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type { StatefulStreamMode } from './stateful-stream-mode.js';

/**
 * Runs one StatefulStream graph window by window: prepends the context samples, feeds the carried state and
 * keeps the state the graph returns for the next call. Returns the first element of the per-window output.
 */
export class StatefulStreamRunner {
  private state: Float32Array;
  private readonly context: Float32Array;
  private readonly input: Float32Array;
  private readonly sampleRate: Tensor;

  constructor(
    private readonly mode: StatefulStreamMode,
    private readonly runner: TensorRunner,
    private readonly stage: string | undefined,
    private readonly modelId: string,
  ) {
    this.state = new Float32Array(mode.state_shape.reduce((a, b) => a * b, 1));
    this.context = new Float32Array(mode.context_size ?? 0);
    this.input = new Float32Array(this.context.length + mode.window_size);
    this.sampleRate = { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(mode.sample_rate)) };
  }

  /** Forgets the carried state and context (start of a new, unrelated audio stream). */
  reset(): void {
    this.state.fill(0);
    this.context.fill(0);
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
    const input = new Float32Array(this.input.length);
    input.set(this.context);
    input.set(window, this.context.length);
    const feeds: Record<string, Tensor> = {
      [mode.audio_input ?? 'input']: { type: 'float32', dims: [1, input.length], data: input },
      [mode.state_input ?? 'state']: { type: 'float32', dims: [...mode.state_shape], data: this.state },
    };
    if (mode.sample_rate_input) feeds[mode.sample_rate_input] = this.sampleRate;
    const out = await this.runner.run(this.stage, feeds, signal);
    const nextState = out[mode.state_output ?? 'stateN'];
    const output = out[mode.output ?? 'output'];
    if (!nextState || !output || nextState.data.length !== this.state.length) {
      throw new SwitchyardError({
        code: 'STEP_FAILED',
        message: `${this.modelId}: the graph did not return "${mode.output ?? 'output'}" and a "${mode.state_output ?? 'stateN'}" of shape [${mode.state_shape.join(', ')}]`,
        details: { model: this.modelId, outputs: Object.keys(out) },
      });
    }
    this.state = Float32Array.from(nextState.data as Float32Array);
    if (this.context.length > 0) this.context.set(input.subarray(input.length - this.context.length));
    return Number((output.data as Float32Array)[0]);
  }
}
