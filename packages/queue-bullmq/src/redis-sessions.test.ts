import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '@switchyard/server';
import { OrchestratorDouble } from '@switchyard/server/test';
import { TaskWorker } from './task-worker.js';
import { redisSkipReason, startRedis, type TestRedis } from './test-support/redis-server.js';

const skip = redisSkipReason();
let redis: TestRedis | undefined;
let worker: TaskWorker | undefined;
const apis: { server: SwitchyardServer; url: string }[] = [];
const orchestrator = new OrchestratorDouble({ echo: {}, gated: { gated: true, tokens: ['g'] } });
const prefix = 'sessions';

beforeAll(async () => {
  if (skip) return;
  redis = await startRedis();
  worker = new TaskWorker({ redis: redis.url, prefix, orchestrator, engines: [], concurrency: { default: 2 } });
  await worker.start();
  for (let i = 0; i < 2; i += 1) {
    const server = await createServer({ orchestrator, defaultMetrics: false, config: { queue: { redis: redis.url, prefix }, sessions: { maxTurns: 3, tokenBudget: 1000 } } });
    apis.push({ server, url: await server.listen({ host: '127.0.0.1', port: 0 }) });
  }
}, 60_000);

afterAll(async () => {
  orchestrator.release();
  await worker?.close();
  for (const { server } of apis) await server.close({ deadlineMs: 100 });
  await redis?.stop();
});

const post = async (url: string, body: Record<string, unknown>) => {
  const response = await fetch(`${url}/v2/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const json = async (url: string) => (await (await fetch(url)).json()) as Record<string, unknown>;
async function until(condition: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(skip !== undefined)(`distributed sessions: shared by every API node through Redis${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('turns are counted across API nodes, the worker adds the tokens, the turn limit holds on any node', async () => {
    const a = apis[0]!;
    const b = apis[1]!;
    expect((await post(a.url, { task_id: 's1-1', session_id: 's1', model_ref: 'echo', prompt: 'one two three' })).status).toBe(202);
    expect((await post(b.url, { task_id: 's1-2', session_id: 's1', model_ref: 'echo', prompt: 'four' })).status).toBe(202);
    await until(async () => (await json(`${b.url}/v2/tasks/s1-2`)).state === 'completed' && (await json(`${a.url}/v2/tasks/s1-1`)).state === 'completed');
    const session = await json(`${b.url}/v2/sessions/s1`);
    expect(session).toMatchObject({ session_id: 's1', turns: 2, max_turns: 3, token_budget: 1000 });
    expect(session.tokens_used).toBeGreaterThan(0);
    const { ttl_ms_remaining: _ttl, ...same } = session;
    expect(await json(`${a.url}/v2/sessions/s1`)).toMatchObject(same);
    expect((await post(a.url, { session_id: 's1', model_ref: 'echo', prompt: 'five' })).status).toBe(202);
    const over = await post(b.url, { session_id: 's1', model_ref: 'echo', prompt: 'six' });
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 'ADMISSION_REJECT', policy_label: 'session-turns' });
  });

  it('DELETE /v2/sessions/:id on one node cancels the session task admitted on the other and forgets the session', async () => {
    const a = apis[0]!;
    const b = apis[1]!;
    expect((await post(a.url, { task_id: 's2-1', session_id: 's2', model_ref: 'gated', prompt: 'x' })).status).toBe(202);
    await until(async () => orchestrator.waiting > 0); // the worker runs it (held by the gate)
    expect((await fetch(`${b.url}/v2/sessions/s2`, { method: 'DELETE' })).status).toBe(204);
    await until(async () => (await json(`${a.url}/v2/tasks/s2-1`)).state === 'canceled');
    expect((await fetch(`${a.url}/v2/sessions/s2`)).status).toBe(404);
    expect((await fetch(`${b.url}/v2/sessions/s2`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe.skipIf(skip !== undefined)(`distributed task state${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('a task a worker is running shows running on the admitting node before its first frame', async () => {
    const a = apis[0]!;
    orchestrator.release(); // opens gates left by earlier (canceled) calls, so `waiting` counts this task only
    expect((await post(a.url, { task_id: 'state-1', model_ref: 'gated', prompt: 'x' })).status).toBe(202);
    await until(async () => orchestrator.waiting > 0);
    expect((await json(`${a.url}/v2/tasks/state-1`)).state).toBe('running');
    orchestrator.release();
    await until(async () => (await json(`${a.url}/v2/tasks/state-1`)).state === 'completed');
  });
});
