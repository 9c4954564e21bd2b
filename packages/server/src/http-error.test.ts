import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, SwitchyardError } from '@switchyard/core';
import { createServer, type SwitchyardServer } from './create-server.js';
import { httpError, openAiParam, statusForCode, toErrorEnvelope } from './http-error.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';
import { readSseFrames } from './test-support/sse-client.js';

describe('openAiParam (OpenAI clients read err.param)', () => {
  it.each([
    [{ field: 'reasoning_effort' }, 'reasoning_effort'],
    [{ field: 'input[2].type' }, 'input[2].type'],
    [{ field: 'body', pointer: '/max_tokens' }, 'max_tokens'],
    [{ field: 'body', pointer: '/messages/0/content/1/image_url' }, 'messages[0].content[1].image_url'],
    [{ field: 'body', pointer: '' }, null],
    [{ field: 'params' }, null],
    [{ field: 'querystring', pointer: '/x' }, null],
    [undefined, null],
  ])('%o -> %o', (details, param) => {
    expect(openAiParam(details)).toBe(param);
  });
});

describe('error.param on the OpenAI faces', () => {
  let server: SwitchyardServer;
  beforeAll(async () => {
    const refusing = new SwitchyardError({ code: 'UNSUPPORTED', message: "'reasoningEffort' is not supported for model 'refuses'", details: { field: 'reasoningEffort' } });
    server = await createServer({ orchestrator: new OrchestratorDouble({ echo: {}, refuses: { error: refusing } }), env: {}, defaultMetrics: false });
  });
  afterAll(() => server.close({ deadlineMs: 50 }));
  const chat = (body: Record<string, unknown>) => server.app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { messages: [{ role: 'user', content: 'hi' }], ...body } });

  it('names the field of a schema error, a refused field and an engine refusal (by its wire name)', async () => {
    const invalid = await chat({ model: 'echo', max_tokens: 'many' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({ type: 'invalid_request_error', param: 'max_tokens' });
    expect((await chat({ model: 'echo', n: 2 })).json().error).toMatchObject({ param: 'n' });
    const engine = await chat({ model: 'refuses', reasoning_effort: 'low' });
    expect(engine.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'reasoning_effort' }, error: { param: 'reasoning_effort' } });
    expect((await server.app.inject({ method: 'GET', url: '/v1/nothing' })).json().error.param).toBeNull();
  });

  it('names it in a stream error chunk too', async () => {
    const broken = new SwitchyardError({ code: 'PROVIDER_ERROR', message: 'bad topP', details: { field: 'topP' } });
    const double = new OrchestratorDouble({ late: { tokens: ['a', 'b'], error: broken, failAfterTokens: 1 } });
    const streaming = await createServer({ orchestrator: double, env: {}, defaultMetrics: false });
    try {
      const at = await streaming.listen({ host: '127.0.0.1', port: 0 });
      const response = await fetch(`${at}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'late', messages: [{ role: 'user', content: 'x' }], stream: true }) });
      const frames = [];
      for await (const frame of readSseFrames(response.body!)) frames.push(frame);
      expect(frames.at(-1)!.data.error).toMatchObject({ code: 'PROVIDER_ERROR', type: 'server_error', param: 'top_p' });
    } finally {
      await streaming.close({ deadlineMs: 50 });
    }
  });
});

describe('docs/server.md status map', () => {
  it('lists every code the server answers with a non-500 status, with that status', () => {
    const doc = readFileSync(new URL('../../../docs/server.md', import.meta.url), 'utf8');
    const map = doc.slice(doc.indexOf('Status map:'), doc.indexOf('anything unexpected is `500 INTERNAL`')).replace(/\([^)]*\)/g, '');
    const documented = new Map<string, number>();
    for (const [, status, codes] of map.matchAll(/(\d{3}) ((?:`[A-Z_]+`\s*,?\s*)+)/g)) for (const [, code] of codes!.matchAll(/`([A-Z_]+)`/g)) documented.set(code!, Number(status));
    const answered = Object.keys(ERROR_CODES).filter((code) => statusForCode(code) !== 500);
    expect(Object.fromEntries([...documented].sort())).toEqual(Object.fromEntries(answered.map((code) => [code, statusForCode(code)]).sort()));
  });
});

describe('error texts are bounded', () => {
  it('a message over 2048 characters and detail strings over 512 are cut, saying how much was left out', () => {
    const key = 'k'.repeat(100_000);
    const envelope = toErrorEnvelope(httpError('INVALID_PARAMS', `body/${key} is not a field`, { details: { field: key, pointer: `/${key}` } }));
    expect(envelope.message).toBe(`body/${'k'.repeat(2043)}... (${`body/${key} is not a field`.length - 2048} more characters)`);
    expect(envelope.details!.field).toBe(`${'k'.repeat(512)}... (${100_000 - 512} more characters)`);
    expect(JSON.stringify(envelope).length).toBeLessThan(4000);
    expect(toErrorEnvelope(httpError('INVALID_PARAMS', 'short', { details: { field: 'model' } }))).toMatchObject({ message: 'short', details: { field: 'model' } });
  });
});
