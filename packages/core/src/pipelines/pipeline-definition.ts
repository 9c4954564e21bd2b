import type { GenerationParameters, RequestTarget, Workload } from '@switchyard/spec';

/** One stage of a pipeline file (schemas/pipeline.schema.json). */
export interface PipelineStageDefinition {
  readonly id: string;
  readonly description?: string;
  readonly model?: string;
  readonly route?: string;
  readonly target?: RequestTarget;
  readonly workload?: Workload;
  readonly prompt?: string;
  readonly system?: string;
  readonly input?: string;
  readonly when?: string;
  readonly needs?: readonly string[];
  readonly optional?: boolean;
  readonly timeoutMs?: number;
  readonly retry?: { readonly maxAttempts?: number };
  readonly fallback?: readonly string[];
  readonly parameters?: GenerationParameters;
  readonly tags?: readonly string[];
}

export interface PipelineInputDefinition {
  readonly kind: 'text' | 'image' | 'audio' | 'json';
  readonly description?: string;
  readonly default?: unknown;
}

/** A pipeline file as written. */
export interface PipelineDefinition {
  readonly name: string;
  readonly description?: string;
  readonly maxParallelism?: number;
  readonly inputs?: Readonly<Record<string, PipelineInputDefinition>>;
  readonly output?: string;
  readonly stages: readonly PipelineStageDefinition[];
}
