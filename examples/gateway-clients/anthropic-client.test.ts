import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { GATEWAY_KEY, useGateway, weatherTool } from './gateway.js';

const clients = useGateway();

const weather = weatherTool;
const ask: MessageParam[] = [{ role: 'user', content: 'weather in Paris?' }];

describe.each(['claude', 'chat'])('@anthropic-ai/sdk against /v1/messages (%s upstream)', (model) => {
  it('messages.create: text answer with usage', async () => {
    const message = await clients.anthropic.messages.create({ model, max_tokens: 64, system: 'be brief', messages: [{ role: 'user', content: 'one two three' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'three two one' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(3);
  });

  it('messages.create with tools: tool_use, then the tool_result turn is answered', async () => {
    const first = await clients.anthropic.messages.create({ model, max_tokens: 64, messages: ask, tools: [weather] });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((block) => block.type === 'tool_use')!;
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'city-1' } });
    const second = await clients.anthropic.messages.create({
      model,
      max_tokens: 64,
      tools: [weather],
      messages: [...ask, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.type === 'tool_use' ? use.id : '', content: '18C' }] }],
    });
    expect(second.content).toEqual([{ type: 'text', text: `tool ${use.type === 'tool_use' ? use.id : ''} said: 18C` }]);
  });

  it('messages.stream with tools: the SDK assembles the tool_use block from input_json_delta events', async () => {
    const stream = clients.anthropic.messages.stream({ model, max_tokens: 64, messages: ask, tools: [weather] });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'get_weather', input: { city: 'city-1' } })]);
  });

  it('messages.stream of text', async () => {
    const stream = clients.anthropic.messages.stream({ model, max_tokens: 64, messages: [{ role: 'user', content: 'red green blue' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts.join('')).toBe('blue green red');
    expect(final.content).toEqual([{ type: 'text', text: 'blue green red' }]);
  });
});

describe('/v1/messages errors and auth', () => {
  it('x-api-key is the clients.gateway key: a wrong one is a 401 AuthenticationError', async () => {
    const stranger = new Anthropic({ baseURL: clients.gateway.url, apiKey: 'sk-wrong-key', maxRetries: 0 });
    await expect(stranger.messages.create({ model: 'claude', max_tokens: 8, messages: ask })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('an unsupported field is a 400 naming it and the model', async () => {
    const error = await clients.anthropic.messages.create({ model: 'claude', max_tokens: 8, messages: ask, thinking: { type: 'enabled', budget_tokens: 1024 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((error as Error).message)).toContain("'thinking' is not supported for model 'claude'");
  });

  it("errors come in Anthropic's shape: type 'error', error.type by status (not_found_error, authentication_error, ...)", async () => {
    const unknown = await clients.anthropic.messages.create({ model: 'no-such-model', max_tokens: 8, messages: ask }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect((unknown as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error', code: 'model_not_found' } });
    const stranger = new Anthropic({ baseURL: clients.gateway.url, apiKey: 'sk-wrong-key', maxRetries: 0 });
    const denied = await stranger.messages.create({ model: 'claude', max_tokens: 8, messages: ask }).catch((e: unknown) => e);
    expect((denied as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const invalid = await clients.anthropic.messages.create({ model: 'claude', max_tokens: 8, messages: ask, tool_choice: { type: 'any' } }).catch((e: unknown) => e);
    expect((invalid as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', param: 'tool_choice' } });
  });

  it('the OpenAI faces keep their own shape (no Anthropic type)', async () => {
    const response = await fetch(`${clients.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'no-such-model', messages: ask }) });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(404);
    expect(body.type).toBeUndefined();
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
  });
});

describe('a user turn of [tool_result, tool_result, text] through /v1/messages', () => {
  const calls: MessageParam[] = [
    { role: 'user', content: 'weather and time in Paris?' },
    {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: { city: 'Paris' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
        { type: 'tool_result', tool_use_id: 'toolu_2', content: '12:00' },
        { type: 'text', text: 'and tomorrow?' },
      ],
    },
  ];
  const clock: Tool = { name: 'get_time', description: 'Time in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

  it('stays one user turn on an Anthropic upstream, the results first, then the text', async () => {
    await clients.anthropic.messages.create({ model: 'claude', max_tokens: 64, messages: calls, tools: [weather, clock] });
    const sent = clients.gateway.anthropicUpstream.requests.at(-1)!.body as { messages: unknown[] };
    expect(sent.messages).toEqual(calls);
  });

  it('is two tool messages, then a user message, on an OpenAI-compatible upstream', async () => {
    await clients.anthropic.messages.create({ model: 'chat', max_tokens: 64, messages: calls, tools: [weather, clock] });
    const sent = clients.gateway.openAiUpstream.requests.at(-1)!.body as { messages: unknown[] };
    expect(sent.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'toolu_2', content: '12:00' },
      { role: 'user', content: 'and tomorrow?' },
    ]);
  });
});
