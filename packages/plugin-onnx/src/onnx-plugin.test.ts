import { describe, expect, it } from 'vitest';
import { createSwitchyardApp, SwitchyardError, validatePluginOptions } from '@switchyard/core';
import onnxPlugin, { createOnnxPlugin, OnnxEngine } from './index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('plugin-onnx manifest', () => {
  it('has a configSchema core validates, applying defaults', () => {
    expect(validatePluginOptions(onnxPlugin.name, onnxPlugin.configSchema, {})).toEqual({
      engineId: 'onnx', executionProviders: ['cpu'], graphOptimizationLevel: 'all', sessionCacheSize: 16, warmup: false,
    });
  });

  it.each([
    [{ sessionCacheSize: 0 }, /sessionCacheSize/],
    [{ executionProviders: 'cpu' }, /executionProviders/],
    [{ graphOptimizationLevel: 'max' }, /graphOptimizationLevel/],
    [{ threads: 2 }, /threads/],
  ])('refuses bad options %j with PLUGIN_OPTIONS_INVALID', (options, message) => {
    let error: unknown;
    try {
      validatePluginOptions(onnxPlugin.name, onnxPlugin.configSchema, options);
    } catch (e) {
      error = e;
    }
    expect(SwitchyardError.hasCode(error, 'PLUGIN_OPTIONS_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('registers its engine in a real app and releases it on shutdown', async () => {
    const app = await createSwitchyardApp({ config: {}, plugins: [{ plugin: createOnnxPlugin(), options: { intraOpNumThreads: 1 } }], logger: quiet });
    const other = await createSwitchyardApp({ config: {}, plugins: [{ plugin: createOnnxPlugin() }], logger: quiet });
    const engine = app.engines.find((e) => e.id === 'onnx') as OnnxEngine;
    const otherEngine = other.engines.find((e) => e.id === 'onnx') as OnnxEngine;
    expect(engine).toBeInstanceOf(OnnxEngine);
    expect(engine.options.intraOpNumThreads).toBe(1);
    await engine.doLoad({ id: 'm', files: { 'm.onnx': new URL('../test-fixtures/add-mul.onnx', import.meta.url).pathname } }, new AbortController().signal);
    await otherEngine.doLoad({ id: 'm', files: { 'm.onnx': new URL('../test-fixtures/add-mul.onnx', import.meta.url).pathname } }, new AbortController().signal);
    await app.shutdown();
    expect(engine.loadedModelIds).toEqual([]);
    expect(engine.sessions.size).toBe(0);
    // the other app's engine is untouched
    expect(otherEngine.loadedModelIds).toEqual(['m']);
    await other.shutdown();
    expect(otherEngine.sessions.size).toBe(0);
  });

  it('fails app start with EXECUTION_PROVIDER_UNAVAILABLE for a missing provider', async () => {
    const error = await createSwitchyardApp({ config: {}, plugins: [{ plugin: onnxPlugin, options: { executionProviders: ['cuda'] } }], logger: quiet }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const withCause = (e: unknown): unknown => (SwitchyardError.hasCode(e, 'EXECUTION_PROVIDER_UNAVAILABLE') ? e : e instanceof Error && e.cause ? withCause(e.cause) : undefined);
    expect(withCause(error)).toBeDefined();
    expect(String((error as Error).message)).toMatch(/cuda/);
  });
});
