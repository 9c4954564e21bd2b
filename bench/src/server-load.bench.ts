/**
 * HTTP load on 127.0.0.1: our /v2/tasks (202) + SSE events and /v1/chat/completions against a bare Fastify
 * route doing the same JSON work over the same in-process engine (answers at once, 8 tokens), servers in a child
 * process. One sample = a burst of BURST requests at CONCURRENCY; req/s and per-request p50/p99 are in `report`.
 */
import { defineBenchmark, percentile } from '../harness.js';
import { childCpuUs, expectOk, runPool, send, startTarget, stopTarget, type Target } from './server-load-client.js';

const BURST = Number(process.env.SERVER_LOAD_BURST ?? 200);
const CONCURRENCY = Number(process.env.SERVER_LOAD_CONCURRENCY ?? 16);
const messages = [{ role: 'user', content: 'Summarise the quarterly report in one line.' }];

interface State {
  target: Target;
  latencies: Record<string, number[]>;
  elapsedMs: Record<string, number>;
  requests: Record<string, number>;
  /** CPU time the server process spent per case (µs): the servers' own cost, read from the child around each burst. */
  serverCpuUs: Record<string, number>;
}

function burst(name: string, operation: (state: State, index: number) => Promise<void>) {
  return async (state: State) => {
    const cpuBefore = await childCpuUs(state.target);
    const start = performance.now();
    const latencies = await runPool(BURST, CONCURRENCY, (index) => operation(state, index));
    state.elapsedMs[name] = (state.elapsedMs[name] ?? 0) + (performance.now() - start);
    state.serverCpuUs[name] = (state.serverCpuUs[name] ?? 0) + ((await childCpuUs(state.target)) - cpuBefore);
    (state.latencies[name] ??= []).push(...latencies);
    state.requests[name] = (state.requests[name] ?? 0) + BURST;
  };
}

export default defineBenchmark({
  name: 'server-load',
  warmup: 3,
  iterations: 15,
  setup: async (): Promise<State> => ({ target: await startTarget(), latencies: {}, elapsedMs: {}, requests: {}, serverCpuUs: {} }),
  cases: {
    tasksSse: burst('tasksSse', async ({ target }) => {
      const admitted = await send(`${target.ours}/v2/tasks`, 'POST', { model_ref: 'bench', prompt: 'Summarise the quarterly report in one line.' });
      expectOk(admitted, 'POST /v2/tasks', 'task_id');
      const { streams } = JSON.parse(admitted.body) as { streams: { sse: string } };
      expectOk(await send(`${target.ours}${streams.sse}`, 'GET'), 'SSE', 'event: end');
    }),
    tasksSseDurable: burst('tasksSseDurable', async ({ target }) => {
      const admitted = await send(`${target.oursDurable}/v2/tasks`, 'POST', { model_ref: 'bench', prompt: 'Summarise the quarterly report in one line.' });
      expectOk(admitted, 'POST /v2/tasks (durable)', 'task_id');
      const { streams } = JSON.parse(admitted.body) as { streams: { sse: string } };
      expectOk(await send(`${target.oursDurable}${streams.sse}`, 'GET'), 'SSE (durable)', 'event: end');
    }),
    tasksSseOneCall: burst('tasksSseOneCall', async ({ target }) => {
      expectOk(await send(`${target.ours}/v2/tasks`, 'POST', { model_ref: 'bench', prompt: 'Summarise the quarterly report in one line.' }, { accept: 'text/event-stream' }), 'POST /v2/tasks SSE', 'event: end');
    }),
    bareSse: burst('bareSse', async ({ target }) => {
      expectOk(await send(`${target.bare}/sse`, 'POST', { model_ref: 'bench', prompt: 'Summarise the quarterly report in one line.' }), 'bare SSE', 'event: end');
    }),
    chatCompletions: burst('chatCompletions', async ({ target }) => {
      expectOk(await send(`${target.ours}/v1/chat/completions`, 'POST', { model: 'bench', messages }), 'chat', 'chat.completion');
    }),
    bareFastify: burst('bareFastify', async ({ target }) => {
      expectOk(await send(`${target.bare}/v1/chat/completions`, 'POST', { model: 'bench', messages }), 'bare chat', 'chat.completion');
    }),
  },
  baseline: 'bareFastify',
  report: async (state) => {
    const perCase: Record<string, { reqPerSec: number; p50Ms: number; p99Ms: number; serverCpuUsPerRequest: number }> = {};
    for (const name of Object.keys(state.latencies)) {
      const sorted = [...state.latencies[name]!].sort((a, b) => a - b);
      perCase[name] = {
        reqPerSec: Math.round((state.requests[name]! / state.elapsedMs[name]!) * 1000),
        p50Ms: Number(percentile(sorted, 50).toFixed(3)),
        p99Ms: Number(percentile(sorted, 99).toFixed(3)),
        serverCpuUsPerRequest: Math.round(state.serverCpuUs[name]! / state.requests[name]!),
      };
    }
    const ratio = (ours: string, bare: string) => Number((perCase[ours]!.reqPerSec / perCase[bare]!.reqPerSec).toFixed(3));
    const cpuRatio = (ours: string, bare: string) => Number((perCase[ours]!.serverCpuUsPerRequest / perCase[bare]!.serverCpuUsPerRequest).toFixed(3));
    return {
      burst: BURST,
      concurrency: CONCURRENCY,
      note: 'tasksSse = POST /v2/tasks + GET SSE (2 HTTP requests per task); throughput ratios are ours/bare (1 = as fast as bare Fastify); serverCpuUsPerRequest = CPU time of the server process per request (client excluded), serverCpuRatio = ours/bare of it (1 = as cheap as bare)',
      perCase,
      serverCpuRatio: { chatCompletionsVsBare: cpuRatio('chatCompletions', 'bareFastify'), tasksSseVsBareSse: cpuRatio('tasksSse', 'bareSse'), durableVsInMemory: cpuRatio('tasksSseDurable', 'tasksSse') },
      throughputRatio: { chatCompletionsVsBare: ratio('chatCompletions', 'bareFastify'), tasksSseVsBareSse: ratio('tasksSse', 'bareSse'), tasksSseOneCallVsBareSse: ratio('tasksSseOneCall', 'bareSse'), durableVsInMemory: ratio('tasksSseDurable', 'tasksSse') },
    };
  },
  teardown: async (state) => stopTarget(state.target),
});
