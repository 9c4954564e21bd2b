import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineRunRequest } from '@switchyard/spec';
import { runEngineConformance, startTestHttpServer, rejectionOf } from '@switchyard/testkit';
import type { TestHttpServer } from '@switchyard/testkit';
import { FakeHostedPool } from '../test/fake-hosted-pool.js';
import { HostedAiEngine } from './hosted-ai-engine.js';
import type { HostedAiPoolOptions } from './hosted-ai-options.js';

const prompt = 'the quick brown fox jumps over the lazy dog';
const run = (modelId = 'llama-3-8b', extra: Partial<EngineRunRequest> = {}): EngineRunRequest => ({ modelId, workload: 'completion', input: { kind: 'text', prompt }, ...extra });
const signal = () => new AbortController().signal;
const pool = (url: string, extra: Partial<HostedAiPoolOptions> = {}): HostedAiPoolOptions => ({
  id: 'hosted-ai:test',
  baseURL: url,
  poolId: 'pool-a',
  requirements: { minTflops: 50, minVramMb: 16000, maxVramMb: 40000, gpuFamily: 'ampere' },
  timeoutMs: 2000,
  ...extra,
});

let conformancePool: FakeHostedPool;
let conformanceServer: TestHttpServer;
runEngineConformance(() => new HostedAiEngine(pool(conformanceServer.url)), {
  name: 'hosted-ai engine conformance',
  setup: async () => {
    conformancePool = new FakeHostedPool();
    conformanceServer = await startTestHttpServer(conformancePool.handle);
  },
  dispose: (engine) => (engine as HostedAiEngine).close(),
  teardown: async () => {
    expect(conformancePool.live.size, 'allocations left on the pool').toBe(0);
    await conformanceServer.close();
  },
  model: { id: 'llama-3-8b', files: {} },
  request: run(),
  checkResult: (result) => expect(result.output).toEqual({ kind: 'text', text: prompt.split(' ').reverse().join(' ') }),
});

describe('HostedAiEngine against the pool protocol', () => {
  let fake: FakeHostedPool;
  let server: TestHttpServer;
  let engine: HostedAiEngine;
  beforeAll(async () => {
    fake = new FakeHostedPool();
    server = await startTestHttpServer(fake.handle);
  });
  beforeEach(async () => {
    engine = new HostedAiEngine(pool(server.url));
    await engine.doLoad({ id: 'llama-3-8b', files: {} }, signal());
  });
  afterEach(async () => {
    await engine.close();
    expect(fake.live.size, 'no allocation may outlive close()').toBe(0);
    fake.failAllocations = [];
    fake.failInferences = [];
    fake.inferenceDelayMs = 0;
  });
  afterAll(() => server.close());

  it('allocates with the requirements, infers on the allocation, and reuses it', async () => {
    const before = fake.allocations;
    const first = await engine.doRun(run('llama-3-8b', { parameters: { maxTokens: 3, temperature: 0.5, topP: 0.9, stop: ['.'] } }), signal());
    expect(first).toEqual({ output: { kind: 'text', text: 'dog lazy the' }, finishReason: 'length', usage: { totalTokens: 3 }, metrics: { pool_infer_ms: 12 } });
    await engine.doRun(run(), signal());
    expect(fake.allocations - before).toBe(1);
    const allocate = server.requests.find((r) => r.path === '/v1/allocations')!;
    expect(allocate.body).toMatchInlineSnapshot(`
      {
        "duration_seconds": 600,
        "metadata": {
          "client": "switchyard",
          "engine": "hosted-ai:test",
        },
        "pool_id": "pool-a",
        "preemptible": false,
        "requirements": {
          "gpu_family": "ampere",
          "max_vram_mb": 40000,
          "min_tflops": 50,
          "min_vram_mb": 16000,
        },
      }
    `);
    const infer = server.requests.filter((r) => r.path.startsWith('/v1/inference/'))[0]!;
    expect(infer.path).toBe(`/v1/inference/${engine.allocation!.id}`);
    expect(infer.body).toMatchInlineSnapshot(`
      {
        "model": "llama-3-8b",
        "parameters": {
          "max_tokens": 3,
          "stop_sequences": [
            ".",
          ],
          "temperature": 0.5,
          "top_p": 0.9,
        },
        "prompt": "the quick brown fox jumps over the lazy dog",
      }
    `);
  });

  it('sends the correlation id as x-request-id and the W3C trace context with the inference call', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await engine.doRun(run('llama-3-8b', { correlationId: 'req-5', traceparent, tracestate: 'k=v' }), signal());
    const infer = server.requests.filter((r) => r.path.startsWith('/v1/inference/')).at(-1)!;
    expect(infer.headers).toMatchObject({ 'x-request-id': 'req-5', traceparent, tracestate: 'k=v' });
    await engine.doRun(run(), signal());
    expect(server.requests.filter((r) => r.path.startsWith('/v1/inference/')).at(-1)!.headers.traceparent).toBeUndefined();
  });

  it('shares one allocation between concurrent first calls', async () => {
    const before = fake.allocations;
    const results = await Promise.all([1, 2, 3, 4].map(() => engine.doRun(run(), signal())));
    expect(results.map((r) => r.output)).toEqual(Array(4).fill({ kind: 'text', text: prompt.split(' ').reverse().join(' ') }));
    expect(fake.allocations - before).toBe(1);
  });

  it('keeps (and later releases) an allocation whose caller aborted while it was being made', async () => {
    const controller = new AbortController();
    const pending = rejectionOf(engine.doRun(run(), controller.signal));
    controller.abort();
    expect((await pending).code).toBe('ABORTED');
    await engine.close();
    expect(fake.live.size).toBe(0);
  });

  it('doubles max_vram_mb when overcommit is on', async () => {
    const over = new HostedAiEngine(pool(server.url, { requirements: { minTflops: 10, minVramMb: 8000, maxVramMb: 24000, overcommit: true } }));
    await over.doLoad({ id: 'm', files: {} }, signal());
    await over.doRun(run('m'), signal());
    await over.close();
    expect(server.requests.filter((r) => r.path === '/v1/allocations').at(-1)!.body).toMatchObject({ requirements: { min_vram_mb: 8000, max_vram_mb: 48000 } });
  });

  it('makes exactly one call for a busy pool (503) and reports it retriable, with Retry-After, for the orchestrator to retry', async () => {
    const before = server.requests.filter((r) => r.path === '/v1/allocations').length;
    fake.failAllocations = [503];
    const error = await rejectionOf(engine.doRun(run(), signal()));
    expect({ code: error.code, retriable: error.retriable }).toEqual({ code: 'POOL_UNAVAILABLE', retriable: true });
    expect(server.requests.filter((r) => r.path === '/v1/allocations').length - before).toBe(1);
    fake.failAllocations = [429];
    expect(await rejectionOf(engine.doRun(run(), signal()))).toMatchObject({ code: 'RATE_LIMITED', retriable: true, retryAfterMs: 0 });
    expect((await engine.doRun(run(), signal())).output).toMatchObject({ kind: 'text' });
  });

  it("reports the pool's finish_reason: length when max_tokens cut the text, stop otherwise", async () => {
    expect((await engine.doRun(run(), signal())).finishReason).toBe('stop');
    expect((await engine.doRun(run('llama-3-8b', { parameters: { maxTokens: 2 } }), signal())).finishReason).toBe('length');
  });

  it('reports requirements no GPU meets as ALLOCATION_FAILED without retrying', async () => {
    const allocationsBefore = server.requests.filter((r) => r.path === '/v1/allocations').length;
    fake.failAllocations = [409];
    const error = await rejectionOf(engine.doRun(run(), signal()));
    expect({ code: error.code, retriable: error.retriable }).toEqual({ code: 'ALLOCATION_FAILED', retriable: false });
    expect(error.message).toContain('no GPU satisfies the requirements');
    expect(server.requests.filter((r) => r.path === '/v1/allocations').length - allocationsBefore).toBe(1);
  });

  it('releases the allocation on close even after inference errors (no fake output)', async () => {
    await engine.doRun(run(), signal());
    fake.failInferences = [500];
    const error = await rejectionOf(engine.doRun(run(), signal()));
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(fake.live.size).toBe(1);
    await engine.close();
    expect(fake.live.size).toBe(0);
    expect((await rejectionOf(engine.doRun(run(), signal()))).code).toBe('ENGINE_UNAVAILABLE');
  });

  it('reallocates once when the pool has dropped the allocation', async () => {
    await engine.doRun(run(), signal());
    fake.live.clear();
    const result = await engine.doRun(run(), signal());
    expect(result.output).toMatchObject({ kind: 'text' });
    expect(fake.live.size).toBe(1);
  });

  it('does not reuse an allocation about to expire', async () => {
    fake.leaseMs = 1000;
    try {
      await engine.doRun(run(), signal());
      const firstId = engine.allocation!.id;
      await engine.doRun(run(), signal());
      expect(engine.allocation!.id).not.toBe(firstId);
    } finally {
      fake.leaseMs = 600_000;
    }
  });

  it('releases on idle', async () => {
    const idle = new HostedAiEngine(pool(server.url, { idleReleaseMs: 20 }));
    await idle.doLoad({ id: 'm', files: {} }, signal());
    await idle.doRun(run('m'), signal());
    const id = idle.allocation!.id;
    await expect.poll(() => fake.live.has(id), { timeout: 5000 }).toBe(false);
    await idle.close();
  });

  it('times out a slow pool and reports a retriable TIMEOUT', async () => {
    const slow = new HostedAiEngine(pool(server.url, { timeoutMs: 50 }));
    await slow.doLoad({ id: 'm', files: {} }, signal());
    fake.inferenceDelayMs = 1000;
    const error = await rejectionOf(slow.doRun(run('m'), signal()));
    expect({ code: error.code, retriable: error.retriable }).toEqual({ code: 'TIMEOUT', retriable: true });
    await slow.close();
  });

  it('reports pool health from GET /v1/pools/{id}, and an unreachable pool as not ok', async () => {
    expect(await engine.health()).toMatchObject({ ok: true, details: { poolId: 'pool-a', status: 'available', availableGpus: 4 } });
    fake.poolStatus = 'unavailable';
    expect(await engine.health()).toMatchObject({ ok: false, reason: "hosted-ai:test: pool 'pool-a' reports status 'unavailable'" });
    fake.poolStatus = 'available';
    const down = new HostedAiEngine(pool('http://127.0.0.1:9'));
    expect(await down.health()).toMatchObject({ ok: false, details: { code: 'CONNECTION_FAILED' } });
  });
});
