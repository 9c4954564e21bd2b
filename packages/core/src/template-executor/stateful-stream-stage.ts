import type { PipelineStreamSession, TensorRunner } from '@switchyard/spec';
import { InvalidInputError, SwitchyardError } from '@switchyard/spec';
import { createPipelineFrame, isStreamableStep, STREAM_SLOTS } from '../steps/step-kernel.js';
import type { PipelineFrame, StepFunction, StepStream } from '../steps/step-kernel.js';
import type { AudioSamples } from '../steps/step-values.js';
import { SampleReframer } from '../streaming/sample-reframer.js';
import type { StatefulStreamMode as StreamMode } from '../streaming/stateful-stream-mode.js';
import { StatefulStreamRunner } from '../streaming/stateful-stream-runner.js';
import type { StatefulStreamMode } from './model-metadata.generated.js';

/** Slot with the number of samples a StatefulStream stage consumed (VadSegmenter reads it). */
export const STREAM_TOTAL_SAMPLES_SLOT = STREAM_SLOTS.totalSamples;

/** A step after the stream stage: the function itself, or (interpreter) a promise of it. */
export type StreamTailStep = StepFunction<any, any> | PromiseLike<StepFunction<any, any>>;

function samplesOf(value: unknown, modelId: string, stage: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (typeof value === 'object' && value !== null && (value as { samples?: unknown }).samples instanceof Float32Array) {
    return (value as { samples: Float32Array }).samples;
  }
  throw new InvalidInputError({
    message: `Model '${modelId}' stage '${stage}' streams audio: expected Float32Array samples or {samples, sampleRate}`,
    modelId,
    step: `stages/${stage}`,
    expected: 'Float32Array or AudioSamples',
    found: value === null ? 'null' : ArrayBuffer.isView(value) ? value.constructor.name : typeof value,
  });
}

/**
 * A ModelGraph stage in StatefulStream mode, driven window by window by the streaming area's StatefulStreamRunner
 * (state and context carried between windows). `runAll` yields one score per window (a Float32Array) for the
 * steps after it; `open` streams: chunks in, and the results of the streamable steps after the stage out
 * (VadSegmenter: speech segments), the same as a whole run gives.
 */
export class StatefulStreamStage {
  private readonly mode: StreamMode;

  constructor(
    mode: StatefulStreamMode,
    private readonly modelId: string,
    private readonly stage: string,
  ) {
    this.mode = { ...mode, sample_rate: mode.sample_rate ?? 16000 };
  }

  private describeSlots(frame: PipelineFrame): void {
    frame.slots.set(STREAM_SLOTS.windowSize, this.mode.window_size);
    frame.slots.set(STREAM_SLOTS.sampleRate, this.mode.sample_rate);
  }

  /** The whole input at once; the last window is zero-padded. */
  async runAll(value: Float32Array | AudioSamples, runner: TensorRunner, signal: AbortSignal, frame: PipelineFrame): Promise<Float32Array> {
    const samples = samplesOf(value, this.modelId, this.stage);
    this.describeSlots(frame);
    frame.slots.set(STREAM_SLOTS.totalSamples, samples.length);
    return new StatefulStreamRunner(this.mode, runner, this.stage, this.modelId).scoreAll(samples, signal);
  }

  /**
   * `runAll` fused with the VadWavDecode before it (a generated pipeline's choice): the 16-bit PCM samples of a mono
   * WAV (vadWavPcm16Samples), each window converted straight into the graph's input buffer. The same scores and
   * slots as `runAll` on the decoded samples, without decoding the whole file into a copy first.
   */
  async runAllPcm16(pcm: Int16Array, runner: TensorRunner, signal: AbortSignal, frame: PipelineFrame): Promise<Float32Array> {
    this.describeSlots(frame);
    frame.slots.set(STREAM_SLOTS.totalSamples, pcm.length);
    return new StatefulStreamRunner(this.mode, runner, this.stage, this.modelId).scoreAllPcm16(pcm, signal);
  }

  /**
   * Push chunks of any length. With no `tail` steps each push resolves with the scores of the windows it completed
   * (one Float32Array); with tail steps (each must be streamable) it resolves with their final results. `settings`
   * override the tail steps' parameters for this session (only those they list in `streamSettings`).
   */
  open(
    runner: TensorRunner,
    signal: AbortSignal,
    tail: readonly StreamTailStep[] = [],
    settings: Readonly<Record<string, unknown>> = {},
  ): PipelineStreamSession<unknown, unknown> {
    const frame = createPipelineFrame(signal);
    this.describeSlots(frame);
    const model = new StatefulStreamRunner(this.mode, runner, this.stage, this.modelId);
    const reframer = new SampleReframer(this.mode.window_size);
    const maxBuffered = this.mode.max_buffered_samples ?? 160000;
    const sync = tail.every((step) => typeof step === 'function');
    const streams: StepStream<unknown, unknown>[] | Promise<StepStream<unknown, unknown>[]> = sync
      ? this.openTail(tail as StepFunction[], frame, settings)
      : Promise.all(tail).then((steps) => this.openTail(steps, frame, settings));
    if (streams instanceof Promise) streams.catch(() => undefined);
    let queue: Promise<unknown> = Promise.resolve();
    let waiting = 0;
    let total = 0;
    let closed = false;
    const through = async (scores: Float32Array | undefined, finish: boolean): Promise<unknown[]> => {
      const chain = await streams;
      if (chain.length === 0) return scores && scores.length > 0 ? [scores] : [];
      let items: unknown[] = scores && scores.length > 0 ? [scores] : [];
      for (const stream of chain) {
        const out: unknown[] = [];
        for (const item of items) out.push(...stream.push(item, frame));
        if (finish) out.push(...stream.finish(frame));
        items = out;
      }
      return items;
    };
    const score = async (windows: Float32Array[]): Promise<Float32Array | undefined> => {
      if (windows.length === 0) return undefined;
      const out = new Float32Array(windows.length);
      for (let i = 0; i < windows.length; i += 1) out[i] = await model.step(windows[i]!, signal);
      return out;
    };
    const serial = <T>(job: () => Promise<T>): Promise<T> => {
      const result = queue.then(job);
      queue = result.catch(() => undefined);
      return result;
    };
    const closedError = (): SwitchyardError => new SwitchyardError({ code: 'STREAM_CLOSED', message: `The stream of '${this.modelId}' is closed` });
    return {
      push: (chunk) => {
        if (closed) return Promise.reject(closedError());
        let samples: Float32Array;
        try {
          samples = samplesOf(chunk, this.modelId, this.stage).slice();
        } catch (error) {
          return Promise.reject(error);
        }
        if (waiting + samples.length > maxBuffered) {
          return Promise.reject(
            new SwitchyardError({
              code: 'STREAM_OVERFLOW',
              message: `The stream of '${this.modelId}' has ${waiting} samples waiting (limit ${maxBuffered}); await earlier pushes first`,
              retriable: true,
              details: { modelId: this.modelId, buffered: waiting, limit: maxBuffered },
            }),
          );
        }
        waiting += samples.length;
        return serial(async () => {
          waiting -= samples.length;
          total += samples.length;
          return through(await score(reframer.push(samples)), false);
        });
      },
      close: () => {
        if (closed) return Promise.resolve([]);
        closed = true;
        return serial(async () => {
          const last = reframer.flush();
          frame.slots.set(STREAM_SLOTS.totalSamples, total);
          return through(await score(last ? [last] : []), true);
        });
      },
    };
  }

  private openTail(steps: readonly StepFunction[], frame: PipelineFrame, settings: Readonly<Record<string, unknown>>): StepStream<unknown, unknown>[] {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new InvalidInputError({ message: `Model '${this.modelId}': stream settings must be an object`, modelId: this.modelId, field: 'settings' });
    }
    const streamable = steps.map((step, index) => {
      if (!isStreamableStep(step)) {
        throw new SwitchyardError({
          code: 'UNSUPPORTED',
          message: `Model '${this.modelId}': step ${index + 1} after stream stage '${this.stage}' cannot run on a stream (it has no streaming form)`,
          details: { modelId: this.modelId, stage: this.stage, index },
        });
      }
      return step;
    });
    const known = new Set(streamable.flatMap((step) => step.streamSettings));
    const unknown = Object.keys(settings).filter((key) => !known.has(key));
    if (unknown.length > 0) {
      throw new InvalidInputError({
        message: `Model '${this.modelId}': unknown stream setting ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${[...known].join(', ') || 'none'})`,
        modelId: this.modelId,
        field: `settings.${unknown[0]}`,
        expected: [...known].join(', ') || 'no settings',
        found: unknown.join(', '),
      });
    }
    return streamable.map((step) =>
      step.openStream(frame, Object.fromEntries(Object.entries(settings).filter(([key]) => step.streamSettings.includes(key)))),
    );
  }
}
