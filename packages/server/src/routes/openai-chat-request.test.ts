import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { OrchestratorDouble } from '../test-support/orchestrator-double.js';

// What /v1/chat/completions makes of nested fields: kept (names, refusals, parts in order), refused by pointer, or dropped on opt-in.
let server: SwitchyardServer;
const double = new OrchestratorDouble({ m: {} });
beforeAll(async () => {
  server = await createServer({ orchestrator: double, env: {}, defaultMetrics: false });
});
afterAll(() => server.close({ deadlineMs: 50 }));

const chat = (body: Record<string, unknown>) => server.app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'm', ...body } });
const lastInput = () => double.calls.at(-1)!.request.input;

describe('an assistant turn says something', () => {
  it('content null or missing without tool_calls or refusal is a 400 naming it; with either it is a turn', async () => {
    const calls = double.calls.length;
    for (const assistant of [{ role: 'assistant', content: null }, { role: 'assistant' }, { role: 'assistant', content: null, tool_calls: [] }]) {
      const response = await chat({ messages: [{ role: 'user', content: 'x' }, assistant, { role: 'user', content: 'y' }] });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'INVALID_PARAMS', error: { param: 'messages[1].content' } });
    }
    expect(double.calls.length).toBe(calls);
    for (const assistant of [
      { role: 'assistant', content: null, refusal: 'no' },
      { role: 'assistant', content: '' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    ]) {
      const rest = assistant.tool_calls ? [{ role: 'tool', tool_call_id: 'c1', content: 'r' }] : [{ role: 'user', content: 'y' }];
      expect((await chat({ messages: [{ role: 'user', content: 'x' }, assistant, ...rest] })).statusCode).toBe(200);
    }
  });
});

describe('logit_bias maps token ids to a bias in [-100, 100] (chat and completions)', () => {
  it('a key that is no token id is a 400 naming that key; an out-of-range bias one naming its entry', async () => {
    const calls = double.calls.length;
    const word = await chat({ messages: [{ role: 'user', content: 'x' }], logit_bias: { '50256': -100, abc: 5 } });
    expect(word.statusCode).toBe(400);
    expect(word.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/logit_bias/abc' }, error: { param: 'logit_bias.abc' } });
    expect(word.json().message).toContain('"abc"');
    const legacy = (logit_bias: Record<string, number>) => server.app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'm', prompt: 'x', logit_bias } });
    expect((await legacy({ '-1': 5 })).json()).toMatchObject({ code: 'INVALID_PARAMS', error: { param: 'logit_bias.-1' } });
    expect((await legacy({ '12': 500 })).json()).toMatchObject({ code: 'INVALID_PARAMS', error: { param: 'logit_bias[12]' } });
    expect(double.calls.length).toBe(calls);
    expect((await chat({ messages: [{ role: 'user', content: 'x' }], logit_bias: { '50256': -100, '11': 100 } })).statusCode).toBe(200);
  });
});

describe('/v1/chat/completions messages reach the engine whole', () => {
  it('keeps names, developer turns in place, refusals and content parts in order (content joined with a newline)', async () => {
    const response = await chat({
      messages: [
        { role: 'user', content: 'a', name: 'ann' },
        { role: 'assistant', content: 'b', refusal: 'no' },
        { role: 'developer', content: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Image A: ' },
            { type: 'image_url', image_url: { url: 'https://x/a.png' } },
            { type: 'text', text: 'Which?' },
          ],
        },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(lastInput()).toEqual({
      kind: 'text',
      messages: [
        { role: 'user', content: 'a', name: 'ann' },
        { role: 'assistant', content: 'b', refusal: 'no' },
        { role: 'system', content: 'S1\nS2', parts: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }], developer: true },
        {
          role: 'user',
          content: 'Image A: \nWhich?',
          images: [{ url: 'https://x/a.png' }],
          parts: [{ type: 'text', text: 'Image A: ' }, { type: 'image', url: 'https://x/a.png' }, { type: 'text', text: 'Which?' }],
        },
      ],
    });
  });

  it('refuses a field the API does not have, at any level, naming its pointer (INVALID_PARAMS)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ messages: [{ role: 'user', content: 'x', bogus: 1 }] }, '/messages/0/bogus'],
      [{ messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }] }, '/messages/0/content/0/cache_control'],
      [{ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', bogus: true } }] }, '/tools/0/function/bogus'],
      [{ messages: [{ role: 'assistant', content: 'x', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' }, bogus: 1 }] }] }, '/messages/0/tool_calls/0/bogus'],
      [{ messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true, bogus: 1 } }, '/stream_options/bogus'],
    ];
    for (const [body, pointer] of cases) {
      const response = await chat(body);
      expect(response.statusCode, pointer).toBe(400);
      expect(response.json(), pointer).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer } });
      expect(response.json().message).toContain(`body${pointer} is not a field of`);
    }
  });

  it('refuses known fields no engine here takes (UNSUPPORTED naming the pointer), drops them with drop_params', async () => {
    const obfuscation = { messages: [{ role: 'user', content: 'x' }], stream_options: { include_obfuscation: true } };
    const refused = await chat(obfuscation);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'stream_options.include_obfuscation' } });
    const dropped = await chat({ ...obfuscation, drop_params: true });
    expect(dropped.statusCode).toBe(200);
    expect(dropped.headers['x-switchyard-dropped-params']).toBe('stream_options.include_obfuscation');
    const audio = await chat({ messages: [{ role: 'assistant', content: 'x', audio: { id: 'audio_1' } }, { role: 'user', content: 'y' }] });
    expect(audio.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'messages[0].audio' } });
    const part = await chat({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }] }], drop_params: true });
    expect(part.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'messages[0].content[0].type' } });
    const custom = await chat({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'custom', custom: { name: 'x' } }] });
    expect(custom.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'tools[0].type' } });
    const legacy = await chat({ messages: [{ role: 'function', name: 'f', content: 'x' }] });
    expect(legacy.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'messages[0].role' } });
  });

  it('checks a message against the form its role names only, and names the field that is wrong', async () => {
    const unknownRole = await chat({ messages: [{ role: 'wizard', content: 'x' }] });
    expect(unknownRole.statusCode).toBe(400);
    expect(unknownRole.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/messages/0/role' } });
    // The valid roles are listed, as OpenAI lists them ('function' is in the API, refused by name above).
    expect(unknownRole.json().message).toBe(`body/messages/0/role must be one of 'system', 'developer', 'user', 'assistant', 'tool', 'function' (got "wizard")`);
    expect(unknownRole.json()).toMatchObject({ details: { expected: `must be one of 'system', 'developer', 'user', 'assistant', 'tool', 'function' (got "wizard")` }, error: { param: 'messages[0].role' } });
    const later = await chat({ messages: [{ role: 'user', content: 'x' }, { role: 'human', content: 'y' }] });
    expect(later.json().message).toBe(`body/messages/1/role must be one of 'system', 'developer', 'user', 'assistant', 'tool', 'function' (got "human")`);
    const long = await chat({ messages: [{ role: `"${'w'.repeat(200)}`, content: 'x' }] });
    expect(long.json().message).toBe(`body/messages/0/role must be one of 'system', 'developer', 'user', 'assistant', 'tool', 'function' (got ${JSON.stringify(`"${'w'.repeat(63)}`)}...)`);
    const nonString = await chat({ messages: [{ role: 5, content: 'x' }] });
    expect(nonString.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/messages/0/role', expected: 'must be a string' } });
    // Before, every form was tried and the answer listed the failures of all five ("or /role must be equal to constant").
    const tool = await chat({ messages: [{ role: 'tool', content: 'x' }] });
    expect(tool.json()).toMatchObject({ message: 'body/messages/0/tool_call_id is required', details: { pointer: '/messages/0/tool_call_id' }, error: { param: 'messages[0].tool_call_id' } });
    const user = await chat({ messages: [{ role: 'user' }] });
    expect(user.json().message).toBe('body/messages/0/content is required');
  });

  it('refuses max_tokens together with max_completion_tokens (as OpenAI does) and a seed beyond 2^53', async () => {
    const both = await chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 5, max_completion_tokens: 9 });
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toContain('max_tokens and body/max_completion_tokens cannot both be set');
    const seed = await server.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, payload: '{"model":"m","messages":[{"role":"user","content":"x"}],"seed":9007199254740993}' });
    expect(seed.statusCode).toBe(400);
    expect(seed.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/seed' } });
    expect((await chat({ messages: [{ role: 'user', content: 'x' }], seed: 9007199254740991 })).statusCode).toBe(200);
    for (const url of ['/v1/completions', '/v2/tasks']) {
      const payload = url === '/v2/tasks' ? '{"model_ref":"m","prompt":"x","seed":-9007199254740993}' : '{"model":"m","prompt":"x","seed":9007199254740993}';
      const response = await server.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toMatchObject({ details: { pointer: '/seed' } });
    }
  });
});

describe('/v1/chat/completions takes a history that appends the answer message as the SDKs return it', () => {
  it('accepts nulls, annotations and stream-accumulator indexes (they change nothing) and keeps a tool name', async () => {
    const response = await chat({
      messages: [
        { role: 'system', content: 's', name: null },
        { role: 'user', content: 'weather?', name: null },
        {
          role: 'assistant',
          content: null,
          name: null,
          refusal: null,
          audio: null,
          function_call: null,
          annotations: [],
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
        },
        { role: 'tool', content: 'sunny', tool_call_id: 'call_1', name: 'weather' },
        { role: 'assistant', content: 'Sunny.', refusal: null, audio: null, function_call: null, tool_calls: null, annotations: [{ type: 'url_citation', url_citation: { start_index: 0, end_index: 5, title: 't', url: 'https://x' } }] },
        { role: 'user', content: 'thanks' },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(lastInput()).toEqual({
      kind: 'text',
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{}' }] },
        { role: 'tool', content: 'sunny', toolCallId: 'call_1', name: 'weather' },
        { role: 'assistant', content: 'Sunny.' },
        { role: 'user', content: 'thanks' },
      ],
    });
  });

  it("refuses an assistant's reasoning_content by name (UNSUPPORTED, it can change the answer), drops it with drop_params", async () => {
    const body = { messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y', reasoning_content: 'because' }, { role: 'user', content: 'z' }] };
    const refused = await chat(body);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'messages[1].reasoning_content' }, error: { param: 'messages[1].reasoning_content' } });
    const dropped = await chat({ ...body, drop_params: true });
    expect(dropped.statusCode).toBe(200);
    expect(dropped.headers['x-switchyard-dropped-params']).toBe('messages[1].reasoning_content');
    expect((await chat({ messages: [{ role: 'assistant', content: 'y', reasoning_content: null }, { role: 'user', content: 'z' }] })).statusCode).toBe(200);
  });

  it('no-op values change nothing: top_logprobs: 0 and metadata: {} are accepted, other values refused', async () => {
    const messages = [{ role: 'user', content: 'x' }];
    expect((await chat({ messages, logprobs: false, top_logprobs: 0, metadata: {} })).statusCode).toBe(200);
    expect((await chat({ messages, top_logprobs: 2 })).json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'top_logprobs' } });
    expect((await chat({ messages, metadata: { k: 'v' } })).json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'metadata' } });
  });
});

describe('/v1/chat/completions tool_choice forms of the API no engine here takes', () => {
  it('allowed_tools and custom are UNSUPPORTED naming tool_choice.type, dropped with drop_params', async () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const choices = [
      { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'f' } }] } },
      { type: 'custom', custom: { name: 'f' } },
    ];
    for (const tool_choice of choices) {
      const refused = await chat({ messages: [{ role: 'user', content: 'x' }], tools, tool_choice });
      expect(refused.statusCode, tool_choice.type).toBe(400);
      expect(refused.json(), tool_choice.type).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'tool_choice.type' }, error: { param: 'tool_choice.type' } });
      const dropped = await chat({ messages: [{ role: 'user', content: 'x' }], tools, tool_choice, drop_params: true });
      expect(dropped.statusCode, tool_choice.type).toBe(200);
      expect(dropped.headers['x-switchyard-dropped-params']).toBe('tool_choice');
      expect(double.calls.at(-1)!.request.parameters?.toolChoice).toBeUndefined();
    }
  });
});

describe('an unknown top-level field is named on every face', () => {
  it('param and pointer name the field itself (/foo), not the body', async () => {
    const bodies: [string, Record<string, unknown>][] = [
      ['/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] }],
      ['/v1/responses', { model: 'm', input: 'x' }],
      ['/v1/completions', { model: 'm', prompt: 'x' }],
      ['/v1/embeddings', { model: 'm', input: 'x' }],
      ['/v1/messages', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }],
    ];
    for (const [url, body] of bodies) {
      const response = await server.app.inject({ method: 'POST', url, payload: { ...body, foo: 1 } });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'body', pointer: '/foo' } });
      expect(response.json().message, url).toContain("body/foo is not a field of the request (unknown key 'foo')");
      if (url !== '/v1/messages') expect(response.json().error, url).toMatchObject({ param: 'foo' });
    }
    const nested = await chat({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'text' }, stream_options: null });
    expect(nested.statusCode).toBe(200);
  });
});
