/**
 * HTTP load on 127.0.0.1: our /v2/tasks (202) + SSE events and /v1/chat/completions against a bare Fastify
 * route doing the same JSON work over the same in-process engine (answers at once, 8 tokens), servers in a child
 * process. One sample = a burst of BURST requests at CONCURRENCY; req/s and per-request p50/p99 are in `report`.
 * Each server runs in a process of its own (task API, durable task API, chat, bare), so one case's background work
 * (retention sweeps, WAL checkpoints, collecting its tasks' garbage) is not counted in another case's CPU time or
 * throughput.
 */
import { defineBenchmark, percentile } from '../harness.js';
import { childCpuUs, expectOk, runPool, send, startTarget, stopTarget, type Target } from './server-load-client.js';

type Role = 'tasks' | 'durable' | 'chat' | 'bare';

const BURST = Number(process.env.SERVER_LOAD_BURST ?? 500);
const CONCURRENCY = Number(process.env.SERVER_LOAD_CONCURRENCY ?? 16);
const messages = [{ role: 'user', content: 'Summarise the quarterly report in one line.' }];

/** Warm-up bursts per case: a server reaches its steady state (JIT, pools) only after thousands of requests. */
const WARMUP = 10;

interface Burst {
  readonly elapsedMs: number;
  /** CPU time the server process spent in the burst (µs): the server's own cost, read from the child around it. */
  readonly serverCpuUs: number;
  readonly latencies: readonly number[];
}

interface State {
  targets: Record<Role, Target>;
  /** Every burst per case, warm-up first; the report counts only the measured ones. */
  bursts: Record<string, Burst[]>;
}

function burst(name: string, role: Role, operation: (target: Target, index: number) => Promise<void>) {
  return async (state: State) => {
    const target = state.targets[role];
    const cpuBefore = await childCpuUs(target);
    const start = performance.now();
    const latencies = await runPool(BURST, CONCURRENCY, (index) => operation(target, index));
    const elapsedMs = performance.now() - start;
    (state.bursts[name] ??= []).push({ elapsedMs, serverCpuUs: (await childCpuUs(target)) - cpuBefore, latencies });
  };
}

export default defineBenchmark({
  name: 'server-load',
  warmup: WARMUP,
  iterations: 15,
  setup: async (): Promise<State> => {
    const [tasks, durable, chat, bare] = await Promise.all([startTarget('ours'), startTarget('durable'), startTarget('ours'), startTarget('bare')]);
    return { targets: { tasks, durable, chat, bare }, bursts: {} };
  },
  cases: {
    tasksSse: burst('tasksSse', 'tasks', async (target) => {
      const admitted = await send(`${target.ours}/v2/tasks`, 'POST', { model_ref: 'bench', prompt: 'Summarise the quarterly report in one line.' });
      expectOk(admitted, 'POST /v2/tasks', 'task_id');
      const { streams } = JSON.parse(admitted.body) as { streams: { sse: string } };
      expectOk(await send(`${target.ours}${streams.sse}`, 'GET'), 'SSE', 'event: end');
    }),
    tasksSseDurable: burst('tasksSseDurable', 'durable', async (target) => {
      const admitted = await send(`${target.oursDurable}/v2/tasks`, 'POST', { model_ref: 'bench', prompt: 'Summarise the quarterly report in one line.' });
      expectOk(admitted, 'POST /v2/tasks (durable)', 'task_id');
      const { streams } = JSON.parse(admitted.body) as { streams: { sse: string } };
      expectOk(await send(`${target.oursDurable}${streams.sse}`, 'GET'), 'SSE (durable)', 'event: end');
    }),
    tasksSseOneCall: burst('tasksSseOneCall', 'tasks', async (target) => {
      expectOk(await send(`${target.ours}/v2/tasks`, 'POST', { model_ref: 'bench', prompt: 'Summarise the quarterly report in one line.' }, { accept: 'text/event-stream' }), 'POST /v2/tasks SSE', 'event: end');
    }),
    bareSse: burst('bareSse', 'bare', async (target) => {
      expectOk(await send(`${target.bare}/sse`, 'POST', { model_ref: 'bench', prompt: 'Summarise the quarterly report in one line.' }), 'bare SSE', 'event: end');
    }),
    chatCompletions: burst('chatCompletions', 'chat', async (target) => {
      expectOk(await send(`${target.ours}/v1/chat/completions`, 'POST', { model: 'bench', messages }), 'chat', 'chat.completion');
    }),
    bareFastify: burst('bareFastify', 'bare', async (target) => {
      expectOk(await send(`${target.bare}/v1/chat/completions`, 'POST', { model: 'bench', messages }), 'bare chat', 'chat.completion');
    }),
  },
  baseline: 'bareFastify',
  report: async (state) => {
    const perCase: Record<string, { reqPerSec: number; p50Ms: number; p99Ms: number; serverCpuUsPerRequest: number }> = {};
    for (const [name, all] of Object.entries(state.bursts)) {
      const measured = all.slice(WARMUP);
      const requests = measured.length * BURST;
      const sorted = measured.flatMap((b) => b.latencies).sort((a, b) => a - b);
      perCase[name] = {
        reqPerSec: Math.round((requests / measured.reduce((sum, b) => sum + b.elapsedMs, 0)) * 1000),
        p50Ms: Number(percentile(sorted, 50).toFixed(3)),
        p99Ms: Number(percentile(sorted, 99).toFixed(3)),
        serverCpuUsPerRequest: Math.round(measured.reduce((sum, b) => sum + b.serverCpuUs, 0) / requests),
      };
    }
    const ratio = (ours: string, bare: string) => Number((perCase[ours]!.reqPerSec / perCase[bare]!.reqPerSec).toFixed(3));
    const cpuRatio = (ours: string, bare: string) => Number((perCase[ours]!.serverCpuUsPerRequest / perCase[bare]!.serverCpuUsPerRequest).toFixed(3));
    return {
      burst: BURST,
      concurrency: CONCURRENCY,
      note: 'warm-up bursts excluded; tasksSse = POST /v2/tasks + GET SSE (2 HTTP requests per task); throughput ratios are ours/bare (1 = as fast as bare Fastify); serverCpuUsPerRequest = CPU time of the server process per request (client excluded), serverCpuRatio = ours/bare of it (1 = as cheap as bare)',
      perCase,
      serverCpuRatio: { chatCompletionsVsBare: cpuRatio('chatCompletions', 'bareFastify'), tasksSseVsBareSse: cpuRatio('tasksSse', 'bareSse'), durableVsInMemory: cpuRatio('tasksSseDurable', 'tasksSse') },
      throughputRatio: { chatCompletionsVsBare: ratio('chatCompletions', 'bareFastify'), tasksSseVsBareSse: ratio('tasksSse', 'bareSse'), tasksSseOneCallVsBareSse: ratio('tasksSseOneCall', 'bareSse'), durableVsInMemory: ratio('tasksSseDurable', 'tasksSse') },
    };
  },
  teardown: async (state) => {
    await Promise.all(Object.values(state.targets).map(stopTarget));
  },
});
