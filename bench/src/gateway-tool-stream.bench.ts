/**
 * A tool-calling chat stream through the gateway (openai client -> switchyard /v1/chat/completions -> plugin-cloud-llm
 * -> upstream) vs the same openai client straight at the same upstream: what the gateway adds to an agent's turn.
 * The upstream answers one tool call whose JSON arguments arrive in 24 deltas, then usage (the real SSE wire format).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import { createSwitchyardApp } from '@switchyard/core';
import { createServerForApp } from '@switchyard/server';
import { defineBenchmark } from '../harness.js';

const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const ARGS = JSON.stringify({ city: 'Paris', days: 3, units: 'metric', fields: ['temperature', 'wind', 'humidity', 'pressure'] });
const PIECES = Array.from({ length: 24 }, (_, i) => ARGS.slice(Math.floor((i * ARGS.length) / 24), Math.floor(((i + 1) * ARGS.length) / 24)));
const BODY =
  chunk({ role: 'assistant', content: null }, null) +
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null) +
  PIECES.map((piece) => chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null)).join('') +
  chunk({}, 'tool_calls') +
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 10, completion_tokens: 24, total_tokens: 34 } })}\n\n` +
  'data: [DONE]\n\n';

const tools: ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

async function toolCallArguments(client: OpenAI, model: string): Promise<string> {
  const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'weather?' }], tools, stream: true, stream_options: { include_usage: true } });
  let args = '';
  for await (const c of stream) args += c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
  return args;
}

export default defineBenchmark({
  name: 'gateway-tool-stream',
  warmup: 50,
  iterations: 300,
  setup: async () => {
    const upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(BODY);
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
    return {
      upstream,
      gateway,
      viaGateway: new OpenAI({ apiKey: 'no-key', baseURL: `${gatewayURL}/v1`, maxRetries: 0 }),
      direct: new OpenAI({ apiKey: 'no-key', baseURL: upstreamURL, maxRetries: 0 }),
      ours: '',
      bare: '',
    };
  },
  cases: {
    gateway: async (state) => {
      state.ours = await toolCallArguments(state.viaGateway, 'upstream:bench-model');
    },
    sdk: async (state) => {
      state.bare = await toolCallArguments(state.direct, 'bench-model');
    },
  },
  baseline: 'sdk',
  report: async (state) => ({ sameArguments: state.ours === state.bare && state.ours === ARGS }),
  teardown: async (state) => {
    await state.gateway.close({ deadlineMs: 100 });
    state.upstream.closeAllConnections();
    await new Promise<void>((resolve) => state.upstream.close(() => resolve()));
  },
});
