/**
 * Child process for the server load benches: hosts our server and a bare Fastify route doing the same JSON work
 * over the same in-process engine (returns at once), both on 127.0.0.1:0. Sends {ours, bare} base URLs over IPC
 * and answers {type:'rss'} with its memory usage and {type:'cpu'} with its CPU time so far (µs, user + system).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import Fastify from 'fastify';
import type { CallOptions, InferenceRequest, InferenceResult, InferenceStreamPart, OrchestratorApi, PipelineStreamSession } from '@switchyard/core';
import { createServer } from '@switchyard/server';

export const TOKENS_PER_REPLY = 8;

/** An engine that answers at once: 8 tokens, no timers, honours an already-aborted signal. */
class InstantOrchestrator implements OrchestratorApi {
  async run(request: InferenceRequest): Promise<InferenceResult> {
    return {
      output: { kind: 'text', text: tokensFor(request).join('') },
      usage: { inputTokens: 4, outputTokens: TOKENS_PER_REPLY },
      finishReason: 'stop',
      policy: { outcome: 'allow', reason: 'bench' },
      decision: { target: 'local', engine: 'instant', model: request.model, reason: 'bench', source: 'pin' },
      attempts: [],
      timings: { queueMs: 0, preprocessMs: 0, inferMs: 0, postprocessMs: 0, totalMs: 0 },
    };
  }
  async *stream(request: InferenceRequest, options: CallOptions = {}): AsyncIterable<InferenceStreamPart> {
    for (const text of tokensFor(request)) {
      if (options.signal?.aborted) throw new Error('aborted');
      yield { type: 'delta', kind: 'text', text };
    }
    yield { type: 'finish', usage: { inputTokens: 4, outputTokens: TOKENS_PER_REPLY }, finishReason: 'stop' };
  }
  async openStreamSession(): Promise<PipelineStreamSession<unknown, unknown>> {
    return { push: async () => [], close: async () => [] };
  }
}

function tokensFor(request: InferenceRequest): string[] {
  const input = request.input;
  const seed = input.kind === 'text' ? (input.prompt ?? input.messages?.at(-1)?.content ?? '') : '';
  return Array.from({ length: TOKENS_PER_REPLY }, (_, i) => `${seed.slice(0, 4)}${i} `);
}

const orchestrator = new InstantOrchestrator();
// SERVER_BENCH_ROLE picks the servers this process hosts (default all three): 'ours', 'durable' or 'bare' alone
// keeps one server's background work (retention, WAL checkpoints, GC of its tasks) out of another's CPU time.
const role = process.env.SERVER_BENCH_ROLE ?? 'all';
const hosts = (name: string) => role === 'all' || role === name;
// SERVER_BENCH_DEFAULT_RETENTION=1 (the server-rss soak): the documented retention defaults (24 h, 10,000 tasks, 64 MiB).
// SERVER_BENCH_ARTIFACTS_MB caps the in-memory artifact store (default 256 MiB) so a short soak reaches every cap.
const serverConfig = (extra: { dataDir?: string } = {}) => ({
  admission: { interactiveCapacity: 4096, batchCapacity: 4096, concurrency: { default: 1024 } },
  ...(process.env.SERVER_BENCH_DEFAULT_RETENTION === '1' ? {} : { taskRetentionMs: 2000 }),
  ...(process.env.SERVER_BENCH_ARTIFACTS_MB ? { artifacts: { maxTotalBytes: Number(process.env.SERVER_BENCH_ARTIFACTS_MB) * 1024 * 1024 } } : {}),
  ...extra,
});
const ours = hosts('ours') ? await createServer({ orchestrator, config: serverConfig(), defaultMetrics: false }) : undefined;
const oursUrl = ours ? await ours.listen({ host: '127.0.0.1', port: 0 }) : '';
// The same server with durable state (SQLite + blobs under a temp dataDir): the embedded default of `switchyard serve`.
const dataDir = mkdtempSync(join(tmpdir(), 'sy-bench-state-'));
const oursDurable = hosts('durable') ? await createServer({ orchestrator, config: serverConfig({ dataDir }), defaultMetrics: false }) : undefined;
const oursDurableUrl = oursDurable ? await oursDurable.listen({ host: '127.0.0.1', port: 0 }) : '';

// Bare Fastify: same body parsing + schema-free JSON work, same engine, no admission/auth/SSE bookkeeping.
const bare = Fastify({ logger: false });
bare.post<{ Body: { model: string; messages: { role: 'user'; content: string }[] } }>('/v1/chat/completions', async (request) => {
  const result = await orchestrator.run({ model: request.body.model, workload: 'completion', input: { kind: 'text', messages: request.body.messages } });
  return {
    id: 'chatcmpl-bare',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.body.model,
    choices: [{ index: 0, message: { role: 'assistant', content: result.output.kind === 'text' ? result.output.text : '' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 4, completion_tokens: TOKENS_PER_REPLY, total_tokens: 4 + TOKENS_PER_REPLY },
  };
});
bare.post<{ Body: { model_ref: string; prompt: string } }>('/sse', async (request, reply) => {
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
  reply.raw.write(`event: started\ndata: ${JSON.stringify({ queue_position: 0, predicted_start_ms: 0 })}\n\n`);
  let i = 0;
  for await (const part of orchestrator.stream({ model: request.body.model_ref, workload: 'completion', input: { kind: 'text', prompt: request.body.prompt } })) {
    if (part.type === 'delta' && part.kind === 'text') reply.raw.write(`event: token\ndata: ${JSON.stringify({ t: part.text, i: i++ })}\n\n`);
  }
  reply.raw.end(`event: end\ndata: ${JSON.stringify({ tokens_out: i, decode_ms: 0 })}\n\n`);
});
const bareUrl = hosts('bare') ? await bare.listen({ host: '127.0.0.1', port: 0 }) : '';

process.on('message', (message: { type: string; gc?: boolean; file?: string }) => {
  if (message.type === 'rss') {
    // gc: true (with --expose-gc) measures the live heap after a full collection (what actually stays).
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    const usage = process.memoryUsage();
    process.send!({ type: 'rss', rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers, artifacts: ours?.state.artifactStats(), finishedTasks: ours?.state.finishedCount, durable: { artifacts: oursDurable?.state.artifactStats(), finishedTasks: oursDurable?.state.finishedCount } });
  }
  if (message.type === 'heap-snapshot' && message.file) {
    writeHeapSnapshot(message.file);
    process.send!({ type: 'heap-snapshot', file: message.file });
  }
  if (message.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ type: 'cpu', us: user + system });
  }
  if (message.type === 'close') {
    void Promise.all([ours?.close({ deadlineMs: 1000 }), oursDurable?.close({ deadlineMs: 1000 }), bare.close()]).then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
process.send!({ type: 'ready', ours: oursUrl, oursDurable: oursDurableUrl, bare: bareUrl });
