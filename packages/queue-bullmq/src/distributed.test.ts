import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestratorApi } from '@switchyard/core';
import { createServer, type SwitchyardServer } from '@switchyard/server';
import { readSseFrames } from '@switchyard/server/test';
import { redisSkipReason, startRedis, type TestRedis } from './test-support/redis-server.js';

const skip = redisSkipReason();
const CHILD = fileURLToPath(new URL('./test-support/worker-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sy-distributed-'));
const runsLog = join(dir, 'runs.log');
const prefix = 'dist';
let redis: TestRedis | undefined;
const workers: { child: ChildProcess; id: string }[] = [];
const apis: { server: SwitchyardServer; url: string }[] = [];

const unusedOrchestrator = new Proxy({}, { get: () => () => Promise.reject(new Error('API nodes do not run tasks in distributed mode')) }) as OrchestratorApi;

async function startWorker(): Promise<{ child: ChildProcess; id: string }> {
  const child = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', CHILD, redis!.url, prefix, runsLog, REPO], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SY_TOKEN_DELAY_MS: '10' } });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const id = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /worker (\S+)\n/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr}`)));
  });
  const worker = { child, id };
  workers.push(worker);
  return worker;
}

async function startApi(): Promise<{ server: SwitchyardServer; url: string }> {
  const server = await createServer({
    orchestrator: unusedOrchestrator,
    defaultMetrics: false,
    engineKeyFor: (modelRef) => (modelRef === 'xybrid-minilm' ? 'onnx' : 'fake'),
    config: { queue: { redis: redis!.url, prefix }, admission: { interactiveCapacity: 2000, batchCapacity: 2000 } },
  });
  const api = { server, url: await server.listen({ host: '127.0.0.1', port: 0 }) };
  apis.push(api);
  return api;
}

const runs = () => (existsSync(runsLog) ? readFileSync(runsLog, 'utf8').trim().split('\n').filter(Boolean) : []);
const json = async (url: string) => (await (await fetch(url)).json()) as Record<string, unknown>;

beforeAll(async () => {
  if (skip) return;
  redis = await startRedis();
  await Promise.all([startWorker(), startWorker(), startWorker()]);
  await startApi();
  await startApi();
}, 120_000);

afterAll(async () => {
  for (const { child } of workers) if (child.exitCode === null) child.kill('SIGKILL');
  for (const { server } of apis) await server.close({ deadlineMs: 100 }).catch(() => undefined);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)(`distributed mode: 2 API nodes + 3 worker processes on a real redis-server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('advertises capabilities; 500 tasks with a worker killed -9 mid-run: all terminal, none lost or duplicated', async () => {
    const a = apis[0]!;
    const b = apis[1]!;
    const pools = (await json(`${b.url}/v2/pools`)) as { mode: string; workers: { id: string; engines: string[]; targets: string[] }[] };
    expect(pools.mode).toBe('redis');
    expect(pools.workers.map((worker) => worker.id).sort()).toEqual(workers.map((worker) => worker.id).sort());
    expect(pools.workers[0]!.engines.sort()).toEqual(['fake', 'onnx']);

    const ids = Array.from({ length: 500 }, (_, i) => `d${i}`);
    const onnx = (i: number) => i % 5 === 0;
    const idempotent = (i: number) => i % 4 === 0;
    for (let start = 0; start < ids.length; start += 25) {
      const statuses = await Promise.all(
        ids.slice(start, start + 25).map(async (id) => {
          const i = Number(id.slice(1));
          const body = onnx(i)
            ? { task_id: id, model_ref: 'xybrid-minilm', inputs: { texts: [`sentence number ${i}`] }, priority: 'batch', idempotent: idempotent(i) }
            : { task_id: id, model_ref: 'fake', prompt: 'x', priority: i % 3 === 0 ? 'interactive' : 'batch', idempotent: idempotent(i) };
          return (await fetch(`${a.url}/v2/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-correlation-id': id }, body: JSON.stringify(body) })).status;
        }),
      );
      expect(statuses.every((status) => status === 202)).toBe(true);
    }
    while (runs().length < 100) await new Promise((resolve) => setTimeout(resolve, 10));
    const victim = workers[0]!;
    victim.child.kill('SIGKILL');

    const terminal = new Map<string, string>();
    for (let round = 0; round < 400 && terminal.size < ids.length; round += 1) {
      await Promise.all(
        ids
          .filter((id) => !terminal.has(id))
          .map(async (id) => {
            const { state } = (await json(`${b.url}/v2/tasks/${id}`)) as { state: string };
            if (['completed', 'failed', 'canceled'].includes(state)) terminal.set(id, state);
          }),
      );
      if (terminal.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(terminal.size).toBe(500);

    const counts = new Map<string, number>();
    for (const id of runs()) counts.set(id, (counts.get(id) ?? 0) + 1);
    let resets = 0;
    for (const [i, id] of ids.entries()) {
      const events = await (await fetch(`${b.url}/v2/tasks/${id}/events`)).text();
      const ends = (events.match(/^event: (end|error)$/gm) ?? []).length;
      expect(ends, id).toBe(1); // exactly one result per task
      expect(counts.get(id) ?? 0, id).toBeLessThanOrEqual(idempotent(i) ? 2 : 1);
      if (terminal.get(id) === 'failed') {
        expect(events, id).toContain('"code":"WORKER_RESET"');
        expect(idempotent(i), id).toBe(false);
        resets += 1;
      }
      if (!onnx(i) && terminal.get(id) === 'completed') {
        const tokens = [...events.matchAll(/event: token\ndata: (.*)\n/g)].map((match) => (JSON.parse(match[1]!) as { t: string }).t);
        expect(tokens.join(''), id).toBe(Array.from({ length: 12 }, (_, k) => `t${k} `).join(''));
      }
      if (onnx(i) && terminal.get(id) === 'completed') expect(events, id).toContain('"dims":[1,16]'); // a real MiniLM embedding (16-d stand-in graph)
    }
    // The dead worker's jobs were found stalled and handed on; the others' results came from live workers.
    const stats = (await json(`${a.url}/v2/pools`)) as { cluster: { stalled: number; requeued: number; workers: number } };
    expect(stats.cluster.stalled + stats.cluster.requeued).toBeGreaterThan(0);
    expect(stats.cluster.workers).toBe(2);
    const retried = ids.filter((id) => (counts.get(id) ?? 0) === 2).length;
    process.stdout.write(`distributed: ${ids.length} terminal, ${resets} WORKER_RESET, ${retried} retried, stalled=${stats.cluster.stalled} requeued=${stats.cluster.requeued}\n`);

    // Any API node serves the SSE of any task, byte for byte the same.
    for (const id of ids.slice(0, 20)) expect(await (await fetch(`${b.url}/v2/tasks/${id}/events`)).text()).toBe(await (await fetch(`${a.url}/v2/tasks/${id}/events`)).text());
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_cluster_workers 2/);
  }, 240_000);

  it('a cancel sent to the other API node stops the tokens of a stream served by the first', async () => {
    const a = apis[0]!;
    const b = apis[1]!;
    await fetch(`${a.url}/v2/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task_id: 'cancel-me', model_ref: 'fake', prompt: 'x', max_tokens: 12 }) });
    const response = await fetch(`${a.url}/v2/tasks/cancel-me/events`);
    let tokens = 0;
    let last = '';
    for await (const frame of readSseFrames(response.body!)) {
      last = frame.event === 'error' ? String(frame.data.code) : frame.event;
      if (frame.event === 'token') {
        tokens += 1;
        if (tokens === 2) expect((await fetch(`${b.url}/v2/tasks/cancel-me/cancel`, { method: 'POST' })).status).toBe(204);
      }
    }
    expect(last).toBe('ABORTED');
    expect(tokens).toBeLessThan(12);
  }, 60_000);

  it('a worker that stops heartbeating leaves the capabilities within 2x the TTL', async () => {
    const b = apis[1]!;
    const victim = workers[1]!;
    const listed = async () => ((await json(`${b.url}/v2/pools`)) as { workers: { id: string }[] }).workers.some((worker) => worker.id === victim.id);
    expect(await listed()).toBe(true);
    victim.child.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2 * 1500));
    expect(await listed()).toBe(false);
  }, 60_000);
});
