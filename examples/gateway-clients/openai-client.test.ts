import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
let client: OpenAI;
beforeAll(async () => {
  gateway = await startGateway();
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(() => gateway.close());

const weather: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const ask: ChatCompletionMessageParam[] = [{ role: 'user', content: 'weather in Paris?' }];
const lastUpstreamBody = () => gateway.openAiUpstream.requests.at(-1)!.body as Record<string, unknown>;

describe.each(['chat', 'claude'])('openai client, tools through the gateway to the %s upstream', (model) => {
  it('non-stream: the tool call comes back, the tool result goes up, the answer uses it', async () => {
    const first = await client.chat.completions.create({ model, messages: ask, tools: [weather], tool_choice: 'auto' });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"city-1"}' });
    const second = await client.chat.completions.create({
      model,
      messages: [...ask, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '18C and sunny' }],
      tools: [weather],
    });
    expect(second.choices[0]!.message.content).toBe(`tool ${call.id} said: 18C and sunny`);
    expect(second.choices[0]!.finish_reason).toBe('stop');
  });

  it('stream: tool-call deltas assemble into the same call (finalChatCompletion)', async () => {
    const stream = client.chat.completions.stream({ model, messages: ask, tools: [weather], stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"city-1"}' });
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.usage?.completion_tokens).toBe(7);
  });
});

describe('openai client, the rest of the chat surface', () => {
  it('tools reach the upstream as sent (name, description, schema, tool_choice, parallel_tool_calls)', async () => {
    await client.chat.completions.create({ model: 'chat', messages: ask, tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false });
    expect(lastUpstreamBody()).toMatchObject({ tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false });
  });

  it('response_format json_schema is passed to the provider and the JSON comes back', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, temperature: { type: 'number' } }, required: ['city', 'temperature'], additionalProperties: false };
    const completion = await client.chat.completions.create({ model: 'chat', messages: ask, response_format: { type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } } });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: 'city-1', temperature: 42 });
    expect(lastUpstreamBody().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } });
  });

  it('response_format json_schema on Anthropic uses a forced tool and answers the JSON as content', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const completion = await client.chat.completions.create({ model: 'claude', messages: ask, response_format: { type: 'json_schema', json_schema: { name: 'weather', schema } } });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: 'city-1' });
    expect(gateway.anthropicUpstream.requests.at(-1)!.body).toMatchObject({ tool_choice: { type: 'tool', name: 'json_response' } });
  });

  it('image content parts reach a vision upstream', async () => {
    await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } }] }],
    });
    expect((lastUpstreamBody().messages as unknown[]).at(-1)).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } }],
    });
  });

  it('the correlation id goes upstream and comes back as x-correlation-id', async () => {
    const { response } = await client.chat.completions.create({ model: 'chat', messages: ask }, { headers: { 'x-correlation-id': 'corr-123' } }).withResponse();
    expect(response.headers.get('x-correlation-id')).toBe('corr-123');
    expect(response.headers.get('x-request-id')).toBe('corr-123');
    expect(gateway.openAiUpstream.requests.at(-1)!.headers['x-request-id']).toBe('corr-123');
  });

  it('models.retrieve: a listed route, an engine:model ref, and 404 for an unknown id', async () => {
    expect(await client.models.retrieve('chat')).toMatchObject({ id: 'chat', object: 'model', owned_by: 'upstream' });
    expect(await client.models.retrieve('upstream:gpt-test')).toMatchObject({ id: 'upstream:gpt-test', owned_by: 'upstream' });
    await expect(client.models.retrieve('no-such-model')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    // A typo'd model is refused before any upstream call (no retries against a provider).
    const before = gateway.openAiUpstream.requests.length;
    await expect(client.chat.completions.create({ model: 'chta', messages: ask })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    expect(gateway.openAiUpstream.requests.length).toBe(before);
  });

  it('legacy completions, stream and not', async () => {
    const completion = await client.completions.create({ model: 'chat', prompt: 'one two three', max_tokens: 16 });
    expect(completion).toMatchObject({ object: 'text_completion', choices: [{ text: 'three two one', finish_reason: 'stop' }], usage: { completion_tokens: 3 } });
    const stream = await client.completions.create({ model: 'chat', prompt: 'one two three', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('three two one');
    await expect(client.completions.create({ model: 'chat', prompt: 'x', echo: true })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('a provider that rejects its key is a 502 PROVIDER_AUTH naming the provider; an unknown upstream model is a 404', async () => {
    const auth = await client.chat.completions.create({ model: 'upstream:bad-key', messages: ask }).catch((e: unknown) => e);
    expect(auth).toMatchObject({ status: 502, code: 'PROVIDER_AUTH' });
    expect(String((auth as Error).message)).toContain("upstream (model 'bad-key'): HTTP 401");
    await expect(client.chat.completions.create({ model: 'upstream:missing-model', messages: ask })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('the client\u2019s own retries stop at answers a retry cannot fix (x-should-retry: false): one gateway pass, not three', async () => {
    // The SDK's defaults: 2 retries of every 5xx unless the server says otherwise.
    const retrying = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY });
    const before = gateway.openAiUpstream.requests.length;
    const invalid = await retrying.chat.completions.create({ model: 'upstream:prose', messages: ask, response_format: { type: 'json_object' } }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 502, code: 'OUTPUT_INVALID' });
    expect((invalid as InstanceType<typeof OpenAI.APIError>).headers?.get('x-should-retry')).toBe('false');
    // The gateway's own retry with a correction: two upstream calls, and the client made one request.
    expect(gateway.openAiUpstream.requests.length - before).toBe(2);
    const auth = await retrying.chat.completions.create({ model: 'upstream:bad-key', messages: ask }).catch((e: unknown) => e);
    expect(auth).toMatchObject({ status: 502, code: 'PROVIDER_AUTH' });
    expect(gateway.openAiUpstream.requests.length - before).toBe(3);
  });

  it("a 429 cools that deployment down (Retry-After, no upstream call meanwhile); other models of the engine are unaffected", async () => {
    const first = await client.chat.completions.create({ model: 'upstream:rate-limited', messages: ask }).withResponse().catch((e: unknown) => e);
    expect(first).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((first as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('7');
    const before = gateway.openAiUpstream.requests.length;
    const cooling = await client.chat.completions.create({ model: 'upstream:rate-limited', messages: ask }).catch((e: unknown) => e);
    expect(cooling).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(String((cooling as Error).message)).toContain('cooling down after a 429');
    expect(gateway.openAiUpstream.requests.length).toBe(before);
    const other = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x y' }] });
    expect(other.choices[0]!.message.content).toBe('y x');
  });

  it('a stall after the first token ends the stream with an error frame within streamIdleTimeoutMs + 1 s', async () => {
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: 'upstream:stall', messages: [{ role: 'user', content: 'a b c' }], stream: true });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((error: unknown) => error);
    expect(received.join('')).toBe('c');
    expect(String(failure)).toContain('stalled for 500 ms');
    expect(performance.now() - started).toBeLessThan(1500);
    // The admission slot is free again and the upstream request was aborted.
    expect(gateway.server.scheduler.runningCount()).toBe(0);
    const next = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'still up' }] });
    expect(next.choices[0]!.message.content).toBe('up still');
  });
});
