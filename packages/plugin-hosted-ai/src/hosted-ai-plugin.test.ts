import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPluginContext, startTestHttpServer } from '@switchyard/testkit';
import type { TestHttpServer } from '@switchyard/testkit';
import { FakeHostedPool } from '../test/fake-hosted-pool.js';
import plugin, { VERSION, allocationRequirements, backoffDelayMs, createHostedAiPlugin } from './index.js';
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

describe('backoffDelayMs and allocationRequirements', () => {
  it('doubles from 100 ms and caps at 10 s', () => {
    const retry = { attempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 };
    expect([1, 2, 3, 7, 8, 20].map((n) => backoffDelayMs(n, retry))).toEqual([100, 200, 400, 6400, 10_000, 10_000]);
  });
  it('defaults the VRAM ceiling to the floor and doubles it under overcommit', () => {
    expect(allocationRequirements({ minTflops: 5, minVramMb: 8000 })).toEqual({ min_tflops: 5, min_vram_mb: 8000, max_vram_mb: 8000 });
    expect(allocationRequirements({ minTflops: 5, minVramMb: 8000, overcommit: true, gpuFamily: 'hopper' })).toEqual({ min_tflops: 5, min_vram_mb: 8000, max_vram_mb: 16000, gpu_family: 'hopper' });
  });
});
