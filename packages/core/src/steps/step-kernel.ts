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
