import type { ModelPipeline } from '../contracts/pipeline.js';

/** A registry entry as the Executor needs it (the generated registry in @switchyard/models satisfies this shape). */
export interface RegisteredModel {
  readonly id: string;
  /** Parsed model_metadata.json. */
  readonly metadata?: unknown;
  /** Generated pre -> infer -> post pipeline; absent = the TemplateExecutor interprets the metadata. */
  readonly pipeline?: ModelPipeline;
  /** Lazily imported generated pipeline (the @switchyard/models registry entries have this). */
  readonly loadPipeline?: () => Promise<ModelPipeline<any, any>>;
  /** Preferred engine id (e.g. `onnx`). */
  readonly engine?: string;
}

/** Lookup of registry models by id. */
export interface ModelCatalog {
  get(modelId: string): RegisteredModel | undefined;
}

/** Resolves and verifies a model's files (core/src/provisioning implements it). */
export interface ModelFileProvisioner {
  provision(
    modelId: string,
    signal: AbortSignal,
  ): Promise<{ readonly files: Readonly<Record<string, string>>; readonly metadata?: unknown }>;
}

/** Builds an interpreted pipeline from metadata (TemplateExecutor's `createInterpretedPipeline`). */
export type InterpretedPipelineFactory = (metadata: unknown) => ModelPipeline | Promise<ModelPipeline>;

/** A catalog over a plain map; handy for apps and tests. */
export function createModelCatalog(models: Iterable<RegisteredModel>): ModelCatalog {
  const byId = new Map<string, RegisteredModel>();
  for (const model of models) byId.set(model.id, model);
  return { get: (id) => byId.get(id) };
}
