import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSwitchyardApp } from '@switchyard/core';
import type { SwitchyardError } from '@switchyard/spec';
import { createTestPluginContext, fakeOpenAiApi, startTestHttpServer } from '@switchyard/testkit';
import plugin, { VERSION, createMlxPlugin, MlxEngine } from './index.js';
import type { MlxPluginOptions } from './index.js';

const STAND_IN = fileURLToPath(new URL('../test/mlx-stand-in.mjs', import.meta.url));

describe('plugin-mlx manifest', () => {
  it('exports name, version, core range and a schema requiring url or model', () => {
    expect({ name: plugin.name, version: plugin.version, core: plugin.core }).toEqual({ name: '@switchyard/plugin-mlx', version: VERSION, core: '^0.1.0' });
    expect(plugin.configSchema).toMatchObject({ oneOf: [{ required: ['url'] }, { required: ['model'] }] });
  });

  it('registers one engine and stops the server it spawned on shutdown', async () => {
    const { context, engines } = createTestPluginContext<MlxPluginOptions>({ id: 'mlx-local', model: 'mlx-community/stand-in', command: [process.execPath, STAND_IN], requireAppleSilicon: false, probeIntervalMs: 20 });
    const instance = createMlxPlugin();
    await instance.register(context);
    const engine = engines[0] as MlxEngine;
    expect(engine.id).toBe('mlx-local');
    await engine.doLoad({ id: 'chat', files: {} }, new AbortController().signal);
    const pid = engine.supervisor!.pid!;
    await instance.shutdown?.();
    expect(engine.supervisor!.state).toBe('stopped');
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('refuses options with neither url nor model, naming the field', () => {
    expect(() => new MlxEngine({})).toThrow(expect.objectContaining({ code: 'PLUGIN_OPTIONS_INVALID', details: expect.objectContaining({ pointer: '/url' }) }));
  });
});

describe('models.overrides.<id>.options, checked at app start against the MLX engine\'s modelOptionsSchema', () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  /** An app folder whose config has one override line (YAML flow). */
  const appWith = (line: string): string => {
    const root = mkdtempSync(join(tmpdir(), 'mlx-model-options-'));
    writeFileSync(join(root, 'switchyard.config.yaml'), ['models:', '  overrides:', `    ${line}`, ''].join('\n'));
    return root;
  };
  // Attach mode: nothing is spawned, and the app never reaches the url when the options are refused.
  const start = (root: string, url = 'http://127.0.0.1:1') => createSwitchyardApp({ configPath: root, plugins: [{ plugin: createMlxPlugin(), options: { url } }], logger: quiet });

  // [override line, where the error points (the value; an unknown key: the key), the message after the pointer]
  it.each([
    ['llama: { engine: mlx, options: { modle: mlx-community/x } }', 'modle', 'llama/options/modle: expected one of the known keys (model), found unknown key "modle" (did you mean "model"?)'],
    ['llama: { engine: mlx, options: { model: mlx-community/x, port: 8080 } }', 'port', 'llama/options/port: expected one of the known keys (model), found unknown key "port"'],
    ['mlx:llama: { options: { model: 7 } }', '7', 'mlx:llama/options/model: expected string, found integer 7'],
  ])('%s is CONFIG_INVALID at the option, line and column', async (line, at, message) => {
    const root = appWith(line);
    const error = await start(root).then(
      async (app) => {
        await app.shutdown();
        return undefined;
      },
      (e: unknown) => e as SwitchyardError,
    );
    expect(error?.code).toBe('CONFIG_INVALID');
    const column = `    ${line}`.indexOf(at) + 1;
    expect(error?.message).toBe(`${join(root, 'switchyard.config.yaml')}:3:${column}: /models/overrides/${message} (model options of engine 'mlx')`);
  });

  it('a valid `model` starts the app and requests name that model to the server', async () => {
    const server = await startTestHttpServer(fakeOpenAiApi);
    const app = await start(appWith('llama: { engine: mlx, options: { model: gpt-test } }'), server.url);
    try {
      await app.orchestrator.run({ model: 'mlx:llama', workload: 'completion', input: { kind: 'text', prompt: 'a b' } });
      expect(server.requests.at(-1)).toMatchObject({ path: '/v1/chat/completions', body: { model: 'gpt-test' } });
    } finally {
      await app.shutdown();
      await server.close();
    }
  });
});
