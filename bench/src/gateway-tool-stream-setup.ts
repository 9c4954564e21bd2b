/**
 * A tool-calling chat stream through the gateway (openai client -> switchyard /v1/chat/completions -> plugin-cloud-llm
 * -> upstream) vs the same openai client straight at the same upstream: what the gateway adds to an agent's turn.
 * The upstream answers one tool call whose JSON arguments arrive in 24 deltas, then usage (the real SSE wire format).
 * Client and gateway share this process (and its 2-core machine): the client's own CPU cost counts in every case;
 * the upstream runs in a child process like a real provider (cpu ms are this process only). A third case,
 * `bareProxy`, is the least a gateway can do: a bare Fastify route that forwards the body with the same openai SDK
 * and re-serialises every chunk, so the gateway's own cost can be told from the cost of being a proxy at all. `paceMs` > 0 makes the upstream send one SSE event every paceMs (first one after paceMs),
 * like a model streaming at 1000/paceMs events per second; 0 sends the whole answer at once (pure overhead).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming, ChatCompletionTool } from 'openai/resources/chat/completions';
import { defineBenchmark } from '../harness.js';
import { startBenchGateway } from './gateway-bench-app.js';
import { ARGS, UPSTREAM_EVENTS } from './gateway-tool-stream-events.js';

export { ARGS, UPSTREAM_EVENTS };

const tools: ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

async function toolCallArguments(client: OpenAI, model: string): Promise<string> {
  const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'weather?' }], tools, stream: true, stream_options: { include_usage: true } });
  let args = '';
  for await (const c of stream) args += c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
  return args;
}

export function toolStreamBenchmark(options: { name: string; paceMs: number; warmup: number; iterations: number }) {
  const { paceMs } = options;
  return defineBenchmark({
    name: options.name,
    warmup: options.warmup,
    iterations: options.iterations,
    setup: async () => {
      // The upstream runs in its own process, like a real provider: its pacing does not wait for this process.
      const upstream = fork(fileURLToPath(new URL('./fake-openai-upstream.ts', import.meta.url)), [String(paceMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const { url: upstreamURL } = await new Promise<{ url: string }>((resolve, reject) => {
        upstream.once('error', reject);
        upstream.once('message', resolve as (message: unknown) => void);
      });
      const { gateway, url: gatewayURL } = await startBenchGateway(upstreamURL);
      // The least a gateway can do: forward with the openai SDK, re-serialise each chunk, no validation/admission.
      const forward = new OpenAI({ apiKey: 'no-key', baseURL: upstreamURL, maxRetries: 0 });
      const proxy = Fastify({ logger: false });
      proxy.post<{ Body: ChatCompletionCreateParamsStreaming }>('/v1/chat/completions', async (request, reply) => {
        const stream = await forward.chat.completions.create({ ...request.body, model: request.body.model.replace(/^upstream:/, ''), stream: true });
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        for await (const part of stream) reply.raw.write(`data: ${JSON.stringify(part)}\n\n`);
        reply.raw.end('data: [DONE]\n\n');
      });
      const proxyURL = await proxy.listen({ host: '127.0.0.1', port: 0 });
      return {
        upstream,
        gateway,
        proxy,
        viaGateway: new OpenAI({ apiKey: 'no-key', baseURL: `${gatewayURL}/v1`, maxRetries: 0 }),
        viaProxy: new OpenAI({ apiKey: 'no-key', baseURL: `${proxyURL}/v1`, maxRetries: 0 }),
        direct: new OpenAI({ apiKey: 'no-key', baseURL: upstreamURL, maxRetries: 0 }),
        results: { gateway: '', bareProxy: '', sdk: '' } as Record<string, string>,
      };
    },
    cases: {
      gateway: async (state) => {
        state.results.gateway = await toolCallArguments(state.viaGateway, 'upstream:bench-model');
      },
      bareProxy: async (state) => {
        state.results.bareProxy = await toolCallArguments(state.viaProxy, 'upstream:bench-model');
      },
      sdk: async (state) => {
        state.results.sdk = await toolCallArguments(state.direct, 'bench-model');
      },
    },
    baseline: 'sdk',
    report: async (state) => ({
      sameArguments: Object.values(state.results).every((args) => args === ARGS),
      paceMs,
      upstreamEvents: UPSTREAM_EVENTS.length,
      note: 'ratios are against the openai SDK straight at the upstream; gateway/bareProxy is what Switchyard adds beyond being a proxy at all',
    }),
    teardown: async (state) => {
      await state.gateway.close({ deadlineMs: 100 });
      await state.proxy.close();
      state.upstream.send('close');
      await new Promise((resolve) => state.upstream.once('exit', resolve));
    },
  });
}
