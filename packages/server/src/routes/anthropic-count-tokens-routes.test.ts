import type { InferenceRequest, TokenCountResult } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { OrchestratorDouble } from '../test-support/orchestrator-double.js';

const servers: SwitchyardServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close({ deadlineMs: 50 });
});

/** A server whose counter records what it was asked and answers 17 (or throws `fail`). */
async function start(options: { counting?: boolean; fail?: SwitchyardError; dropped?: string[] } = {}) {
  const asked: InferenceRequest[] = [];
  const countTokens = async (request: InferenceRequest): Promise<TokenCountResult> => {
    asked.push(request);
    if (options.fail) throw options.fail;
    return { inputTokens: 17, engine: 'claude', model: 'claude-test', ...(options.dropped ? { droppedParameters: options.dropped } : {}) };
  };
  const server = await createServer({ orchestrator: new OrchestratorDouble({ echo: {} }), config: {}, env: {}, defaultMetrics: false, ...(options.counting === false ? {} : { countTokens }) });
  servers.push(server);
  return { app: server.app, server, asked };
}

const post = (payload: Record<string, unknown>) => ({ method: 'POST' as const, url: '/v1/messages/count_tokens', payload });
const base = { model: 'claude', messages: [{ role: 'user', content: 'hello there' }] };

describe('POST /v1/messages/count_tokens', () => {
  it('maps the body as /v1/messages does (system, turns, tool results, tools, tool_choice) and answers the count', async () => {
    const { app, asked } = await start();
    const response = await app.inject(
      post({
        model: 'claude',
        system: [{ type: 'text', text: 'be brief' }],
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }, { type: 'text', text: 'thanks' }] },
        ],
        tools: [{ name: 'weather', description: 'd', input_schema: { type: 'object' } }],
        tool_choice: { type: 'auto' },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ input_tokens: 17 });
    expect(asked[0]).toMatchObject({
      model: 'claude',
      workload: 'completion',
      input: {
        kind: 'text',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
          { role: 'tool', toolCallId: 'toolu_1', content: 'sunny' },
          { role: 'user', content: 'thanks' },
        ],
      },
      parameters: { tools: [{ name: 'weather', description: 'd', parameters: { type: 'object' } }], toolChoice: 'auto' },
    });
    expect(asked[0]!.parameters).not.toHaveProperty('maxTokens');
  });

  it('validates like /v1/messages: generation fields are not fields of it, thinking is UNSUPPORTED (dropped on opt-in), blocks are checked', async () => {
    const { app, asked } = await start();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...base, max_tokens: 10 }, 'INVALID_PARAMS', '/max_tokens'],
      [{ ...base, temperature: 0.5 }, 'INVALID_PARAMS', '/temperature'],
      [{ ...base, stream: true }, 'INVALID_PARAMS', '/stream'],
      [{ model: 'claude' }, 'INVALID_PARAMS', ''],
      [{ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', bogus: 1 }] }] }, 'INVALID_PARAMS', '/messages/0/content/0/bogus'],
      [{ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }] }, 'UNSUPPORTED', ''],
      [{ ...base, tool_choice: { type: 'any' } }, 'INVALID_PARAMS', ''],
      [{ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } }, 'UNSUPPORTED', ''],
    ];
    for (const [payload, code, pointer] of cases) {
      const response = await app.inject(post(payload));
      const body = response.json();
      expect([response.statusCode, body.code, body.type, body.error.type]).toEqual([400, code, 'error', 'invalid_request_error']);
      if (pointer !== '') expect(body.details.pointer).toBe(pointer);
    }
    expect(asked).toHaveLength(0);
    const dropped = await app.inject(post({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 }, drop_params: true }));
    expect(dropped.statusCode).toBe(200);
    expect(dropped.headers['x-switchyard-dropped-params']).toBe('thinking');
  });

  it('without a counter (an orchestrator that offers none) it is 400 UNSUPPORTED naming the model, in Anthropic’s error shape', async () => {
    const { app } = await start({ counting: false });
    const response = await app.inject(post(base));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ type: 'error', code: 'UNSUPPORTED', details: { field: 'model' }, error: { type: 'invalid_request_error' } });
    expect(response.json().message).toContain("model 'claude'");
  });

  it('an engine error naming a turn field is reported as the body field it came from', async () => {
    const fail = new SwitchyardError({ code: 'INVALID_INPUT', message: 'bad turn', details: { field: 'messages[2].isError' } });
    const { app } = await start({ fail });
    const response = await app.inject(post({ model: 'claude', messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'r', is_error: true }] }] }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'messages[2].content[0].is_error' } });
  });

  it('drop_params reaches the orchestrator, and what the engine dropped is listed as body fields in the header', async () => {
    const { app, asked } = await start({ dropped: ['toolChoice', 'tools'] });
    const response = await app.inject(post({ ...base, tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'auto' }, drop_params: true }));
    expect(response.statusCode).toBe(200);
    expect(asked[0]).toMatchObject({ dropUnsupportedParameters: true });
    expect(response.headers['x-switchyard-dropped-params']).toBe('tool_choice, tools');
    await app.inject(post(base));
    expect(asked[1]).not.toHaveProperty('dropUnsupportedParameters');
  });

  it('a draining pool or a closing server is 503 POOL_UNAVAILABLE (retriable) before anything is counted; a bad traceparent is not forwarded', async () => {
    const { app, server, asked } = await start();
    await app.inject(post(base));
    expect(asked[0]!.correlationId).toEqual(expect.any(String));
    await app.inject({ ...post(base), headers: { traceparent: 'not-a-traceparent' } });
    expect(asked[1]).not.toHaveProperty('traceparent');
    // No engines here: every model is admitted on the pool 'default'.
    await server.scheduler.drain('default', 50);
    const draining = await app.inject(post(base));
    expect([draining.statusCode, draining.json().code, draining.json().message, draining.headers['retry-after']]).toEqual([503, 'POOL_UNAVAILABLE', "Pool 'default' is draining", '1']);
    server.scheduler.resume('default');
    expect((await app.inject(post(base))).statusCode).toBe(200);
    await server.scheduler.shutdown(10);
    const closing = await app.inject(post(base));
    expect([closing.statusCode, closing.json().message]).toEqual([503, 'The server is shutting down and admits no new tasks']);
    expect(asked).toHaveLength(3);
  });
});
