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
      [{ messages: [{ role: 'tool', content: 'x', tool_call_id: 'c', name: 'f' }] }, '/messages/0/name'],
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
