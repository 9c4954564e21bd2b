import { join, resolve } from 'node:path';
import {
  DirectoryModelCatalog,
  MAX_ADDED_MODELS,
  MetadataInvalidError,
  ModelProvisioner,
  NoSuchModelError,
  SwitchyardError,
  pipelineKindOf,
  readProvisioningMetadata,
  sha256File,
  validateModelMetadata,
  type AppModelCatalog,
  type EngineModelSpec,
  type ModelCatalog,
  type PipelineKind,
  type RegisteredModel,
} from '@switchyard/core';
import { redactPaths, registerPrivateRoot } from './redaction.js';

export interface CatalogEntry {
  readonly id: string;
  readonly version?: string;
  readonly task?: string;
  /** The workload the model is run with (`inference` for registry models). */
  readonly workload?: string;
  /** Which pre/post pipeline runs it: the app's generated registry or the interpreter. */
  readonly pipeline?: PipelineKind;
  /** Engine that serves the model (used for per-engine concurrency and /v1/models owned_by). */
  readonly engine?: string;
  readonly description?: string;
  readonly files: readonly string[];
  readonly deprecated?: boolean;
}

export interface CatalogFileReport {
  readonly name: string;
  readonly source: string;
  readonly expected_sha256: string | null;
  readonly sha256: string | null;
  /** ok = digest matches; unverified = no digest declared; mismatch / missing = not loadable. */
  readonly status: 'ok' | 'unverified' | 'mismatch' | 'missing';
  readonly ok: boolean;
  readonly error?: string;
}

export interface CatalogVerifyReport {
  readonly id: string;
  readonly ok: boolean;
  readonly files: readonly CatalogFileReport[];
}

/** POST /v2/catalog/models: a model given by its model_metadata.json (the format of a model folder). */
export interface CatalogAddRequest {
  readonly id: string;
  /** Engine that serves it; must be one the app has (when the catalog knows the engines). */
  readonly engine?: string;
  /** The model_metadata.json document (its `description` and `metadata.task` describe the entry): execution template, files, sources (inside the allowed roots). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** What the server needs from the model catalog. The server never reads model folders itself. */
export interface ServerCatalog {
  list(): Promise<readonly CatalogEntry[]>;
  get(id: string): Promise<CatalogEntry | undefined>;
  /** Registers a model (POST /v2/catalog/models); absent = read-only catalog. */
  add?(request: CatalogAddRequest): Promise<CatalogEntry>;
  /** The engine of a model added through the API, synchronously (admission picks the concurrency key with it). */
  engineOf?(id: string): string | undefined;
  /** sha256 of every file against the digests the metadata declares. */
  verify(id: string): Promise<CatalogVerifyReport>;
  /** Resolved, verified load spec for pool reloads. */
  resolve?(id: string): Promise<EngineModelSpec>;
}

export interface RegistryCatalogOptions {
  /**
   * The app's model registry (`app.executor.registry`): the generated registry, model packs and model folders. The
   * catalog lists exactly the models the app can run; it reads no model folder itself.
   */
  readonly registry: ModelCatalog & { readonly add?: AppModelCatalog['add'] };
  /** Engine ids of the app: an added model naming another engine is refused. */
  readonly engines?: readonly string[];
  /** App directory (npm sources resolve from here too); default cwd. */
  readonly appDir?: string;
  /** Which engine serves a model the registry names none for (default `onnx`). */
  readonly engineFor?: (metadata: Record<string, unknown>) => string | undefined;
  readonly provisioner?: ModelProvisioner;
  /** Folder whose `<id>/` files an entry added through the API resolves from (default `<appDir>/models`). */
  readonly addedModelsDir?: string;
  /** Where entries added through the API are kept (the server's state store), so they survive a restart. */
  readonly store?: { getCatalog<T>(key: string): T | undefined; putCatalog(key: string, value: unknown): void; catalogEntries<T>(): { key: string; value: T }[] };
}

export interface DirectoryCatalogOptions extends Omit<RegistryCatalogOptions, 'registry' | 'addedModelsDir'> {
  /** `models.dirs`: folders holding `<id>/model_metadata.json`, model folders, or `.xyb` bundles. */
  readonly modelsDirs: readonly string[];
  /** Where `.xyb` entries of modelsDirs are extracted (default `<appDir>/.switchyard/cache/bundles`). */
  readonly bundleCacheDir?: string;
}

/**
 * What METADATA_INVALID issues of a model added through the API name, at add and at every later load: the request's
 * field, since `<addedModelsDir>/<id>/` holds its files but no model_metadata.json.
 */
const ADDED_METADATA = 'body/metadata';

interface StoredCatalogEntry {
  readonly entry: CatalogEntry;
  readonly metadata: Record<string, unknown>;
}

interface CatalogModel {
  readonly entry: CatalogEntry;
  readonly dir: string | undefined;
  readonly metadata: Record<string, unknown>;
}

/**
 * The server's catalog over the app's model registry: `GET /v1/models`, `/v1/models/{id}` and `/v2/catalog/models`
 * list every model the app can run (generated registry, model packs, model folders), each with its workload and the
 * pipeline it runs through, plus entries added through the API. Files are resolved and sha256-checked by core's
 * ModelProvisioner (model dir, installed npm package or local path; URLs only when the provisioner allows downloads).
 */
export function createRegistryCatalog(options: RegistryCatalogOptions): ServerCatalog {
  const appDir = resolve(options.appDir ?? process.cwd());
  const provisioner = options.provisioner ?? new ModelProvisioner({ appDir });
  const addedDir = resolve(appDir, options.addedModelsDir ?? 'models');
  registerPrivateRoot(appDir);
  registerPrivateRoot(addedDir);
  const added = new Map<string, CatalogModel>();
  // Entries added through the API earlier (before a restart); a registry model of the same id wins.
  // With an app registry that takes runtime models (AppModelCatalog), they are added there too: tasks then run them
  // through the executor like a folder model.
  for (const { key, value } of options.store?.catalogEntries<StoredCatalogEntry>() ?? []) {
    if (!key.startsWith('model:')) continue;
    const dir = join(addedDir, value.entry.id);
    added.set(value.entry.id, { entry: value.entry, dir, metadata: value.metadata });
    if (!options.registry.get(value.entry.id)) options.registry.add?.({ id: value.entry.id, dir, metadata: value.metadata, file: ADDED_METADATA, ...(value.entry.engine ? { engine: value.entry.engine } : {}) });
  }
  const fromRegistry = (id: string): CatalogModel | undefined => {
    const model = options.registry.get(id);
    if (!model) return undefined;
    const metadata = (model.metadata ?? {}) as Record<string, unknown>;
    if (model.dir !== undefined) registerPrivateRoot(model.dir);
    return { entry: catalogEntry(model, metadata, options.engineFor), dir: model.dir, metadata };
  };
  const find = (id: string): CatalogModel | undefined => fromRegistry(id) ?? added.get(id);
  const all = (): CatalogModel[] => {
    const models = new Map<string, CatalogModel>();
    for (const id of options.registry.ids?.() ?? []) {
      const model = fromRegistry(id);
      if (model) models.set(id, model);
    }
    for (const [id, model] of added) if (!models.has(id)) models.set(id, model);
    return [...models.values()];
  };
  const lookup = (id: string): CatalogModel & { dir: string } => {
    const model = find(id);
    if (!model) throw new NoSuchModelError({ modelId: id, available: all().map((m) => m.entry.id) });
    if (model.dir === undefined) {
      throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `model '${id}' has no folder to resolve its files from`, details: { modelId: id } });
    }
    return model as CatalogModel & { dir: string };
  };

  return {
    async list() {
      return all().map((model) => model.entry);
    },
    async get(id) {
      return find(id)?.entry;
    },
    async add(request) {
      const { id } = request;
      if (find(id)) throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `Model '${id}' is already in the catalog`, details: { field: 'id' } });
      if (added.size >= MAX_ADDED_MODELS) throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `The catalog already holds ${MAX_ADDED_MODELS} models added through the API (the limit)`, details: { field: 'id', expected: `<= ${MAX_ADDED_MODELS} added models` } });
      if (id === '.' || id === '..') throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `body/id '${id}' is not a model id`, details: { field: 'id' } });
      if (request.engine !== undefined && options.engines && !options.engines.includes(request.engine)) {
        throw new SwitchyardError({
          code: 'INVALID_PARAMS',
          message: `body/engine '${request.engine}' is not an engine of this server; engines: ${options.engines.join(', ') || 'none'}`,
          details: { field: 'engine', expected: options.engines.join(' | ') },
        });
      }
      if (request.metadata.model_id !== undefined && request.metadata.model_id !== id) {
        throw new SwitchyardError({
          code: 'INVALID_PARAMS',
          message: `body/metadata/model_id '${String(request.metadata.model_id).slice(0, 128)}' differs from body/id '${id}'`,
          details: { field: 'metadata', pointer: '/metadata/model_id', expected: id },
        });
      }
      const metadata: Record<string, unknown> = { ...request.metadata, model_id: id };
      // The same validation as a model_metadata.json on disk, strict (an unknown field is an error, not dropped),
      // every issue located as body/metadata<pointer>; it includes the path-safety check of files and sources.
      const validation = validateModelMetadata(metadata, { file: ADDED_METADATA, strict: true });
      if (!validation.ok) throw new MetadataInvalidError({ issues: validation.issues });
      const parsed = readProvisioningMetadata(metadata, ADDED_METADATA);
      // npm packages an API-added entry may take files from: only those the configured models already name.
      const namedPackages = new Set<string>();
      for (const model of all()) {
        for (const source of Object.values((model.metadata.sources ?? {}) as Record<string, { npm?: unknown }>)) if (typeof source?.npm === 'string') namedPackages.add(source.npm);
      }
      for (const [file, source] of Object.entries(parsed.sources)) {
        if (source.kind === 'npm' && !namedPackages.has(source.npm)) {
          throw new SwitchyardError({
            code: 'INVALID_PARAMS',
            message: `body/metadata: /sources/${file}/npm names package '${source.npm}', which no configured model uses; allowed: ${[...namedPackages].join(', ') || 'none'}`,
            details: { field: 'metadata', pointer: `/metadata/sources/${file}/npm`, expected: 'an npm package named by a configured model' },
          });
        }
      }
      const extra = (metadata.metadata ?? {}) as Record<string, unknown>;
      const task = typeof extra.task === 'string' ? extra.task : undefined;
      const description = typeof metadata.description === 'string' ? metadata.description : undefined;
      const entry: CatalogEntry = {
        id,
        ...(typeof metadata.version === 'string' ? { version: metadata.version } : {}),
        ...(task !== undefined ? { task } : {}),
        ...(request.engine !== undefined ? { engine: request.engine } : {}),
        ...(description !== undefined ? { description } : {}),
        files: parsed.files,
      };
      // Its folder is `<addedModelsDir>/<id>`: path sources resolve there, inside a configured model root.
      const dir = join(addedDir, id);
      options.registry.add?.({ id, dir, metadata, file: ADDED_METADATA, ...(entry.engine ? { engine: entry.engine } : {}) });
      options.store?.putCatalog(`model:${id}`, { entry, metadata } satisfies StoredCatalogEntry);
      added.set(id, { entry, dir, metadata });
      return find(id)!.entry;
    },
    engineOf(id) {
      return added.get(id)?.entry.engine;
    },
    async verify(id) {
      const model = lookup(id);
      const rows = await provisioner.verify(model.dir, model.metadata);
      const files = rows.map(
        (row): CatalogFileReport => ({
          name: row.file,
          source: redactPaths(row.source),
          expected_sha256: row.expected ?? null,
          sha256: row.found ?? null,
          status: row.status,
          ok: row.status === 'ok' || row.status === 'unverified',
          ...(row.error ? { error: redactPaths(row.error.message) } : {}),
        }),
      );
      return { id, ok: files.every((file) => file.ok), files };
    },
    async resolve(id) {
      const model = lookup(id);
      const provisioned = await provisioner.resolve(model.dir, model.metadata);
      return { id, files: provisioned.files, metadata: model.metadata };
    },
  };
}

function catalogEntry(model: RegisteredModel, metadata: Record<string, unknown>, engineFor: RegistryCatalogOptions['engineFor']): CatalogEntry {
  const extra = (metadata.metadata ?? {}) as Record<string, unknown>;
  const pipeline = pipelineKindOf(model);
  return {
    id: model.id,
    ...(typeof metadata.version === 'string' ? { version: metadata.version } : {}),
    ...(typeof extra.task === 'string' ? { task: extra.task } : {}),
    // Registry models run as `inference` (their pipeline's input in, its output out).
    workload: 'inference',
    ...(pipeline ? { pipeline } : {}),
    engine: model.engine ?? engineFor?.(metadata) ?? 'onnx',
    ...(typeof metadata.description === 'string' ? { description: metadata.description } : {}),
    files: Array.isArray(metadata.files) ? (metadata.files as string[]) : [],
  };
}

/**
 * A catalog over model folders alone (no app): core's DirectoryModelCatalog (the one reader of `models.dirs`, bundles
 * opened into the bundle cache) behind createRegistryCatalog.
 */
export async function createDirectoryCatalog(options: DirectoryCatalogOptions): Promise<ServerCatalog> {
  const appDir = resolve(options.appDir ?? process.cwd());
  const modelsDirs = options.modelsDirs.map((dir) => resolve(dir));
  for (const dir of modelsDirs) registerPrivateRoot(dir);
  const registry = new DirectoryModelCatalog({ dirs: modelsDirs, baseDir: appDir });
  await registry.openBundles({ cacheDir: options.bundleCacheDir ?? join(appDir, '.switchyard', 'cache', 'bundles') });
  return createRegistryCatalog({ ...options, registry, appDir, addedModelsDir: modelsDirs[0] ?? join(appDir, 'models') });
}

export { sha256File };
