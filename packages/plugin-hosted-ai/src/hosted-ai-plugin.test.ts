import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchyardApp } from '@switchyard/core';
import type { SwitchyardError } from '@switchyard/spec';
import { createTestPluginContext, startTestHttpServer } from '@switchyard/testkit';
import type { TestHttpServer } from '@switchyard/testkit';
import { FakeHostedPool } from '../test/fake-hosted-pool.js';
import plugin, { VERSION, allocationRequirements, createHostedAiPlugin } from './index.js';
import type { HostedAiPluginOptions } from './index.js';

describe('plugin-hosted-ai manifest', () => {
  let fake: FakeHostedPool;
  let server: TestHttpServer;
  beforeAll(async () => {
    fake = new FakeHostedPool();
    server = await startTestHttpServer(fake.handle);
  });
  afterAll(() => server.close());

  it('exports name, version, core range and schema', () => {
    expect({ name: plugin.name, version: plugin.version, core: plugin.core }).toEqual({ name: '@switchyard/plugin-hosted-ai', version: VERSION, core: '^0.1.0' });
    expect(plugin.configSchema).toMatchObject({ required: ['pools'] });
  });

  it('registers an engine per pool and releases every allocation on shutdown', async () => {
    const options: HostedAiPluginOptions = {
      pools: ['a', 'b'].map((p) => ({ id: `hosted-ai:${p}`, baseURL: server.url, poolId: p, requirements: { minTflops: 1, minVramMb: 1000 } })),
    };
    const { context, engines } = createTestPluginContext(options);
    const instance = createHostedAiPlugin();
    await instance.register(context);
    expect(engines.map((e) => e.id)).toEqual(['hosted-ai:a', 'hosted-ai:b']);
    for (const engine of engines) {
      await engine.doLoad({ id: 'm', files: {} }, new AbortController().signal);
      await engine.doRun({ modelId: 'm', workload: 'completion', input: { kind: 'text', prompt: 'a b' } }, new AbortController().signal);
    }
    expect(fake.live.size).toBe(2);
    await instance.shutdown?.();
    expect(fake.live.size).toBe(0);
  });
});

describe('allocationRequirements', () => {
  it('defaults the VRAM ceiling to the floor and doubles it under overcommit', () => {
    expect(allocationRequirements({ minTflops: 5, minVramMb: 8000 })).toEqual({ min_tflops: 5, min_vram_mb: 8000, max_vram_mb: 8000 });
    expect(allocationRequirements({ minTflops: 5, minVramMb: 8000, overcommit: true, gpuFamily: 'hopper' })).toEqual({ min_tflops: 5, min_vram_mb: 8000, max_vram_mb: 16000, gpu_family: 'hopper' });
  });
});

describe('one retry loop: the orchestrator', () => {
  it('a run() against a pool that answers 503 makes exactly resilience.retry.maxAttempts inference calls', async () => {
    const { createSwitchyardApp } = await import('@switchyard/core');
    const fake = new FakeHostedPool();
    const server = await startTestHttpServer(fake.handle);
    const app = await createSwitchyardApp({
      config: { resilience: { retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 } } },
      plugins: [{ plugin: createHostedAiPlugin(), options: { pools: [{ id: 'pool-p', baseURL: server.url, poolId: 'p', requirements: { minTflops: 1, minVramMb: 1000 } }] } }],
      logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child() { return this; } } as never,
    });
    try {
      fake.failInferences = [503, 503, 503, 503, 503, 503];
      const error = await app.orchestrator.run({ model: 'pool-p:llama', workload: 'completion', input: { kind: 'text', prompt: 'a b c' } }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: expect.stringMatching(/POOL_UNAVAILABLE|ROUTE_UNAVAILABLE/) });
      expect(server.requests.filter((r) => r.path.startsWith('/v1/inference/')).length).toBe(2);
    } finally {
      await app.shutdown();
      await server.close();
    }
  });
});

describe('models.overrides.<id>.options, checked at app start against the pool engine\'s modelOptionsSchema', () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  /** An app folder whose config has one override line (YAML flow). */
  const appWith = (line: string): string => {
    const root = mkdtempSync(join(tmpdir(), 'hosted-ai-model-options-'));
    writeFileSync(join(root, 'switchyard.config.yaml'), ['models:', '  overrides:', `    ${line}`, ''].join('\n'));
    return root;
  };
  const start = (root: string, baseURL = 'http://127.0.0.1:1') =>
    createSwitchyardApp({ configPath: root, plugins: [{ plugin: createHostedAiPlugin(), options: { pools: [{ id: 'pool-p', baseURL, poolId: 'p', requirements: { minTflops: 1, minVramMb: 1000 } }] } }], logger: quiet });

  // [override line, where the error points (the value; an unknown key: the key), the message after the pointer]
  it.each([
    ['llama: { engine: pool-p, options: { modle: llama-3-8b } }', 'modle', 'llama/options/modle: expected one of the known keys (model), found unknown key "modle" (did you mean "model"?)'],
    ['llama: { engine: pool-p, options: { model: llama-3-8b, gpuFamily: hopper } }', 'gpuFamily', 'llama/options/gpuFamily: expected one of the known keys (model), found unknown key "gpuFamily"'],
    ['pool-p:llama: { options: { model: [a, b] } }', '[a, b]', 'pool-p:llama/options/model: expected string, found array'],
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
    expect(error?.message).toBe(`${join(root, 'switchyard.config.yaml')}:3:${column}: /models/overrides/${message} (model options of engine 'pool-p')`);
  });

  it('a valid `model` starts the app and inference calls name that model to the pool', async () => {
    const fake = new FakeHostedPool();
    const server = await startTestHttpServer(fake.handle);
    const app = await start(appWith('llama: { engine: pool-p, options: { model: llama-3-8b } }'), server.url);
    try {
      await app.orchestrator.run({ model: 'pool-p:llama', workload: 'completion', input: { kind: 'text', prompt: 'a b' } });
      expect(server.requests.filter((r) => r.path.startsWith('/v1/inference/')).map((r) => (r.body as { model: unknown }).model)).toEqual(['llama-3-8b']);
    } finally {
      await app.shutdown();
      await server.close();
    }
    expect(fake.live.size).toBe(0);
  });
});
