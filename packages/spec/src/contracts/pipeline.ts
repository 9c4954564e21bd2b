import type { TensorMap } from './engine/v1/tensor.js';

/**
 * What a model pipeline (generated or the TemplateExecutor) calls for inference. The Executor builds
 * one on top of an engine's doRun; the pipeline never picks engines or targets itself.
 */
export interface TensorRunner {
  /** Runs one graph (`stage` names a ModelGraph stage; undefined = the model's single graph). */
  run(stage: string | undefined, feeds: TensorMap, signal: AbortSignal): Promise<TensorMap>;
}

export interface PipelineContext {
  readonly runner: TensorRunner;
  readonly signal: AbortSignal;
  /** Logical file name -> absolute verified local path (vocab files, tokenizer.json, ...). */
  readonly files: Readonly<Record<string, string>>;
}

/** A chunk-in streaming session of one model (e.g. VAD): push chunks, read partial results, close to flush. */
export interface PipelineStreamSession<Chunk, Result> {
  push(chunk: Chunk): Promise<readonly Result[]>;
  close(): Promise<readonly Result[]>;
}

/** One model's pre -> infer -> post pipeline. Generated modules and the TemplateExecutor both produce this. */
export interface ModelPipeline<Input = unknown, Output = unknown> {
  readonly modelId: string;
  run(input: Input, context: PipelineContext): Promise<Output>;
  /** Present for models with a stateful streaming mode. */
  openStream?(context: PipelineContext, options?: Record<string, unknown>): PipelineStreamSession<unknown, unknown>;
}
