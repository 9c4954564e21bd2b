import type { PipelineStreamSession, TensorRunner } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { VadSegmenter } from '../steps/vad-segmenter.js';
import type { VadSegmenterParams } from '../steps/vad-segmenter.js';
import type { VadSegment } from '../steps/vad-types.js';
import { SampleReframer } from './sample-reframer.js';
import type { StatefulStreamMode } from './stateful-stream-mode.js';
import { StatefulStreamRunner } from './stateful-stream-runner.js';

export interface VadStreamSessionOptions {
  readonly modelId: string;
  readonly mode: StatefulStreamMode;
  readonly runner: TensorRunner;
  readonly stage: string | undefined;
  readonly signal: AbortSignal;
  readonly segmenter: VadSegmenterParams;
}

/**
 * A push-chunk VAD session: float32 samples at the model's rate in any chunk size; each push resolves with
 * the speech segments that became final; close flushes the last partial window and the open segment.
 * Pushes are processed in order; samples waiting behind a slow push are bounded by `max_buffered_samples`.
 */
export class VadStreamSession implements PipelineStreamSession<Float32Array, VadSegment> {
  private readonly reframer: SampleReframer;
  private readonly model: StatefulStreamRunner;
  private readonly segmenter: VadSegmenter;
  private readonly maxQueued: number;
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private total = 0;
  private closed = false;

  constructor(private readonly options: VadStreamSessionOptions) {
    const { mode } = options;
    this.reframer = new SampleReframer(mode.window_size);
    this.model = new StatefulStreamRunner(mode, options.runner, options.stage, options.modelId);
    this.segmenter = new VadSegmenter({ ...options.segmenter, sample_rate: mode.sample_rate, window_size: mode.window_size });
    this.maxQueued = mode.max_buffered_samples ?? mode.sample_rate * 10;
  }

  /** Samples accepted and not yet turned into probabilities. */
  get bufferedSamples(): number {
    return this.queued + this.reframer.buffered;
  }

  push(chunk: Float32Array): Promise<readonly VadSegment[]> {
    if (this.closed) return Promise.reject(this.closedError('push'));
    if (!(chunk instanceof Float32Array)) {
      return Promise.reject(
        new SwitchyardError({
          code: 'INVALID_INPUT',
          message: `${this.options.modelId}: a stream chunk must be a Float32Array of ${this.options.mode.sample_rate} Hz mono samples`,
          details: { model: this.options.modelId, expected: 'Float32Array' },
        }),
      );
    }
    if (this.queued + chunk.length > this.maxQueued) {
      return Promise.reject(
        new SwitchyardError({
          code: 'STREAM_OVERFLOW',
          message: `${this.options.modelId}: stream buffer full (${this.queued} samples waiting, limit ${this.maxQueued}); await earlier pushes before pushing more`,
          retriable: true,
          details: { model: this.options.modelId, buffered: this.queued, limit: this.maxQueued },
        }),
      );
    }
    const copy = chunk.slice();
    this.queued += copy.length;
    return this.enqueue(async () => {
      this.queued -= copy.length;
      this.total += copy.length;
      const out: VadSegment[] = [];
      for (const window of this.reframer.push(copy)) {
        out.push(...this.segmenter.push(await this.model.step(window, this.options.signal)));
      }
      return out;
    });
  }

  close(): Promise<readonly VadSegment[]> {
    if (this.closed) return Promise.reject(this.closedError('close'));
    this.closed = true;
    return this.enqueue(async () => {
      const out: VadSegment[] = [];
      const last = this.reframer.flush();
      if (last) out.push(...this.segmenter.push(await this.model.step(last, this.options.signal)));
      out.push(...this.segmenter.finish(this.total));
      return out;
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private closedError(what: string): SwitchyardError {
    return new SwitchyardError({
      code: 'STREAM_CLOSED',
      message: `${this.options.modelId}: ${what} on a closed stream session`,
      details: { model: this.options.modelId },
    });
  }
}
