import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createSwitchyardApp } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/spec';
import { createTestPluginContext, fakeOpenAiApi, startTestHttpServer } from '@switchyard/testkit';
import plugin, { VERSION, createCloudLlmPlugin } from './index.js';
import type { CloudLlmPluginOptions } from './index.js';
import { retryAfterMs } from './cloud-llm-errors.js';

const fakeContext = (options: CloudLlmPluginOptions) => createTestPluginContext(options);

describe('plugin-cloud-llm manifest', () => {
  it('exports a manifest with name, version, core range and a JSON Schema', () => {
    expect({ name: plugin.name, version: plugin.version, core: plugin.core }).toEqual({ name: '@switchyard/plugin-cloud-llm', version: VERSION, core: '^0.1.0' });
    expect(plugin.configSchema).toMatchObject({ type: 'object', required: ['providers'] });
  });

  it('registers one engine per provider under its id, logging the env var NAME but never the key', async () => {
    const KEY = 'sk-never-log-me-1234567890';
    process.env.SWITCHYARD_TEST_PLUGIN_KEY = KEY;
    try {
      const { context, engines, logs } = fakeContext({
        providers: [
          { id: 'openai', kind: 'openai', apiKeyEnv: 'SWITCHYARD_TEST_PLUGIN_KEY' },
          { id: 'claude', kind: 'anthropic', apiKeyEnv: 'SWITCHYARD_TEST_PLUGIN_KEY' },
          { id: 'vllm', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:8000/v1' },
        ],
      });
      await createCloudLlmPlugin().register(context);
      expect(engines.map((e) => [e.id, e.capabilities.targets[0]])).toEqual([['openai', 'cloud'], ['claude', 'cloud'], ['vllm', 'edge']]);
      expect(logs.join('\n')).toContain('SWITCHYARD_TEST_PLUGIN_KEY');
      expect(logs.join('\n')).not.toContain(KEY);
      // Build the SDK clients, then make sure nothing printable carries the key.
      for (const engine of engines) await engine.health();
      expect(inspect(engines, { depth: 10 })).not.toContain(KEY);
      expect(JSON.stringify(engines)).not.toContain(KEY);
    } finally {
      delete process.env.SWITCHYARD_TEST_PLUGIN_KEY;
    }
  });

  it('refuses an openai-compatible provider without baseURL, naming the JSON pointer', async () => {
    const { context } = fakeContext({ providers: [{ id: 'ok', kind: 'openai-compatible', baseURL: 'http://x/v1' }, { id: 'local', kind: 'openai-compatible' }] });
    const error = await (async () => createCloudLlmPlugin().register(context))().catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'PLUGIN_OPTIONS_INVALID')).toBe(true);
    expect((error as SwitchyardError).message).toBe("plugin-cloud-llm: /providers/1/baseURL is required for kind 'openai-compatible' (provider 'local')");
    expect((error as SwitchyardError).details).toMatchObject({ pointer: '/providers/1/baseURL' });
  });

  it('refuses a cloud provider without apiKeyEnv', async () => {
    const { context } = fakeContext({ providers: [{ id: 'openai', kind: 'openai' }] });
    const error = await (async () => createCloudLlmPlugin().register(context))().catch((e: unknown) => e);
    expect((error as SwitchyardError).details).toMatchObject({ pointer: '/providers/0/apiKeyEnv' });
  });
});

describe('models.overrides.<id>.options, checked at app start against the cloud engine\'s modelOptionsSchema', () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  /** An app folder whose config has one override line (YAML flow) for the given id. */
  const appWith = (line: string): string => {
    const root = mkdtempSync(join(tmpdir(), 'cloud-llm-model-options-'));
    writeFileSync(join(root, 'switchyard.config.yaml'), ['models:', '  overrides:', `    ${line}`, ''].join('\n'));
    return root;
  };
  const start = (root: string, baseURL = 'http://127.0.0.1:1/v1') =>
    createSwitchyardApp({ configPath: root, plugins: [{ plugin: createCloudLlmPlugin(), options: { providers: [{ id: 'vllm', kind: 'openai-compatible', baseURL }] } }], logger: quiet });
  const startError = (root: string) =>
    start(root).then(
      async (app) => {
        await app.shutdown();
        return undefined;
      },
      (e: unknown) => e as SwitchyardError,
    );

  // [override line, where the error points (the value; an unknown key: the key), the message after the pointer]
  it.each([
    ['chat: { engine: vllm, options: { modle: gpt-test } }', 'modle', 'chat/options/modle: expected one of the known keys (model), found unknown key "modle" (did you mean "model"?)'],
    ['chat: { engine: vllm, options: { model: gpt-test, temperature: 0.2 } }', 'temperature', 'chat/options/temperature: expected one of the known keys (model), found unknown key "temperature"'],
    ['vllm:chat: { options: { model: 4 } }', '4', 'vllm:chat/options/model: expected string, found integer 4'],
  ])('%s is CONFIG_INVALID at the option, line and column', async (line, at, message) => {
    const root = appWith(line);
    const error = await startError(root);
    expect(error?.code).toBe('CONFIG_INVALID');
    const column = `    ${line}`.indexOf(at) + 1;
    expect(error?.message).toBe(`${join(root, 'switchyard.config.yaml')}:3:${column}: /models/overrides/${message} (model options of engine 'vllm')`);
  });

  it('a valid `model` starts the app and requests go out under that provider model name', async () => {
    const server = await startTestHttpServer(fakeOpenAiApi);
    const app = await start(appWith('chat: { engine: vllm, options: { model: gpt-test } }'), `${server.url}/v1`);
    try {
      await app.orchestrator.run({ model: 'vllm:chat', workload: 'completion', input: { kind: 'text', prompt: 'a b' } });
      expect(server.requests.at(-1)).toMatchObject({ path: '/v1/chat/completions', body: { model: 'gpt-test' } });
    } finally {
      await app.shutdown();
      await server.close();
    }
  });
});

describe('retryAfterMs', () => {
  it('prefers retry-after-ms, accepts seconds and HTTP dates, ignores junk', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2.5' }))).toBe(2500);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' }), Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(30_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
