import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ModelPipeline } from '@switchyard/spec';
import { defineAppExtension } from '../app/app-extension.js';
import { openXybBundle } from '../bundles/xyb-bundle.js';
import { modelBundleCacheDir, openConfiguredModelCatalog } from '../executor/configured-model-catalog.js';
import { MAX_ADDED_MODELS, resolveModelDir, type AppModelCatalog, type ModelFileProvisioner, type ModelRegistry, type RegisteredModel } from '../executor/model-catalog.js';
import { ModelProvisioner } from '../provisioning/model-provisioner.js';
import { LruCache } from '../routing/lru-cache.js';
import { formatMetadataIssue, type MetadataIssue } from '../template-executor/metadata-invalid-error.js';
import { createInterpretedPipeline } from '../template-executor/template-executor.js';
import { SwitchyardError, TOKENS } from '@switchyard/spec';
import { createOrchestrator } from './create-orchestrator.js';
import type { OrchestrationConfig } from './orchestration-config.js';
import type { Orchestrator } from './orchestrator.js';

/** A registry under TOKENS.ModelRegistry: a generated ModelRegistry (older plugins registered only `get`). */
type RegistryLike = Partial<Pick<ModelRegistry, 'list'>> & Pick<ModelRegistry, 'get'>;

/** Model ids the server config serves without a registry entry (`server.models: [{ id }]`). */
function serverModelIds(server: Readonly<Record<string, unknown>> | undefined): string[] {
  const models = server?.['models'];
  if (!Array.isArray(models)) return [];
  return models.flatMap((m) => (typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'string' ? [(m as { id: string }).id] : []));
}

/** Distinct metadata warnings remembered so each is logged once. */
const WARNED_ISSUES_CACHE_SIZE = 4096;

/** A model's model_metadata.json as messages name it: relative to the config folder, never an absolute server path. */
function metadataFileOf(model: RegisteredModel | undefined, baseDir: string): string {
  // A DirectoryModelCatalog entry carries the name its catalog shows (`FoundModel.file`); an added one, its caller's.
  if (model && 'file' in model && typeof model.file === 'string') return model.file;
  if (model?.package) return `${model.package}/model_metadata.json`;
  if (model?.bundle) return `${relative(baseDir, model.bundle).split(sep).join('/')}/model_metadata.json`;
  if (model?.dir) return relative(baseDir, join(model.dir, 'model_metadata.json')).split(sep).join('/');
  return `${model?.id ?? 'model'}/model_metadata.json`;
}

/**
 * Registers TOKENS.Executor, TOKENS.Orchestrator and TOKENS.EventBus for every app. Models come from the generated
 * registry under TOKENS.ModelRegistry (createSwitchyardApp({ registry }) or config `models.registry`), then from the
 * `models.dirs` folders; folders resolve relative to the config file.
 */
export const orchestratorExtension = defineAppExtension({
  name: 'orchestrator',
  async setup(context) {
    const config = context.config;
    const overrides = config.models?.overrides ?? {};
    const registered = context.container.isRegistered(TOKENS.ModelRegistry, true)
      ? context.container.resolve<RegistryLike>(TOKENS.ModelRegistry)
      : undefined;
    // .xyb entries are extracted (verified) next to the download cache, once per bundle.
    const directory = await openConfiguredModelCatalog(config.models, context.baseDir, { engineFor: (id) => overrides[id]?.engine });
    const bundleCacheDir = modelBundleCacheDir(context.baseDir, config.models?.cacheDir);
    // A registry entry's bundle is opened the same way when its model first loads (once per bundle).
    const openedBundles = new Map<string, Promise<string>>();
    const bundleDir = (bundle: string): Promise<string> => {
      let dir = openedBundles.get(bundle);
      if (!dir) {
        dir = openXybBundle(bundle, { cacheDir: bundleCacheDir }).then((opened) => opened.dir);
        dir.catch(() => openedBundles.delete(bundle));
        openedBundles.set(bundle, dir);
      }
      return dir;
    };
    const located = (entry: RegisteredModel): RegisteredModel => {
      if (entry.bundle !== undefined) return { ...entry, bundle: isAbsolute(entry.bundle) ? entry.bundle : resolve(context.baseDir, entry.bundle) };
      const dir = resolveModelDir(entry, context.baseDir);
      return dir === undefined ? entry : { ...entry, dir };
    };
    const listed = registered?.list ? new Map(registered.list().map((entry) => [entry.id, located(entry)])) : undefined;
    // Models added while the app runs (the server's POST /v2/catalog/models), bounded.
    const added = new Map<string, RegisteredModel>();
    const lookup = (id: string): RegisteredModel | undefined => {
      let entry: RegisteredModel | undefined;
      if (listed) entry = listed.get(id);
      else {
        // A registry's get() may throw NO_SUCH_MODEL for ids it does not know: then try the model folders.
        try {
          const found = registered?.get(id);
          entry = found ? located(found) : undefined;
        } catch {
          entry = undefined;
        }
      }
      return entry ?? directory.get(id) ?? added.get(id);
    };
    const registry: AppModelCatalog = {
      get: (id) => {
        const entry = lookup(id);
        if (!entry) return undefined;
        const engine = entry.engine ?? overrides[id]?.engine;
        return engine ? { ...entry, engine } : entry;
      },
      ids: () => [...new Set([...(listed?.keys() ?? []), ...directory.ids(), ...added.keys()])],
      add: (model) => {
        if (!added.has(model.id) && added.size >= MAX_ADDED_MODELS) {
          throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `At most ${MAX_ADDED_MODELS} models can be added at runtime`, details: { field: 'id', expected: `<= ${MAX_ADDED_MODELS} added models` } });
        }
        // Its metadata was sent, not read from `dir`: issues name what the caller says it came from (metadataFileOf).
        added.set(model.id, { id: model.id, dir: model.dir, metadata: model.metadata, ...(model.engine ? { engine: model.engine } : {}), ...(model.file !== undefined ? { file: model.file } : {}) });
      },
    };
    const files = new ModelProvisioner({ appDir: context.baseDir, ...(config.models?.cacheDir ? { cacheDir: config.models.cacheDir } : {}) });
    const provisioner: ModelFileProvisioner = {
      async provision(modelId, signal, onProgress) {
        const entry = lookup(modelId);
        const dir = entry?.bundle !== undefined ? await bundleDir(entry.bundle) : entry?.dir;
        if (!entry || !dir) return { files: {}, ...(entry?.metadata !== undefined ? { metadata: entry.metadata } : {}) };
        const provisioned = await files.resolve(dir, entry.metadata, signal, onProgress, metadataFileOf(entry, context.baseDir));
        return { files: provisioned.files, metadata: entry.metadata };
      },
    };
    // Unknown (dropped) metadata fields of interpreted models, through the app's logger: once per file and pointer,
    // however often the model loads again (bounded: models added at run time cannot grow it without limit).
    const warned = new LruCache<string, true>(WARNED_ISSUES_CACHE_SIZE);
    const warn = (issue: MetadataIssue): void => {
      const line = formatMetadataIssue(issue);
      if (warned.get(line)) return;
      warned.set(line, true);
      context.logger.warn({ ...issue }, line);
    };
    const orchestrator: Orchestrator = createOrchestrator({
      engines: context.engines,
      logger: context.logger,
      config: config as OrchestrationConfig,
      registry,
      provisioner,
      // Issues name the model's file relative to the config folder (never an absolute server path).
      createInterpretedPipeline: (metadata, model): ModelPipeline => createInterpretedPipeline(metadata, { file: metadataFileOf(model, context.baseDir), onWarning: warn }),
      metadataFile: (model) => metadataFileOf(model, context.baseDir),
      configuredModels: serverModelIds(config.server),
    });
    context.registerInstance(TOKENS.EventBus, orchestrator.events);
    context.registerInstance(TOKENS.Executor, orchestrator.executor);
    context.registerInstance(TOKENS.Orchestrator, orchestrator);
    context.registerInstance(TOKENS.ModelCatalog, registry);
  },
});
