import type { ModelPipeline } from '@switchyard/spec';

/** Which implementation of a model's pre/post pipeline ran: the codegen output or the TemplateExecutor. */
export type PipelineKind = 'generated' | 'interpreted';

/** A registry entry as the Executor needs it (a generated registry's entries satisfy this shape). */
export interface RegisteredModel {
  readonly id: string;
  /** Parsed model_metadata.json. */
  readonly metadata?: unknown;
  /**
   * The model folder (its `files` and `sources` paths resolve inside it): absolute, or relative to the app's
   * base directory (the config file's directory).
   */
  readonly dir?: string;
  /** Generated pre -> infer -> post pipeline; absent (with `loadPipeline`) = the TemplateExecutor interprets the metadata. */
  readonly pipeline?: ModelPipeline;
  /** Lazily imported generated pipeline (what generated registries give). */
  readonly loadPipeline?: () => Promise<ModelPipeline<any, any>>;
  /** Preferred engine id (e.g. `onnx`). */
  readonly engine?: string;
}

/** Lookup of registry models by id. */
export interface ModelCatalog {
  get(modelId: string): RegisteredModel | undefined;
  /** Every model id the catalog knows (for NO_SUCH_MODEL hints and listings). */
  ids?(): readonly string[];
}

/**
 * A generated model registry (`npx switchyard codegen` writes one into the app): plug it in with
 * `createSwitchyardApp({ registry })` or the config entry `models.registry`.
 */
export interface ModelRegistry {
  /** Every model of the registry. */
  list(): readonly RegisteredModel[];
  /** The entry of one model; undefined (or a thrown NO_SUCH_MODEL) for an id the registry does not have. */
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
  return { get: (id) => byId.get(id), ids: () => [...byId.keys()] };
}

/** The pipeline a registry entry runs through. */
export function pipelineKindOf(model: RegisteredModel): PipelineKind | undefined {
  if (model.pipeline || model.loadPipeline) return 'generated';
  return model.metadata !== undefined ? 'interpreted' : undefined;
}
