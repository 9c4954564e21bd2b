import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { OrchestratorDouble } from '../test-support/orchestrator-double.js';

// A tool_choice that forces a tool the request does not define cannot be honoured: each face refuses it by name
// (as OpenAI and Anthropic do) instead of letting the model answer without it or call another tool; tool names are unique.
let server: SwitchyardServer;
const double = new OrchestratorDouble({ m: {} });
beforeAll(async () => {
  server = await createServer({ orchestrator: double, env: {}, defaultMetrics: false });
});
afterAll(() => server.close({ deadlineMs: 50 }));

const post = (url: string, payload: Record<string, unknown>) => server.app.inject({ method: 'POST', url, payload });
const chat = (extra: Record<string, unknown>) => post('/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra });
const responses = (extra: Record<string, unknown>) => post('/v1/responses', { model: 'm', store: false, input: 'x', ...extra });
const messages = (extra: Record<string, unknown>) => post('/v1/messages', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], ...extra });

const chatTool = { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } };
const responsesTool = { type: 'function', name: 'f', parameters: { type: 'object', properties: {} } };
const messagesTool = { name: 'f', input_schema: { type: 'object' } };

describe('tool_choice needs the tool it forces', () => {
  it.each([
    ['chat: a function not in tools', 'tool_choice.function.name', () => chat({ tools: [chatTool], tool_choice: { type: 'function', function: { name: 'zzz' } } })],
    ['chat: required without tools', 'tool_choice', () => chat({ tool_choice: 'required' })],
    ['chat: a function without tools', 'tool_choice', () => chat({ tool_choice: { type: 'function', function: { name: 'f' } } })],
    ['responses: a function not in tools', 'tool_choice.name', () => responses({ tools: [responsesTool], tool_choice: { type: 'function', name: 'zzz' } })],
    ['responses: required without tools', 'tool_choice', () => responses({ tool_choice: 'required' })],
    ['messages: a tool not in tools', 'tool_choice.name', () => messages({ tools: [messagesTool], tool_choice: { type: 'tool', name: 'zzz' } })],
    ['messages: any without tools', 'tool_choice', () => messages({ tool_choice: { type: 'any' } })],
  ])('%s is a 400 naming %s', async (_, param, send) => {
    const calls = double.calls.length;
    const response = await send();
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: param }, error: { type: 'invalid_request_error', param } });
    expect(double.calls.length).toBe(calls);
  });

  it('a tool of tools, and auto/none without tools, still reach the engine', async () => {
    for (const response of [
      await chat({ tools: [chatTool], tool_choice: { type: 'function', function: { name: 'f' } } }),
      await chat({ tool_choice: 'none' }),
      await chat({ tool_choice: 'auto' }),
      await responses({ tools: [responsesTool], tool_choice: { type: 'function', name: 'f' } }),
      await responses({ tool_choice: 'auto' }),
      await messages({ tools: [messagesTool], tool_choice: { type: 'tool', name: 'f' } }),
      await messages({ tool_choice: { type: 'none' } }),
      await messages({ tool_choice: { type: 'auto' } }),
    ]) expect(response.statusCode, response.body).toBe(200);
  });

  it.each([
    ['chat', 'tools[1].function.name', () => chat({ tools: [chatTool, { ...chatTool, function: { ...chatTool.function, description: 'other' } }] })],
    ['responses', 'tools[2].name', () => responses({ tools: [responsesTool, { ...responsesTool, name: 'g' }, responsesTool] })],
    ['messages', 'tools[1].name', () => messages({ tools: [messagesTool, { ...messagesTool, description: 'other' }] })],
  ])('%s: two tools of one name are a 400 naming the second (%s)', async (_, param, send) => {
    const calls = double.calls.length;
    const response = await send();
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_PARAMS', error: { param } });
    expect(response.json().message).toContain('must be unique');
    expect(double.calls.length).toBe(calls);
  });
});
