/**
 * A tool-calling chat stream through the gateway (openai client -> switchyard /v1/chat/completions -> plugin-cloud-llm
 * -> upstream) vs the same openai client straight at the same upstream: what the gateway adds to an agent's turn.
 * The upstream answers one tool call whose JSON arguments arrive in 24 deltas, then usage (the real SSE wire format).
 * Client, gateway and upstream share this process (and its 2-core machine): the client's own CPU cost counts in
 * every case. A third case, `bareProxy`, is the least a gateway can do: a bare Fastify route that forwards the body
 * with the same openai SDK and re-serialises every chunk, so the gateway's own cost can be told from the cost of
 * being a proxy at all. `paceMs` > 0 makes the upstream send one SSE event every paceMs (first one after paceMs),
 * like a model streaming at 1000/paceMs events per second; 0 sends the whole answer at once (pure overhead).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming, ChatCompletionTool } from 'openai/resources/chat/completions';
import { createSwitchyardApp } from '@switchyard/core';
import { createServerForApp } from '@switchyard/server';
import { defineBenchmark } from '../harness.js';

const event = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;
const chunk = (delta: object, finish: string | null) => event({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] });
export const ARGS = JSON.stringify({ city: 'Paris', days: 3, units: 'metric', fields: ['temperature', 'wind', 'humidity', 'pressure'] });
const PIECES = Array.from({ length: 24 }, (_, i) => ARGS.slice(Math.floor((i * ARGS.length) / 24), Math.floor(((i + 1) * ARGS.length) / 24)));
const EVENTS = [
  chunk({ role: 'assistant', content: null }, null),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null),
  ...PIECES.map((piece) => chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null)),
  chunk({}, 'tool_calls'),
  event({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 10, completion_tokens: 24, total_tokens: 34 } }),
  'data: [DONE]\n\n',
];

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
      const upstream = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          if (paceMs <= 0) return res.end(EVENTS.join(''));
          let next = 0;
          const send = () => {
            if (res.destroyed) return;
            res.write(EVENTS[next++]);
            if (next < EVENTS.length) setTimeout(send, paceMs);
            else res.end();
          };
          setTimeout(send, paceMs);
        });
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const upstreamURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
      const app = await createSwitchyardApp({
        config: {
          version: 1,
          plugins: [{ package: '@switchyard/plugin-cloud-llm', options: { providers: [{ id: 'upstream', kind: 'openai-compatible', baseURL: upstreamURL }] } }],
          server: { admission: { concurrency: { default: 64 } } },
        },
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      const gateway = await createServerForApp(app, { env: {} });
      const gatewayURL = await gateway.listen({ host: '127.0.0.1', port: 0 });
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
      upstreamEvents: EVENTS.length,
      note: 'ratios are against the openai SDK straight at the upstream; gateway/bareProxy is what Switchyard adds beyond being a proxy at all',
    }),
    teardown: async (state) => {
      await state.gateway.close({ deadlineMs: 100 });
      await state.proxy.close();
      state.upstream.closeAllConnections();
      await new Promise<void>((resolve) => state.upstream.close(() => resolve()));
    },
  });
}
