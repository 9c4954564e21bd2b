import { definePlugin } from '@switchyard/spec';
import type { EngineV1, PluginLogger, SwitchyardPlugin } from '@switchyard/spec';
import { AnthropicChatEngine } from './cloud-llm-anthropic-engine.js';
import type { CloudLlmEngine } from './cloud-llm-engine.js';
import { OpenAiChatEngine } from './cloud-llm-openai-engine.js';
import { cloudLlmConfigSchema, validateProvider } from './cloud-llm-options.js';
import type { CloudLlmPluginOptions, CloudLlmProviderOptions } from './cloud-llm-options.js';
import { VERSION } from './cloud-llm-version.js';

/** Creates the engine for one configured provider. */
export function createCloudLlmEngine(provider: CloudLlmProviderOptions, logger?: PluginLogger): CloudLlmEngine {
  return provider.kind === 'anthropic' ? new AnthropicChatEngine(provider, logger) : new OpenAiChatEngine(provider, logger);
}

/** The plugin manifest: one engine per entry of `providers`, registered under the entry's `id`. */
export function createCloudLlmPlugin(): SwitchyardPlugin<CloudLlmPluginOptions> {
  const engines: EngineV1[] = [];
  return definePlugin<CloudLlmPluginOptions>({
    name: '@switchyard/plugin-cloud-llm',
    version: VERSION,
    core: '^0.1.0',
    configSchema: cloudLlmConfigSchema,
    register(context) {
      context.options.providers.forEach(validateProvider);
      for (const provider of context.options.providers) {
        const engine = createCloudLlmEngine(provider, context.logger);
        context.registerEngine(engine);
        engines.push(engine);
        // Only the env var NAME is logged, never its value.
        context.logger.info({ engine: provider.id, kind: provider.kind, baseURL: provider.baseURL, apiKeyEnv: provider.apiKeyEnv }, 'cloud LLM provider registered');
      }
    },
    shutdown() {
      engines.length = 0;
    },
  });
}
