import type { InferenceRequest, InferenceResult, InferenceStreamPart, OrchestratorApi, PipelineStreamSession } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from './create-server.js';

/** Streams text with characters JSON must escape, then one tool call whose arguments arrive in pieces. */
class ToolStreamOrchestrator implements OrchestratorApi {
  async run(): Promise<InferenceResult> {
    throw new Error('not used');
  }
  async *stream(request: InferenceRequest): AsyncIterable<InferenceStreamPart> {
    yield { type: 'routing', decision: { target: 'local', engine: 'fake', model: request.model, reason: 'test', source: 'pin' }, policy: { outcome: 'allow', reason: 'test' } };
    for (const text of ['say "hi"', '\n\t\\ é ✓ \u2028', '']) yield { type: 'delta', kind: 'text', text };
    yield { type: 'tool-call-start', id: 'call_1', name: 'get_weather', index: 0 };
    for (const piece of ['{"city"', ':"Pa', 'ris \\"x\\""}']) yield { type: 'tool-call-delta', id: 'call_1', argumentsDelta: piece };
    yield { type: 'tool-call-end', id: 'call_1' };
    yield { type: 'finish', usage: { inputTokens: 2, outputTokens: 6 }, finishReason: 'tool-calls' };
  }
  async openStreamSession(): Promise<PipelineStreamSession<unknown, unknown>> {
    return { push: async () => [], close: async () => [] };
  }
}

let server: SwitchyardServer;
let base: string;
beforeAll(async () => {
  server = await createServer({ orchestrator: new ToolStreamOrchestrator(), config: { models: [{ id: 'fake-chat' }] }, env: {}, defaultMetrics: false });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

describe('/v1/chat/completions stream wire format', () => {
  it('every chunk is byte for byte the JSON of the OpenAI chunk object (field order, escaping), tool-call deltas included', async () => {
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-chat', messages: [{ role: 'user', content: 'weather?' }], stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.status).toBe(200);
    const events = (await response.text()).split('\n\n').filter((event) => event !== '');
    expect(events.at(-1)).toBe('data: [DONE]');
    const payloads = events.slice(0, -1).map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
    const first = JSON.parse(payloads[0]!) as { id: string; created: number };
    const chunk = (delta: object, finish: string | null) =>
      JSON.stringify({ id: first.id, object: 'chat.completion.chunk', created: first.created, model: 'fake-chat', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    expect(payloads).toEqual([
      chunk({ role: 'assistant', content: '' }, null),
      chunk({ content: 'say "hi"' }, null),
      chunk({ content: '\n\t\\ é ✓ \u2028' }, null),
      chunk({ content: '' }, null),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] }, null),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':"Pa' } }] }, null),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'ris \\"x\\""}' } }] }, null),
      chunk({}, 'tool_calls'),
      JSON.stringify({ id: first.id, object: 'chat.completion.chunk', created: first.created, model: 'fake-chat', choices: [], usage: { prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 } }),
    ]);
  });
});
