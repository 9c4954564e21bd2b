import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
