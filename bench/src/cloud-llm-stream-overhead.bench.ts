/**
 * plugin-cloud-llm overhead on a 64-chunk SSE stream: `OpenAiChatEngine.doStream` (EngineStreamPart mapping,
 * abort checks, usage + cost) vs iterating the bare `openai` SDK stream, against one local server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { OpenAiChatEngine } from '@switchyard/plugin-cloud-llm';
import { defineBenchmark } from '../harness.js';

const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const BODY =
  Array.from({ length: 64 }, (_, i) => chunk({ content: ` tok${i}` }, null)).join('') +
  chunk({}, 'stop') +
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 10, completion_tokens: 64, total_tokens: 74 } })}\n\n` +
  'data: [DONE]\n\n';

export default defineBenchmark({
  name: 'cloud-llm-stream-overhead',
  warmup: 100,
  iterations: 500,
  setup: async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(BODY);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const engine = new OpenAiChatEngine({ id: 'bench', kind: 'openai-compatible', baseURL });
    const client = new OpenAI({ apiKey: 'no-key', baseURL, maxRetries: 0 });
    return { server, engine, client, ours: '', bare: '' };
  },
  cases: {
    engine: async (state) => {
      let text = '';
      for await (const part of state.engine.doStream({ modelId: 'bench-model', workload: 'completion', input: { kind: 'text', prompt: 'go' } }, new AbortController().signal)) {
        if (part.type === 'delta' && part.kind === 'text') text += part.text;
      }
      state.ours = text;
    },
    sdk: async (state) => {
      let text = '';
      const stream = await state.client.chat.completions.create({ model: 'bench-model', messages: [{ role: 'user', content: 'go' }], stream: true, stream_options: { include_usage: true } });
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      state.bare = text;
    },
  },
  baseline: 'sdk',
  report: async (state) => ({ sameText: state.ours === state.bare && state.ours.length > 0 }),
  teardown: async (state) => {
    state.server.closeAllConnections();
    await new Promise<void>((resolve) => state.server.close(() => resolve()));
  },
});
