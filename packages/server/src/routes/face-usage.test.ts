import type { Usage } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { readSseFrames } from '../test-support/sse-client.js';
import { scriptedOrchestrator } from '../test-support/scripted-orchestrator.js';

/** Every count an engine can report: 16 input (3 read from the cache, 4 written to it), 5 output (2 reasoning). */
const DETAILED: Usage = { inputTokens: 16, outputTokens: 5, totalTokens: 21, cacheReadTokens: 3, cacheWriteTokens: 4, reasoningTokens: 2 };
const USAGE: Record<string, Usage> = { detailed: DETAILED, plain: { inputTokens: 7, outputTokens: 2, totalTokens: 9 }, unreported: {}, 'output-only': { outputTokens: 2 } };

/** Answers "hello" with the usage its model names (`detailed`, `plain`, `unreported`, `output-only`). */
const usageAnswers = scriptedOrchestrator({
  engine: 'usage',
  run: (request) => ({
    output: request.workload === 'embedding' ? { kind: 'embeddings', vectors: [[1, 2]] } : { kind: 'text', text: 'hello' },
    usage: USAGE[request.model] ?? {},
    finishReason: 'stop',
  }),
  async *stream(request) {
    yield { type: 'delta', kind: 'text', text: 'hel' };
    yield { type: 'delta', kind: 'text', text: 'lo' };
    yield { type: 'finish', usage: USAGE[request.model] ?? {}, finishReason: 'stop' };
  },
});

let server: SwitchyardServer;
let url: string;
beforeAll(async () => {
  server = await createServer({ orchestrator: usageAnswers, env: {}, defaultMetrics: false });
  url = await server.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

const post = async (path: string, body: Record<string, unknown>) => (await server.app.inject({ method: 'POST', url: path, payload: body })).json() as Record<string, unknown>;
const chat = (model: string, extra: Record<string, unknown> = {}) => post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }], ...extra });
const streamed = async (path: string, body: Record<string, unknown>) => {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  const frames = [];
  for await (const frame of readSseFrames(response.body!)) frames.push(frame);
  return frames;
};

describe('usage on every face, in its own shape', () => {
  it('chat and completions: details when reported, with prompt_tokens counting the cached ones', async () => {
    const usage = {
      prompt_tokens: 16,
      completion_tokens: 5,
      total_tokens: 21,
      prompt_tokens_details: { cached_tokens: 3, cache_write_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    };
    expect((await chat('detailed')).usage).toEqual(usage);
    expect((await post('/v1/completions', { model: 'detailed', prompt: 'hi' })).usage).toEqual(usage);
    expect((await chat('plain')).usage).toEqual({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
    const chunks = await streamed('/v1/chat/completions', { model: 'detailed', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } });
    expect(chunks.at(-2)!.data.usage).toEqual(usage);
  });

  it('chat and completions: no usage (not zeros) when the engine reported no counts or only some', async () => {
    for (const model of ['unreported', 'output-only']) {
      expect(await chat(model)).not.toHaveProperty('usage');
      expect(await post('/v1/completions', { model, prompt: 'hi' })).not.toHaveProperty('usage');
      const chunks = await streamed('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } });
      expect(chunks.filter((chunk) => 'usage' in chunk.data)).toEqual([]);
      expect(chunks.at(-1)!.data).toEqual({ done: true });
    }
  });

  it('responses: cached and reasoning tokens from the engine; usage null when it reported none', async () => {
    const usage = { input_tokens: 16, input_tokens_details: { cached_tokens: 3, cache_write_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 21 };
    expect((await post('/v1/responses', { model: 'detailed', input: 'hi' })).usage).toEqual(usage);
    const events = await streamed('/v1/responses', { model: 'detailed', input: 'hi' });
    expect((events.at(-1)!.data.response as { usage: unknown }).usage).toEqual(usage);
    expect((await post('/v1/responses', { model: 'plain', input: 'hi' })).usage).toEqual({
      input_tokens: 7,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 2,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 9,
    });
    expect((await post('/v1/responses', { model: 'unreported', input: 'hi' })).usage).toBeNull();
  });

  it('messages: input_tokens without the cache reads and writes, which are reported apart', async () => {
    const body = { max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const usage = { input_tokens: 9, output_tokens: 5, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 };
    expect((await post('/v1/messages', { model: 'detailed', ...body })).usage).toEqual(usage);
    const events = await streamed('/v1/messages', { model: 'detailed', ...body });
    expect(events.find((event) => event.event === 'message_delta')!.data.usage).toEqual(usage);
    // The face requires both counts: what the engine did not report is 0, cache counts it did not report are null.
    expect((await post('/v1/messages', { model: 'output-only', ...body })).usage).toEqual({ input_tokens: 0, output_tokens: 2, cache_read_input_tokens: null, cache_creation_input_tokens: null });
  });

  it('embeddings: prompt_tokens as reported (the face requires it: 0 when not reported)', async () => {
    expect((await post('/v1/embeddings', { model: 'plain', input: 'hi' })).usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
    expect((await post('/v1/embeddings', { model: 'unreported', input: 'hi' })).usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });
  });
});
