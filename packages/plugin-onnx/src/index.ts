import { readFileSync } from 'node:fs';
import { definePlugin } from '@switchyard/spec';
import { OnnxEngine } from './onnx-engine.js';
import { onnxOptionsSchema, type OnnxPluginOptions } from './onnx-options.js';

/** The version of @switchyard/plugin-onnx, read from its package.json (never a hand-kept copy). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export { OnnxEngine } from './onnx-engine.js';
export type { OnnxPluginOptions, GraphOptimizationLevel } from './onnx-options.js';
export { onnxOptionsSchema, onnxModelOptionsSchema, availableExecutionProviders } from './onnx-options.js';

/** Creates the onnxruntime-node engine (also what the plugin registers). */
export function createOnnxEngine(options: OnnxPluginOptions = {}): OnnxEngine {
  return new OnnxEngine(options);
}

/**
 * A plugin manifest that registers one ONNX engine (id `onnx` unless `engineId` is set) and releases its sessions
 * on shutdown. Shutdown hooks get no context, so an app that wants its own lifecycle (two apps in one process)
 * passes its own `createOnnxPlugin()` instead of the shared default manifest.
 */
export function createOnnxPlugin() {
  const engines = new Set<OnnxEngine>();
  return definePlugin<OnnxPluginOptions>({
    name: '@switchyard/plugin-onnx',
    version: VERSION,
    core: '^0.1.0',
    configSchema: onnxOptionsSchema,
    register(context) {
      const engine = createOnnxEngine(context.options);
      engines.add(engine);
      context.registerEngine(engine);
    },
    async shutdown() {
      const closing = [...engines];
      engines.clear();
      await Promise.all(closing.map((engine) => engine.close()));
    },
  });
}

const onnxPlugin = createOnnxPlugin();

export default onnxPlugin;
