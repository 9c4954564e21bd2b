import { definePlugin } from '@switchyard/spec';
import type { PluginLogger, SwitchyardPlugin } from '@switchyard/spec';
import { HostedAiEngine } from './hosted-ai-engine.js';
import { hostedAiConfigSchema } from './hosted-ai-options.js';
import type { HostedAiPluginOptions, HostedAiPoolOptions } from './hosted-ai-options.js';
import { VERSION } from './hosted-ai-version.js';

/** Creates the engine for one pool (outside the plugin system: close() it when done). */
export function createHostedAiEngine(pool: HostedAiPoolOptions, logger?: PluginLogger): HostedAiEngine {
  return new HostedAiEngine(pool, logger);
}

/** The plugin manifest: one engine per configured pool; shutdown releases every allocation. */
export function createHostedAiPlugin(): SwitchyardPlugin<HostedAiPluginOptions> {
  const engines: HostedAiEngine[] = [];
  return definePlugin<HostedAiPluginOptions>({
    name: '@switchyard/plugin-hosted-ai',
    version: VERSION,
    core: '^0.1.0',
    configSchema: hostedAiConfigSchema,
    register(context) {
      for (const pool of context.options.pools) {
        const engine = new HostedAiEngine(pool, context.logger);
        context.registerEngine(engine);
        engines.push(engine);
        context.logger.info({ engine: pool.id, poolId: pool.poolId, baseURL: pool.baseURL }, 'hosted GPU pool registered');
      }
    },
    async shutdown() {
      const closing = engines.splice(0).map((engine) => engine.close());
      await Promise.all(closing);
    },
  });
}
