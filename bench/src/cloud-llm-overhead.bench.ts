/**
 * plugin-cloud-llm overhead on a chat completion: `OpenAiChatEngine.doRun` (prompt mapping, error mapping,
 * usage + cost) vs the bare `openai` SDK call with the same body, both against one local OpenAI-compatible
 * server on 127.0.0.1 so the network cost is the same and small.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { OpenAiChatEngine } from '@switchyard/plugin-cloud-llm';
import { defineBenchmark } from '../harness.js';

const COMPLETION = JSON.stringify({
  id: 'cmpl',
  object: 'chat.completion',
  created: 1,
  model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The answer is forty-two.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 20, completion_tokens: 6, total_tokens: 26 },
});

export default defineBenchmark({
  name: 'cloud-llm-overhead',
  warmup: 200,
  iterations: 1000,
  setup: async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(COMPLETION);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const engine = new OpenAiChatEngine({ id: 'bench', kind: 'openai-compatible', baseURL, prices: { 'bench-model': { inputPerMillion: 1, outputPerMillion: 2 } } });
    const client = new OpenAI({ apiKey: 'no-key', baseURL, maxRetries: 0 });
    return { server, engine, client, ours: '', bare: '' };
  },
  cases: {
    engine: async (state) => {
      const result = await state.engine.doRun(
        { modelId: 'bench-model', workload: 'completion', input: { kind: 'text', system: 'Be brief.', prompt: 'What is the answer?' }, parameters: { maxTokens: 32, temperature: 0 } },
        new AbortController().signal,
      );
      state.ours = result.output.kind === 'text' ? result.output.text : '';
    },
    sdk: async (state) => {
      const completion = await state.client.chat.completions.create(
        { model: 'bench-model', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is the answer?' }], max_tokens: 32, temperature: 0 },
        { signal: new AbortController().signal },
      );
      state.bare = completion.choices[0]?.message.content ?? '';
    },
  },
  baseline: 'sdk',
  report: async (state) => ({ sameText: state.ours === state.bare && state.ours !== '' }),
  teardown: async (state) => {
    state.server.closeAllConnections();
    await new Promise<void>((resolve) => state.server.close(() => resolve()));
  },
});
