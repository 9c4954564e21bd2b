import type { EngineV1, PluginLogger } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { Executor } from '../executor/executor.js';
import type { InterpretedPipelineFactory, ModelCatalog, ModelFileProvisioner, RegisteredModel } from '../executor/model-catalog.js';
import { PolicyEngine } from '../policy/policy-engine.js';
import { LlmClassifier } from '../routing/llm-classifier.js';
import { ModelClassifier } from '../routing/model-classifier.js';
import { Router } from '../routing/router.js';
import type { PromptClassifier } from '../routing/classification.js';
import { EventBus } from '../telemetry/event-bus.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';
import type { OrchestrationConfig } from './orchestration-config.js';
import { Orchestrator } from './orchestrator.js';

export interface CreateOrchestratorOptions {
  readonly engines: readonly EngineV1[];
  /** The app config (only policy/routing/resilience/telemetry are read). */
  readonly config?: OrchestrationConfig;
  readonly registry?: ModelCatalog;
  readonly provisioner?: ModelFileProvisioner;
  readonly createInterpretedPipeline?: InterpretedPipelineFactory;
  /** What METADATA_INVALID issues raised at model load call a registry model's file (ExecutorOptions.metadataFile). */
  readonly metadataFile?: (model: RegisteredModel) => string;
  readonly events?: EventBus;
  readonly logger?: PluginLogger;
  /** Model ids served without a registry entry or route (e.g. `server.models`); others fail with NO_SUCH_MODEL. */
  readonly configuredModels?: readonly string[];
  /** Extra classifiers by kind (e.g. a custom `rules`). */
  readonly classifiers?: Readonly<Record<string, PromptClassifier>>;
}

/**
 * Wires executor, policy, router and telemetry. Throws POLICY_EXPRESSION_INVALID / CONFIG_INVALID for bad config,
 * so call it at app start.
 */
export function createOrchestrator(options: CreateOrchestratorOptions): Orchestrator {
  const config = options.config ?? {};
  const logger = options.logger ?? createOrchestrationLogger(config.telemetry);
  const events = options.events ?? new EventBus((error) => logger.error({ err: error }, 'event listener failed'));
  const executor = new Executor({
    engines: options.engines,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.provisioner ? { provisioner: options.provisioner } : {}),
    ...(options.createInterpretedPipeline ? { createInterpretedPipeline: options.createInterpretedPipeline } : {}),
    ...(options.metadataFile ? { metadataFile: options.metadataFile } : {}),
    ...(config.resilience ? { resilience: config.resilience } : {}),
    ...(modelOptionsOf(config) ? { modelOptions: modelOptionsOf(config)! } : {}),
    events,
  });
  const policy = new PolicyEngine(config.policy);
  let orchestrator: Orchestrator | undefined;
  const router = new Router({
    executor,
    ...(config.routing ? { config: config.routing } : {}),
    ...(config.telemetry?.prices ? { prices: config.telemetry.prices } : {}),
    ...(options.classifiers ? { classifiers: options.classifiers } : {}),
    createClassifier: (kind, model) => {
      // A failed classification falls back to the safe default; say so, with the model and the error code only.
      const onFailure = (error: unknown) =>
        logger.warn({ classifier: kind, model, code: SwitchyardError.isInstance(error) ? error.code : 'INTERNAL' }, `routing classifier '${kind}:${model}' failed; using the default classification (routes large)`);
      return kind === 'llm'
        ? new LlmClassifier(async (prompt, signal) => {
            const result = await orchestrator!.run(
              { model, workload: 'completion', input: { kind: 'text', prompt }, parameters: { maxTokens: 64, temperature: 0 } },
              signal ? { signal } : {},
            );
            return result.output.kind === 'text' ? result.output.text : JSON.stringify(result.output);
          }, onFailure)
        : new ModelClassifier(async (text, signal) => {
            const result = await orchestrator!.run(
              { model, workload: 'inference', input: { kind: 'text', prompt: text } },
              signal ? { signal } : {},
            );
            const value = result.output.kind === 'json' ? result.output.value : undefined;
            return (value && typeof value === 'object' ? value : {}) as Record<string, number>;
          }, onFailure);
    },
  });
  orchestrator = new Orchestrator({ executor, policy, router, events, logger, config, ...(options.configuredModels ? { configuredModels: options.configuredModels } : {}) });
  return orchestrator;
}

/** `models.overrides.<id>.options` -> the Executor's per-model engine options (keyed by model id). */
function modelOptionsOf(config: OrchestrationConfig): Record<string, Readonly<Record<string, unknown>>> | undefined {
  const entries = Object.entries(config.models?.overrides ?? {}).filter(([, override]) => override.options !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries.map(([id, override]) => [id, override.options!])) : undefined;
}
