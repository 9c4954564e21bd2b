/**
 * The same tool-calling turn streamed through the gateway's two OpenAI faces: `/v1/responses` (Responses events)
 * vs `/v1/chat/completions` (chunks), with the official openai client, against one upstream that answers one tool
 * call whose JSON arguments arrive in 24 deltas, then usage. What the Responses face costs over the chat face.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
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
const parameters = { type: 'object', properties: { city: { type: 'string' } } };

async function viaChat(client: OpenAI): Promise<string> {
  const stream = await client.chat.completions.create({
    model: 'upstream:bench-model',
    messages: [{ role: 'user', content: 'weather?' }],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters } }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let args = '';
  for await (const c of stream) args += c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
  return args;
}

async function viaResponses(client: OpenAI): Promise<string> {
  const stream = await client.responses.create({ model: 'upstream:bench-model', input: 'weather?', tools: [{ type: 'function', name: 'get_weather', parameters, strict: false }], store: false, stream: true });
  let args = '';
  for await (const event of stream) if (event.type === 'response.function_call_arguments.delta') args += event.delta;
  return args;
}

export default defineBenchmark({
  name: 'gateway-responses-stream',
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
    return { upstream, gateway, client: new OpenAI({ apiKey: 'no-key', baseURL: `${gatewayURL}/v1`, maxRetries: 0 }), chat: '', responses: '' };
  },
  cases: {
    chat: async (state) => {
      state.chat = await viaChat(state.client);
    },
    responses: async (state) => {
      state.responses = await viaResponses(state.client);
    },
  },
  baseline: 'chat',
  report: async (state) => ({ sameArguments: state.chat === ARGS && state.responses === ARGS }),
  teardown: async (state) => {
    await state.gateway.close({ deadlineMs: 100 });
    state.upstream.closeAllConnections();
    await new Promise<void>((resolve) => state.upstream.close(() => resolve()));
  },
});
