import type { InferenceRequest, InferenceResult, InferenceStreamPart, OrchestratorApi, PipelineStreamSession } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';

/** Answers with what the request's last message names: text with escapes, or tool calls and no text. */
class FixedAnswers implements OrchestratorApi {
  async run(request: InferenceRequest): Promise<InferenceResult> {
    const last = request.input.kind === 'text' ? (request.input.messages?.at(-1)?.content ?? '') : '';
    const toolCalls = last === 'tools' ? [{ id: 'call_1', name: 'lookup', arguments: '{"q":"caf\u00e9 \\"x\\""}' }] : undefined;
    return {
      output: { kind: 'text', text: toolCalls ? '' : 'line\n"quoted" \u2028 \ud83d\ude00 \u0007 </script>', ...(toolCalls ? { toolCalls } : {}) },
      usage: { inputTokens: 3, outputTokens: 5 },
      finishReason: toolCalls ? 'tool-calls' : 'stop',
      policy: { outcome: 'allow', reason: 'test' },
      decision: { target: 'local', engine: 'fixed', model: request.model, reason: 'test', source: 'pin' },
      attempts: [],
      timings: { queueMs: 0, preprocessMs: 0, inferMs: 0, postprocessMs: 0, totalMs: 0 },
    };
  }
  async *stream(): AsyncIterable<InferenceStreamPart> {
    yield { type: 'finish', usage: {}, finishReason: 'stop' };
  }
  async openStreamSession(): Promise<PipelineStreamSession<unknown, unknown>> {
    return { push: async () => [], close: async () => [] };
  }
}

let server: SwitchyardServer;
beforeAll(async () => {
  server = await createServer({ orchestrator: new FixedAnswers(), env: {}, defaultMetrics: false });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

const ask = (content: string) => server.app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'fixed-model', messages: [{ role: 'user', content }] } });

describe('POST /v1/chat/completions (non-streaming) answer', () => {
  it('is the same bytes as JSON.stringify of the answer, escapes included', async () => {
    const response = await ask('text');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = response.json();
    expect(response.body).toBe(JSON.stringify(body));
    expect(body.choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'line\n"quoted" \u2028 \ud83d\ude00 \u0007 </script>', refusal: null }, finish_reason: 'stop', logprobs: null }]);
    expect(body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
    expect(Object.keys(body)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage']);
  });

  it('has tool calls and a null content, same bytes as JSON.stringify', async () => {
    const response = await ask('tools');
    const body = response.json();
    expect(response.body).toBe(JSON.stringify(body));
    expect(body.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"caf\u00e9 \\"x\\""}' } }] },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
  });
});
