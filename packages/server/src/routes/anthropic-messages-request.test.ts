import { SwitchyardError } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { OrchestratorDouble } from '../test-support/orchestrator-double.js';
import { messagesFieldOf } from './anthropic-messages-request.js';

// What /v1/messages makes of blocks: order, separate system blocks, is_error, and nested fields refused or dropped.
let server: SwitchyardServer;
let dropping: SwitchyardServer;
const double = new OrchestratorDouble({ m: {} });
const unsupportedName = new OrchestratorDouble({
  m: { error: new SwitchyardError({ code: 'UNSUPPORTED', message: "Model 'm' on engine 'e' does not support the message field 'messages[1].isError'", details: { field: 'messages[1].isError' } }) },
});
let refusing: SwitchyardServer;
beforeAll(async () => {
  server = await createServer({ orchestrator: double, env: {}, defaultMetrics: false });
  dropping = await createServer({ orchestrator: double, env: {}, defaultMetrics: false, config: { dropParams: true } });
  refusing = await createServer({ orchestrator: unsupportedName, env: {}, defaultMetrics: false });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
  await dropping.close({ deadlineMs: 50 });
  await refusing.close({ deadlineMs: 50 });
});

const post = (target: SwitchyardServer, body: Record<string, unknown>) => target.app.inject({ method: 'POST', url: '/v1/messages', payload: { model: 'm', max_tokens: 16, ...body } });
const toolTurns = [
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'timed out', is_error: true }, { type: 'text', text: 'retry?' }] },
];

describe('/v1/messages blocks reach the engine whole', () => {
  it('a tool_result after text or an image in a turn is a 400 naming it (tool results come first, never reordered)', async () => {
    const calls = double.calls.length;
    const late = await post(server, { messages: [{ role: 'user', content: 'x' }, toolTurns[0], { role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }] }] });
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ code: 'INVALID_PARAMS', error: { type: 'invalid_request_error', param: 'messages[2].content[1]' } });
    expect(double.calls.length).toBe(calls);
    const first = await post(server, { messages: [{ role: 'user', content: 'x' }, toolTurns[0], { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }, { type: 'text', text: 'then' }] }] });
    expect(first.statusCode).toBe(200);
  });

  it("refuses what Anthropic refuses: a tool_use input that is not an object, an image media_type it does not take", async () => {
    const calls = double.calls.length;
    const notObject = await post(server, { messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: 'str' }] }] });
    expect(notObject.statusCode).toBe(400);
    expect(notObject.json().error).toMatchObject({ type: 'invalid_request_error', param: expect.stringMatching(/^messages\[1\]\.content\[0\]/) });
    const html = await post(server, { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'text/html', data: 'AAAA' } }] }] });
    expect(html.statusCode).toBe(400);
    expect(html.json().error).toMatchObject({ type: 'invalid_request_error', param: expect.stringMatching(/^messages\[0\]\.content\[0\]/) });
    expect(double.calls.length).toBe(calls);
    for (const media_type of ['image/jpeg', 'image/png', 'image/gif', 'image/webp']) {
      expect((await post(server, { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type, data: 'AAAA' } }] }] })).statusCode).toBe(200);
    }
  });

  it('keeps text and images in order, system blocks apart and a tool error as isError', async () => {
    const response = await post(server, {
      system: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Image A: ' }, { type: 'image', source: { type: 'url', url: 'https://x/a.png' } }, { type: 'text', text: 'Which?' }] },
        ...toolTurns,
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(double.calls.at(-1)!.request.input).toEqual({
      kind: 'text',
      messages: [
        { role: 'system', content: 'S1\nS2', parts: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }] },
        {
          role: 'user',
          content: 'Image A: \nWhich?',
          images: [{ url: 'https://x/a.png' }],
          parts: [{ type: 'text', text: 'Image A: ' }, { type: 'image', url: 'https://x/a.png' }, { type: 'text', text: 'Which?' }],
        },
        { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'lookup', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'toolu_1', content: 'timed out', isError: true },
        { role: 'user', content: 'retry?' },
      ],
    });
  });

  it('an engine refusing isError is reported as the block field it came from', async () => {
    expect(messagesFieldOf(['system', 'messages[0]', 'messages[1].content[0]'], 'messages[2].isError')).toBe('messages[1].content[0].is_error');
    const response = await post(refusing, { messages: toolTurns });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'messages[1].content[0].is_error' } });
    expect(response.json().message).toContain("'messages[1].content[0].is_error'");
  });

  it('refuses cache_control and citations by pointer (UNSUPPORTED) and unknown keys (INVALID_PARAMS)', async () => {
    const cached = await post(server, { messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }] });
    expect(cached.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'messages[0].content[0].cache_control', pointer: '/messages/0/content/0/cache_control' } });
    const cited = await post(server, { system: [{ type: 'text', text: 's', citations: [{ type: 'char_location' }] }], messages: [{ role: 'user', content: 'x' }] });
    expect(cited.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'system[0].citations' } });
    const bogus = await post(server, { messages: [{ role: 'user', content: 'x', bogus: 1 }] });
    expect(bogus.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/messages/0/bogus' } });
    const document = await post(server, { messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }], drop_params: true });
    expect(document.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'messages[0].content[0].type' } });
  });

  it('drop_params (in the request or server.dropParams) drops them and lists them in x-switchyard-dropped-params', async () => {
    const body = { thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }] };
    const refused = await post(server, body);
    expect(refused.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'thinking' } });
    for (const response of [await post(server, { ...body, drop_params: true }), await post(dropping, body), await post(dropping, { ...body, stream: true })]) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-switchyard-dropped-params']).toBe('thinking, messages[0].content[0].cache_control');
    }
    expect(double.calls.at(-1)!.request.dropUnsupportedParameters).toBe(true);
  });
});

describe('/v1/messages fields of @anthropic-ai/sdk 1.x', () => {
  const ask = [{ role: 'user', content: 'x' }];
  const lastParameters = () => double.calls.at(-1)!.request.parameters;

  it('output_config.format is structured output and output_config.effort the reasoning effort', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    expect((await post(server, { messages: ask, output_config: { format: { type: 'json_schema', schema }, effort: 'high' } })).statusCode).toBe(200);
    expect(lastParameters()).toMatchObject({ responseFormat: { type: 'json', schema }, reasoningEffort: 'high' });
    expect((await post(server, { messages: ask, output_config: { format: null, effort: null } })).statusCode).toBe(200);
    expect(lastParameters()).not.toHaveProperty('responseFormat');
    expect(lastParameters()).not.toHaveProperty('reasoningEffort');
  });

  it('a tool keeps strict and eager_input_streaming for the engine', async () => {
    const tool = { name: 'f', input_schema: { type: 'object' }, strict: true, eager_input_streaming: true };
    expect((await post(server, { messages: ask, tools: [tool] })).statusCode).toBe(200);
    expect(lastParameters()!.tools).toEqual([{ name: 'f', parameters: { type: 'object' }, strict: true, eagerInputStreaming: true }]);
  });

  it('fields no engine implements are refused by name unless their value is the default (null, speed standard, defer_loading false)', async () => {
    for (const [field, value] of [['inference_geo', 'eu'], ['speed', 'fast'], ['container', 'c1'], ['cache_control', { type: 'ephemeral' }], ['workspace_id', 'w']] as const) {
      const refused = await post(server, { messages: ask, [field]: value });
      expect(refused.statusCode, field).toBe(400);
      expect(refused.json(), field).toMatchObject({ code: 'UNSUPPORTED', error: { param: field } });
      const dropped = await post(dropping, { messages: ask, [field]: value });
      expect(dropped.statusCode, field).toBe(200);
      expect(dropped.headers['x-switchyard-dropped-params'], field).toBe(field);
    }
    expect((await post(server, { messages: ask, speed: 'standard', inference_geo: null, container: null })).statusCode).toBe(200);
    const tool = { name: 'f', input_schema: { type: 'object' } };
    expect((await post(server, { messages: ask, tools: [{ ...tool, defer_loading: false, input_examples: [], allowed_callers: ['direct'] }] })).statusCode).toBe(200);
    for (const [key, value] of [['defer_loading', true], ['input_examples', [{ city: 'Paris' }]], ['allowed_callers', ['code_execution_20250825']]] as const) {
      const refused = await post(server, { messages: ask, tools: [{ ...tool, [key]: value }] });
      expect(refused.json(), key).toMatchObject({ code: 'UNSUPPORTED', error: { param: `tools[0].${key}` } });
    }
  });

  it('an unknown key of output_config is a 400 naming it', async () => {
    const refused = await post(server, { messages: ask, output_config: { verbosity: 'high' } });
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(refused.json())).toContain('verbosity');
  });
});
