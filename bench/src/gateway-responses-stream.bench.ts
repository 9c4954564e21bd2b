/**
 * The same tool-calling turn streamed through the gateway's two OpenAI faces: `/v1/responses` (Responses events)
 * vs `/v1/chat/completions` (chunks), with the official openai client, against one upstream that answers one tool
 * call whose JSON arguments arrive in 24 deltas, then usage. What the Responses face costs over the chat face.
 */
import OpenAI from 'openai';
import { defineBenchmark } from '../harness.js';
import { startBenchGateway, startSseUpstream } from './gateway-bench-app.js';
import { ARGS, UPSTREAM_EVENTS } from './gateway-tool-stream-events.js';

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
    const { server: upstream, url: upstreamURL } = await startSseUpstream(UPSTREAM_EVENTS.join(''));
    const { gateway, url: gatewayURL } = await startBenchGateway(upstreamURL);
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
