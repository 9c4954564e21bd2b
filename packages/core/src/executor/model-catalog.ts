import { isAbsolute, resolve } from 'node:path';
import { SwitchyardError, type ModelPipeline } from '@switchyard/spec';
import { findPackageRoot, type ProvisionProgress } from '../provisioning/model-provisioner.js';

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
  /** A model pack: the npm package whose root is the model folder, resolved from the app's config folder. */
  readonly package?: string;
  /**
   * A `.xyb` bundle holding the model folder (relative to the app's config folder, or absolute): opened (verified,
   * extracted into the bundle cache) when the model first loads, as a `.xyb` entry of `models.dirs` is.
   */
  readonly bundle?: string;
}

/** Lookup of registry models by id. */
export interface ModelCatalog {
  /** The model, or undefined for an id the catalog does not have (never throws for an unknown id). */
  get(modelId: string): RegisteredModel | undefined;
  /** Every model id the catalog knows (for NO_SUCH_MODEL hints and listings). */
  ids?(): readonly string[];
}

/** Models an AppModelCatalog takes at runtime, at most (docs/server.md#limits). */
export const MAX_ADDED_MODELS = 1024;

/**
 * The app's model lookup under TOKENS.ModelCatalog: the generated registry, the model folders and packs, and models
 * added while the app runs. An added model runs exactly like a folder model (provisioner, then the generated or
 * interpreted pipeline): there is one model path.
 */
export interface AppModelCatalog extends ModelCatalog {
  /**
   * Adds (or replaces) a runtime model: `dir` is its absolute folder, `metadata` its model_metadata.json (already
   * validated by the caller). The registry, folders and packs win over an added id. INVALID_PARAMS beyond
   * MAX_ADDED_MODELS. `file` names where the metadata came from in METADATA_INVALID issues (e.g. the request's
   * `body/metadata`): it has no model_metadata.json in `dir`.
   */
  add(model: RegisteredModel & { readonly dir: string; readonly metadata: unknown; readonly file?: string }): void;
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

/** Resolves and verifies a model's files (core/src/provisioning implements it), reporting each step to `onProgress`. */
export interface ModelFileProvisioner {
  provision(
    modelId: string,
    signal: AbortSignal,
    onProgress?: (progress: ProvisionProgress) => void,
  ): Promise<{ readonly files: Readonly<Record<string, string>>; readonly metadata?: unknown }>;
}

/**
 * Builds an interpreted pipeline from metadata (TemplateExecutor's `createInterpretedPipeline`); `model` is the
 * registry entry it belongs to (its folder names the file in METADATA_INVALID issues).
 */
export type InterpretedPipelineFactory = (metadata: unknown, model?: RegisteredModel) => ModelPipeline | Promise<ModelPipeline>;

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

/**
 * The absolute model folder of a registry entry: its pack's package root (resolved from `baseDir`, the app's config
 * folder), else `dir` against `baseDir`. Undefined when the entry names neither (an in-memory model).
 */
export function resolveModelDir(model: Pick<RegisteredModel, 'id' | 'dir' | 'package'>, baseDir: string): string | undefined {
  if (model.package !== undefined) return resolveModelPack(model.package, baseDir);
  if (model.dir === undefined) return undefined;
  return isAbsolute(model.dir) ? model.dir : resolve(baseDir, model.dir);
}

/**
 * The root folder of an installed model pack; ARTIFACT_NOT_FOUND naming the package, and where it was listed
 * (`models.packages`, or the command-line `flag` that gave it), when it is not installed.
 */
export function resolveModelPack(name: string, baseDir: string, options: { readonly flag?: string } = {}): string {
  const root = findPackageRoot(name, [baseDir]);
  if (root === undefined) {
    throw new SwitchyardError({
      code: 'ARTIFACT_NOT_FOUND',
      message: `model pack '${name}' (${options.flag ?? 'models.packages'}) is not installed: run npm install ${name}`,
      details: { package: name, ...(options.flag ? { flag: options.flag } : {}) },
    });
  }
  return root;
}
