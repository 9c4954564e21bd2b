/**
 * Distributed mode on a private redis-server (127.0.0.1, started here): a sleep engine (10 ms per task) served by
 * 1, 2 and 4 TaskWorkers (concurrency 4 each, own Redis/BullMQ connections) behind one API node; one sample = a
 * burst of BURST tasks admitted over HTTP and followed to `end` over SSE. tasks/s and the scaling ratios are in
 * `report`, together with the admission -> end latency of a no-op task in Redis mode vs the embedded scheduler.
 */
import type { InferenceRequest, InferenceResult, InferenceStreamPart, OrchestratorApi, PipelineStreamSession } from '@switchyard/core';
import { createServer, type SwitchyardServer } from '@switchyard/server';
import { TaskWorker } from '@switchyard/queue-bullmq';
import { startRedis, type TestRedis } from '@switchyard/queue-bullmq/test';
import { defineBenchmark, percentile } from '../harness.js';
import { expectOk, runPool, send } from './server-load-client.js';

const BURST = Number(process.env.DIST_BURST ?? 400);
const SLEEP_MS = 10;

class SleepOrchestrator implements OrchestratorApi {
  constructor(private readonly sleepMs: number) {}
  async run(request: InferenceRequest): Promise<InferenceResult> {
    if (this.sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, this.sleepMs));
    return {
      output: { kind: 'json', value: { ok: true, model: request.model } },
      usage: {},
      finishReason: 'stop',
      policy: { outcome: 'allow', reason: 'bench' },
      decision: { target: 'local', engine: 'sleep', model: request.model, reason: 'bench', source: 'pin' },
      attempts: [],
      timings: { queueMs: 0, preprocessMs: 0, inferMs: this.sleepMs, postprocessMs: 0, totalMs: this.sleepMs },
    };
  }
  async *stream(): AsyncIterable<InferenceStreamPart> {
    yield { type: 'finish', usage: {}, finishReason: 'stop' };
  }
  async openStreamSession(): Promise<PipelineStreamSession<unknown, unknown>> {
    return { push: async () => [], close: async () => [] };
  }
}

interface Deployment {
  server: SwitchyardServer;
  url: string;
  workers: TaskWorker[];
}

interface State {
  redis: TestRedis;
  deployments: Record<string, Deployment>;
  embedded: { server: SwitchyardServer; url: string };
  elapsedMs: Record<string, number>;
  tasks: Record<string, number>;
  latencies: Record<string, number[]>;
}

let prefixes = 0;
async function deploy(redis: TestRedis, workers: number, sleepMs: number): Promise<Deployment> {
  const prefix = `bench${(prefixes += 1)}`;
  const orchestrator = new SleepOrchestrator(sleepMs);
  const started: TaskWorker[] = [];
  for (let i = 0; i < workers; i += 1) {
    const worker = new TaskWorker({ redis: redis.url, prefix, orchestrator, engines: [], concurrency: { default: 4 } });
    await worker.start();
    started.push(worker);
  }
  const server = await createServer({ orchestrator, defaultMetrics: false, config: { queue: { redis: redis.url, prefix }, admission: { interactiveCapacity: 8192, batchCapacity: 8192 } } });
  return { server, url: await server.listen({ host: '127.0.0.1', port: 0 }), workers: started };
}

async function oneTask(url: string): Promise<void> {
  const response = await send(`${url}/v2/tasks`, 'POST', { inputs: { json: { n: 1 } }, model_ref: 'sleep', priority: 'batch' }, { accept: 'text/event-stream' });
  expectOk(response, 'POST /v2/tasks SSE', 'event: end');
}

function burst(name: string, concurrency: number) {
  return async (state: State) => {
    const { url } = state.deployments[name]!;
    const start = performance.now();
    // Enough tasks in flight to keep every worker slot busy.
    await runPool(BURST, Math.max(16, concurrency * 3), () => oneTask(url));
    state.elapsedMs[name] = (state.elapsedMs[name] ?? 0) + (performance.now() - start);
    state.tasks[name] = (state.tasks[name] ?? 0) + BURST;
  };
}

function latency(name: string, url: (state: State) => string) {
  return async (state: State) => {
    const latencies = await runPool(50, 1, () => oneTask(url(state)));
    (state.latencies[name] ??= []).push(...latencies);
  };
}

export default defineBenchmark({
  name: 'distributed-scaling',
  warmup: 1,
  iterations: 5,
  setup: async (): Promise<State> => {
    const redis = await startRedis();
    const deployments: Record<string, Deployment> = {
      workers1: await deploy(redis, 1, SLEEP_MS),
      workers2: await deploy(redis, 2, SLEEP_MS),
      workers4: await deploy(redis, 4, SLEEP_MS),
      noopRedis: await deploy(redis, 1, 0),
    };
    const embeddedServer = await createServer({ orchestrator: new SleepOrchestrator(0), defaultMetrics: false, config: { admission: { concurrency: { default: 4 } } } });
    const embedded = { server: embeddedServer, url: await embeddedServer.listen({ host: '127.0.0.1', port: 0 }) };
    return { redis, deployments, embedded, elapsedMs: {}, tasks: {}, latencies: {} };
  },
  cases: {
    workers1: burst('workers1', 4),
    workers2: burst('workers2', 8),
    workers4: burst('workers4', 16),
    noopRedisLatency: latency('noopRedis', (state) => state.deployments.noopRedis!.url),
    noopEmbeddedLatency: latency('noopEmbedded', (state) => state.embedded.url),
  },
  baseline: 'workers1',
  report: async (state) => {
    const rate = (name: string) => Math.round((state.tasks[name]! / state.elapsedMs[name]!) * 1000);
    const lat = (name: string) => {
      const sorted = [...(state.latencies[name] ?? [])].sort((a, b) => a - b);
      return { p50Ms: Number(percentile(sorted, 50).toFixed(2)), p99Ms: Number(percentile(sorted, 99).toFixed(2)) };
    };
    const tasksPerSec = { workers1: rate('workers1'), workers2: rate('workers2'), workers4: rate('workers4') };
    return {
      burst: BURST,
      sleepMs: SLEEP_MS,
      concurrencyPerWorker: 4,
      note: 'in-process TaskWorkers (own Redis + BullMQ connections) on a 2-core machine; one API node; admission->end measured by the client (POST with Accept: text/event-stream)',
      tasksPerSec,
      scaling: { from1to2: Number((tasksPerSec.workers2 / tasksPerSec.workers1).toFixed(2)), from1to4: Number((tasksPerSec.workers4 / tasksPerSec.workers1).toFixed(2)) },
      noopAdmissionToEnd: { redis: lat('noopRedis'), embedded: lat('noopEmbedded') },
    };
  },
  teardown: async (state) => {
    for (const deployment of Object.values(state.deployments)) {
      for (const worker of deployment.workers) await worker.close();
      await deployment.server.close({ deadlineMs: 100 });
    }
    await state.embedded.server.close({ deadlineMs: 100 });
    await state.redis.stop();
  },
});
