import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  describe('models.overrides.<id>.options, checked at app start against the engine\'s modelOptionsSchema', () => {
    /** An app folder with the add-mul graph as model `my-digits` and the override options given (YAML flow). */
    const appWith = (options: string): string => {
      const root = mkdtempSync(join(tmpdir(), 'onnx-model-options-'));
      mkdirSync(join(root, 'models', 'my-digits'), { recursive: true });
      copyFileSync(new URL('../test-fixtures/add-mul.onnx', import.meta.url), join(root, 'models', 'my-digits', 'model.onnx'));
      const metadata = { model_id: 'my-digits', version: '1', files: ['model.onnx'], execution_template: { type: 'Onnx', model_file: 'model.onnx' } };
      writeFileSync(join(root, 'models', 'my-digits', 'model_metadata.json'), JSON.stringify(metadata));
      writeFileSync(join(root, 'switchyard.config.yaml'), ['models:', '  overrides:', `    my-digits: { options: ${options} }`, ''].join('\n'));
      return root;
    };
    const startError = (root: string) =>
      createSwitchyardApp({ configPath: root, plugins: [createOnnxPlugin()], logger: quiet }).then(
        async (app) => {
          await app.shutdown();
          return undefined;
        },
        (e: unknown) => e as SwitchyardError,
      );

    // [options, where the error points (the value; an unknown key: the key), message]
    it.each([
      ['{ intraOpNumThreads: two }', 'two', 'intraOpNumThreads: expected integer, found string "two"'],
      ['{ intraOpNumThreads: -1 }', '-1', 'intraOpNumThreads: expected a number >= 0, found integer -1'],
      ['{ graphOptimizationLevel: fastest }', 'fastest', 'graphOptimizationLevel: expected one of "disabled", "basic", "extended", "all", found string "fastest"'],
      ['{ intraOpNumThreds: 2 }', 'intraOpNumThreds', 'intraOpNumThreds: expected one of the known keys (executionProviders, intraOpNumThreads, interOpNumThreads, graphOptimizationLevel), found unknown key "intraOpNumThreds" (did you mean "intraOpNumThreads"?)'],
    ])('%s is CONFIG_INVALID at the option, line and column', async (options, at, message) => {
      const root = appWith(options);
      const error = await startError(root);
      expect(error?.code).toBe('CONFIG_INVALID');
      const column = `    my-digits: { options: ${options} }`.indexOf(at) + 1;
      expect(error?.message).toBe(`${join(root, 'switchyard.config.yaml')}:3:${column}: /models/overrides/my-digits/options/${message} (model options of engine 'onnx')`);
    });

    it('valid options start the app and the model runs with them', async () => {
      const app = await createSwitchyardApp({ configPath: appWith('{ intraOpNumThreads: 1, graphOptimizationLevel: basic }'), plugins: [createOnnxPlugin()], logger: quiet });
      try {
        const f32 = (values: number[]) => ({ type: 'float32' as const, dims: [1, 4], data: Float32Array.from(values) });
        const result = await app.orchestrator.run({ model: 'my-digits', workload: 'inference', input: { kind: 'tensors', tensors: { a: f32([1, 2, 3, 4]), b: f32([1, 1, 1, 1]) } } });
        expect(result.output.kind).toBe('tensors');
        const engine = app.getEngine('onnx') as OnnxEngine;
        expect(engine.loadedModelIds).toEqual(['my-digits']);
      } finally {
        await app.shutdown();
      }
    });
  });
});
