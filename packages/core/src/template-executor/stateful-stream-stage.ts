import type { PipelineStreamSession, TensorRunner } from '@switchyard/spec';
import { InvalidInputError, SwitchyardError } from '@switchyard/spec';
import type { PipelineFrame } from '../steps/step-kernel.js';
import { SampleReframer } from '../streaming/sample-reframer.js';
import type { StatefulStreamMode as StreamMode } from '../streaming/stateful-stream-mode.js';
import { StatefulStreamRunner } from '../streaming/stateful-stream-runner.js';
import type { StatefulStreamMode } from './model-metadata.generated.js';

/** Slot with the number of samples a StatefulStream stage consumed (VadSegmenter reads it). */
export const STREAM_TOTAL_SAMPLES_SLOT = 'vad.total_samples';

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
 * (state and context carried between windows). Yields one score per window (a Float32Array).
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

  /** The whole input at once; the last window is zero-padded. */
  async runAll(value: unknown, runner: TensorRunner, signal: AbortSignal, frame: PipelineFrame): Promise<Float32Array> {
    const samples = samplesOf(value, this.modelId, this.stage);
    frame.slots.set(STREAM_TOTAL_SAMPLES_SLOT, samples.length);
    const model = new StatefulStreamRunner(this.mode, runner, this.stage, this.modelId);
    const reframer = new SampleReframer(this.mode.window_size);
    const windows = reframer.push(samples);
    const last = reframer.flush();
    if (last) windows.push(last);
    const scores = new Float32Array(windows.length);
    for (let i = 0; i < windows.length; i += 1) scores[i] = await model.step(windows[i]!, signal);
    return scores;
  }

  /** Push chunks of any length; each push resolves with the scores of the windows it completed. */
  open(runner: TensorRunner, signal: AbortSignal): PipelineStreamSession<unknown, Float32Array> {
    const model = new StatefulStreamRunner(this.mode, runner, this.stage, this.modelId);
    const reframer = new SampleReframer(this.mode.window_size);
    const maxBuffered = this.mode.max_buffered_samples ?? 160000;
    let queue: Promise<unknown> = Promise.resolve();
    let waiting = 0;
    let closed = false;
    const score = async (windows: Float32Array[]): Promise<Float32Array[]> => {
      if (windows.length === 0) return [];
      const out = new Float32Array(windows.length);
      for (let i = 0; i < windows.length; i += 1) out[i] = await model.step(windows[i]!, signal);
      return [out];
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
        const samples = samplesOf(chunk, this.modelId, this.stage).slice();
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
          return score(reframer.push(samples));
        });
      },
      close: () => {
        if (closed) return Promise.resolve([]);
        closed = true;
        return serial(async () => {
          const last = reframer.flush();
          return score(last ? [last] : []);
        });
      },
    };
  }
}
