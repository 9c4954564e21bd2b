import type { ModelPipeline } from '../contracts/pipeline.js';
import { defineAppExtension } from '../app/app-extension.js';
import { DirectoryModelCatalog } from '../executor/directory-model-catalog.js';
import type { ModelCatalog, ModelFileProvisioner, RegisteredModel } from '../executor/model-catalog.js';
import { ModelProvisioner } from '../provisioning/model-provisioner.js';
import { createInterpretedPipeline } from '../template-executor/template-executor.js';
import { createPaddleOcrPipeline } from '../steps/ocr-pipeline.js';
import { createSileroVadPipeline } from '../streaming/silero-vad-pipeline.js';

/** Hand-written pipelines in core, used when no generated registry provides one. */
const BUILTIN_PIPELINES: Readonly<Record<string, () => ModelPipeline>> = {
  'paddleocr-v4': () => createPaddleOcrPipeline() as ModelPipeline,
  'silero-vad': () => createSileroVadPipeline() as unknown as ModelPipeline,
};
import { TOKENS } from '../tokens.js';
import { createOrchestrator } from './create-orchestrator.js';
import type { OrchestrationConfig } from './orchestration-config.js';
import type { Orchestrator } from './orchestrator.js';

/** A registry registered by @switchyard/models (or an app) under TOKENS.ModelRegistry. */
interface RegistryLike {
  get(id: string): (RegisteredModel & { readonly dir?: string }) | undefined;
}

/**
 * Registers TOKENS.Executor, TOKENS.Orchestrator and TOKENS.EventBus for every app. Models come from
 * TOKENS.ModelRegistry when a plugin registered one, else from the `models.dirs` folders.
 */
export const orchestratorExtension = defineAppExtension({
    name: 'orchestrator',
    setup(context) {
      const config = context.config;
      const overrides = config.models?.overrides ?? {};
      const registered = context.container.isRegistered(TOKENS.ModelRegistry, true)
        ? context.container.resolve<RegistryLike>(TOKENS.ModelRegistry)
        : undefined;
      const directory = new DirectoryModelCatalog(config.models?.dirs ?? ['models'], context.baseDir, (id) => overrides[id]?.engine);
      const pipelines: Record<string, ModelPipeline | undefined> = {};
      // A registry's get() may throw NO_SUCH_MODEL for ids it does not know: then try the model folders.
      const lookup = (id: string): (RegisteredModel & { readonly dir?: string }) | undefined => {
        let entry: (RegisteredModel & { readonly dir?: string }) | undefined;
        try {
          entry = registered?.get(id);
        } catch {
          entry = undefined;
        }
        return entry ?? directory.get(id);
      };
      const registry: ModelCatalog = {
        get: (id) => {
          const entry = lookup(id);
          if (!entry) return undefined;
          const engine = entry.engine ?? overrides[id]?.engine;
          const builtin = entry.pipeline || entry.loadPipeline ? undefined : BUILTIN_PIPELINES[id];
          pipelines[id] ??= builtin?.();
          const pipeline = entry.pipeline ?? pipelines[id];
          return { ...entry, ...(engine ? { engine } : {}), ...(pipeline ? { pipeline } : {}) };
        },
      };
      const files = new ModelProvisioner({ appDir: context.baseDir, ...(config.models?.cacheDir ? { cacheDir: config.models.cacheDir } : {}) });
      const provisioner: ModelFileProvisioner = {
        async provision(modelId, signal) {
          const entry = lookup(modelId);
          if (!entry?.dir) return { files: {}, ...(entry?.metadata !== undefined ? { metadata: entry.metadata } : {}) };
          const provisioned = await files.resolve(entry.dir, entry.metadata, signal);
          return { files: provisioned.files, metadata: entry.metadata };
        },
      };
      const orchestrator: Orchestrator = createOrchestrator({
        engines: context.engines,
        logger: context.logger,
        config: config as OrchestrationConfig,
        registry,
        provisioner,
        createInterpretedPipeline: (metadata): ModelPipeline => createInterpretedPipeline(metadata),
      });
      context.registerInstance(TOKENS.EventBus, orchestrator.events);
      context.registerInstance(TOKENS.Executor, orchestrator.executor);
      context.registerInstance(TOKENS.Orchestrator, orchestrator);
    },
});
