/** Where a step runs: used in every error message the step raises. */
export interface StepEnvironment {
  readonly modelId: string;
  /** Location in the metadata, e.g. `preprocessing/2 (Normalize)`. */
  readonly step: string;
  /** Logical file name -> absolute verified path. */
  readonly files: Readonly<Record<string, string>>;
}

/** Per-run scratchpad shared by the steps of one pipeline run. */
export interface PipelineFrame {
  readonly slots: Map<string, unknown>;
  readonly signal: AbortSignal;
}

export type StepFunction<I = unknown, O = unknown> = (input: I, frame: PipelineFrame) => O | Promise<O>;

export type StepFactory<P = any, I = any, O = any> = (
  params: P,
  env: StepEnvironment,
) => StepFunction<I, O> | Promise<StepFunction<I, O>>;

export function createPipelineFrame(signal: AbortSignal): PipelineFrame {
  return { slots: new Map(), signal };
}

/** A step run incrementally over a stream: `push` what arrived, get the results that became final; `finish` flushes. */
export interface StepStream<Chunk, Result> {
  push(chunk: Chunk, frame: PipelineFrame): readonly Result[];
  finish(frame: PipelineFrame): readonly Result[];
}

/**
 * A step that also runs on a stream (after a StatefulStream stage, e.g. VadSegmenter): the same rules whole or
 * streamed. `streamSettings` names the parameters a stream session may override.
 */
export interface StreamableStep<I, O, Chunk, Result> extends StepFunction<I, O> {
  readonly streamSettings: readonly string[];
  openStream(frame: PipelineFrame, settings?: Readonly<Record<string, unknown>>): StepStream<Chunk, Result>;
}

export function isStreamableStep(step: unknown): step is StreamableStep<unknown, unknown, unknown, unknown> {
  return typeof step === 'function' && typeof (step as { openStream?: unknown }).openStream === 'function';
}

/** Slots a StatefulStream stage fills for the steps after it. */
export const STREAM_SLOTS = {
  /** Samples the stage consumed (the real length, not rounded up to the window). */
  totalSamples: 'stream.total_samples',
  /** Samples per model call. */
  windowSize: 'stream.window_size',
  sampleRate: 'stream.sample_rate',
} as const;
