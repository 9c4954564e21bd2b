import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createTestPluginContext } from '@switchyard/testkit';
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

describe('retryAfterMs', () => {
  it('prefers retry-after-ms, accepts seconds and HTTP dates, ignores junk', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2.5' }))).toBe(2500);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:30 GMT' }), Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(30_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
