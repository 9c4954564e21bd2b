import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchyardApp, definePlugin, type EngineV1, type SwitchyardApp } from '@switchyard/core';
import { createServerForApp, type SwitchyardServer } from '@switchyard/server';
import { TaskWorker } from './task-worker.js';
import { redisSkipReason, startRedis, type TestRedis } from './test-support/redis-server.js';

// An API node over a real app (its router decides the queue) and an in-process worker on a real redis-server.
const skip = redisSkipReason();
let redis: TestRedis | undefined;
let app: SwitchyardApp | undefined;
let server: SwitchyardServer | undefined;
let worker: TaskWorker | undefined;
let url = '';

const echo = (id: string): EngineV1 => ({
  specificationVersion: 'v1',
  id,
  capabilities: { workloads: ['completion'], targets: ['cloud'], features: ['streaming'] },
  doLoad: async () => undefined,
  doRun: async () => ({ output: { kind: 'text', text: `${id} answered` } }),
  async *doStream() {
    yield { type: 'delta', kind: 'text', text: `${id} answered` };
    yield { type: 'finish', usage: {}, finishReason: 'stop' };
  },
  doUnload: async () => undefined,
  health: async () => ({ ok: true }),
});

beforeAll(async () => {
  if (skip) return;
  redis = await startRedis();
  app = await createSwitchyardApp({
    config: { routing: { routes: { chat: { targets: ['b:m', 'a:m'] } } }, queue: { redis: redis.url, prefix: 'routed' }, server: { dataDir: false }, telemetry: { logLevel: 'silent' } },
    plugins: [definePlugin({ name: 'two', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => ['a', 'b'].forEach((id) => context.registerEngine(echo(id))) })],
  });
  worker = new TaskWorker({ redis: redis.url, prefix: 'routed', orchestrator: app.orchestrator, engines: app.engines, concurrency: { a: 1, b: 1 } });
  await worker.start();
  server = await createServerForApp(app, { port: 0 });
  url = await server.listen();
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await server?.close({ deadlineMs: 100 });
  await redis?.stop();
});

describe.skipIf(skip !== undefined)(`distributed mode over a real app${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('a task naming a route is queued on its first target\'s engine, which workers consume, and runs', async () => {
    const accepted = await fetch(`${url}/v2/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task_id: 'route-1', model_ref: 'chat', prompt: 'x' }) });
    expect(accepted.status).toBe(202);
    let state = '';
    for (let i = 0; i < 200 && state !== 'completed' && state !== 'failed'; i++) {
      state = ((await (await fetch(`${url}/v2/tasks/route-1`)).json()) as { state: string }).state;
      if (state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(state).toBe('completed');
    const events = await (await fetch(`${url}/v2/tasks/route-1/events`)).text();
    expect(events).toContain('b answered');
  });

  it('POST /v2/catalog/models is refused with UNSUPPORTED naming queue.redis (workers would not know the model)', async () => {
    const response = await fetch(`${url}/v2/catalog/models`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'added', metadata: { model_id: 'added' } }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('not available in distributed mode (queue.redis)') });
  });
});
