import { definePlugin } from '@switchyard/spec';
import type { PluginLogger, SwitchyardPlugin } from '@switchyard/spec';
import { MlxEngine } from './mlx-engine.js';
import { mlxConfigSchema } from './mlx-options.js';
import type { MlxPluginOptions } from './mlx-options.js';
import { VERSION } from './mlx-version.js';

/** Creates an MLX engine (outside the plugin system: close() it to stop a spawned server). */
export function createMlxEngine(options: MlxPluginOptions, logger?: PluginLogger): MlxEngine {
  return new MlxEngine(options, logger);
}

/** The plugin manifest: one MLX engine; shutdown stops the server it spawned. */
export function createMlxPlugin(): SwitchyardPlugin<MlxPluginOptions> {
  let engine: MlxEngine | undefined;
  return definePlugin<MlxPluginOptions>({
    name: '@switchyard/plugin-mlx',
    version: VERSION,
    core: '^0.1.0',
    configSchema: mlxConfigSchema,
    register(context) {
      engine = new MlxEngine(context.options, context.logger);
      context.registerEngine(engine);
    },
    async shutdown() {
      await engine?.close();
      engine = undefined;
    },
  });
}
