import OpenAI from 'openai';
import type { FunctionTool, ResponseFunctionToolCall, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
let client: OpenAI;
beforeAll(async () => {
  gateway = await startGateway();
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(() => gateway.close());

const weather: FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};
const lastUpstreamBody = () => gateway.openAiUpstream.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] } & Record<string, unknown>;

describe('openai client, responses.create', () => {
  it('non-stream: instructions become the system turn, input the user turn; usage and ids are Responses-shaped', async () => {
    const response = await client.responses.create({ model: 'chat', instructions: 'Answer briefly.', input: 'one two three', max_output_tokens: 64, temperature: 0.2 });
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'chat', instructions: 'Answer briefly.', store: true });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe('three two one');
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'three two one' }] });
    expect(response.usage).toMatchObject({ output_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(lastUpstreamBody()).toMatchObject({
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'one two three' },
      ],
      max_tokens: 64,
      temperature: 0.2,
    });
  });

  it('stream: the real event sequence with sequence numbers, and the stream helper assembles the same text', async () => {
    const stream = await client.responses.create({ model: 'chat', input: [{ role: 'user', content: [{ type: 'input_text', text: 'a b c' }] }], stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.filter((type) => type === 'response.output_text.delta').length).toBeGreaterThanOrEqual(1);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const deltas = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : [])).join('');
    expect(deltas).toBe('c b a');
    const completed = events.at(-1)!;
    expect(completed.type === 'response.completed' && completed.response.output[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'c b a' }] });

    const helper = client.responses.stream({ model: 'chat', input: 'x y z' });
    const final = await helper.finalResponse();
    expect(final.output_text).toBe('z y x');
  });

  it('tools: a function call comes out, its function_call_output goes back with previous_response_id, the answer uses it', async () => {
    const first = await client.responses.create({ model: 'chat', input: 'weather in Paris?', tools: [weather], tool_choice: 'auto', parallel_tool_calls: false });
    const call = first.output.find((item): item is ResponseFunctionToolCall => item.type === 'function_call')!;
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"city-1"}', status: 'completed' });
    expect(call.id).toMatch(/^fc_/);
    expect(lastUpstreamBody()).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weather.parameters, strict: true } }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });

    const second = await client.responses.create({
      model: 'chat',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '18C and sunny' }],
      tools: [weather],
    });
    expect(second.output_text).toBe(`tool ${call.call_id} said: 18C and sunny`);
    expect(second.previous_response_id).toBe(first.id);
    // The upstream got the whole conversation: the user turn, the assistant's tool call, the tool result.
    expect(lastUpstreamBody().messages).toMatchObject([
      { role: 'user', content: 'weather in Paris?' },
      { role: 'assistant', tool_calls: [{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"city-1"}' } }] },
      { role: 'tool', tool_call_id: call.call_id, content: '18C and sunny' },
    ]);

    // The same round trip without the store: the output items go back as input items.
    const manual = await client.responses.create({
      model: 'chat',
      store: false,
      input: [{ role: 'user', content: 'weather in Paris?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '18C and sunny' }],
      tools: [weather],
    });
    expect(manual.output_text).toBe(`tool ${call.call_id} said: 18C and sunny`);
  });

  it('stream with tools: function_call_arguments deltas and done, then the item is done', async () => {
    const stream = await client.responses.create({ model: 'chat', input: 'weather?', tools: [weather], stream: true });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const added = events.find((event) => event.type === 'response.output_item.added');
    expect(added?.type === 'response.output_item.added' && added.item).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'in_progress' });
    const deltas = events.flatMap((event) => (event.type === 'response.function_call_arguments.delta' ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('{"city":"city-1"}');
    const done = events.find((event) => event.type === 'response.function_call_arguments.done');
    expect(done?.type === 'response.function_call_arguments.done' && done.arguments).toBe('{"city":"city-1"}');
    const completed = events.at(-1)!;
    expect(completed.type).toBe('response.completed');
    expect(completed.type === 'response.completed' && completed.response.output).toMatchObject([{ type: 'function_call', arguments: '{"city":"city-1"}', status: 'completed' }]);
  });

  it('previous_response_id continues the stored conversation; instructions do not carry over', async () => {
    const first = await client.responses.create({ model: 'chat', instructions: 'Be terse.', input: 'red green' });
    const second = await client.responses.create({ model: 'chat', previous_response_id: first.id, input: 'blue yellow' });
    expect(second.output_text).toBe('yellow blue');
    expect(lastUpstreamBody().messages).toEqual([
      { role: 'user', content: 'red green' },
      { role: 'assistant', content: 'green red' },
      { role: 'user', content: 'blue yellow' },
    ]);
    // GET returns the stored response; DELETE removes it, after which it cannot be continued.
    expect((await client.responses.retrieve(second.id)).output_text).toBe('yellow blue');
    await client.responses.delete(first.id);
    await expect(client.responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const gone = await client.responses.create({ model: 'chat', previous_response_id: first.id, input: 'x' }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((gone as Error).message)).toContain('previous_response_id');
  });

  it('the output echoed back as input: with url_citation annotations on its text, and by item_reference', async () => {
    const first = await client.responses.create({ model: 'chat', input: 'red green' });
    const [message] = first.output;
    if (message?.type !== 'message' || message.content[0]?.type !== 'output_text') throw new Error('expected a text message');
    const cited = { ...message, content: [{ ...message.content[0], annotations: [{ type: 'url_citation' as const, start_index: 0, end_index: 5, title: 'Colours', url: 'https://example.test/colours' }] }] };
    const echoed = await client.responses.create({ model: 'chat', input: [{ role: 'user', content: 'red green' }, cited, { role: 'user', content: 'blue yellow' }] });
    expect(echoed.output_text).toBe('yellow blue');
    const conversation = lastUpstreamBody().messages;
    expect(conversation).toEqual([
      { role: 'user', content: 'red green' },
      { role: 'assistant', content: 'green red' },
      { role: 'user', content: 'blue yellow' },
    ]);
    await client.responses.create({ model: 'chat', input: [{ role: 'user', content: 'red green' }, { type: 'item_reference', id: message.id }, { role: 'user', content: 'blue yellow' }] });
    expect(lastUpstreamBody().messages).toEqual(conversation);
    const unstored = await client.responses.create({ model: 'chat', input: 'p q', store: false });
    const refused = await client.responses.create({ model: 'chat', input: [{ type: 'item_reference', id: unstored.output[0]!.id! }] }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: 'INVALID_PARAMS', param: 'input[0].id' });
    expect((refused as Error).message).toContain('store: false');
  });

  it('store: false is not kept (no GET, no continuation)', async () => {
    const response = await client.responses.create({ model: 'chat', input: 'p q', store: false });
    expect((response as unknown as { store: boolean }).store).toBe(false);
    await expect(client.responses.retrieve(response.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('text.format json_schema is passed to the provider as response_format and the JSON comes back', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, temperature: { type: 'number' } }, required: ['city', 'temperature'], additionalProperties: false };
    const response = await client.responses.create({ model: 'chat', input: 'weather?', text: { format: { type: 'json_schema', name: 'weather', schema, strict: true } } });
    expect(JSON.parse(response.output_text)).toEqual({ city: 'city-1', temperature: 42 });
    expect(lastUpstreamBody().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } });
    expect(response.text?.format).toMatchObject({ type: 'json_schema', name: 'weather' });
  });

  it('text.format json_schema on Anthropic is enforced by the gateway: valid JSON for the schema', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const response = await client.responses.create({ model: 'claude', input: 'weather?', max_output_tokens: 256, text: { format: { type: 'json_schema', name: 'place', schema } } });
    expect(JSON.parse(response.output_text)).toMatchObject({ city: expect.any(String) });
  });

  it('structured-output errors name text.format, in the message as in param (an invalid schema, OUTPUT_INVALID)', async () => {
    const format = (schema: Record<string, unknown>) => ({ format: { type: 'json_schema' as const, name: 'w', schema } });
    const invalid = await client.responses.create({ model: 'chat', input: 'x', text: format({ type: 'nonsense' }) }).catch((e: unknown) => e);
    const prose = await client.responses.create({ model: 'upstream:prose', input: 'x', text: format({ type: 'object', properties: { city: { type: 'string' } } }) }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'INVALID_INPUT', param: 'text.format' });
    expect(prose).toMatchObject({ status: 502, code: 'OUTPUT_INVALID', param: 'text.format' });
    for (const error of [invalid, prose] as Error[]) {
      expect(error.message).toContain("'text.format'");
      expect(error.message).not.toContain('response_format');
    }
  });

  it('nothing silently dropped: an unsupported field or tool type is a 400 naming it; drop_params drops and lists it', async () => {
    const background = await client.responses.create({ model: 'chat', input: 'x', background: true }).catch((e: unknown) => e);
    expect(background).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((background as Error).message)).toContain("'background'");
    const webSearch = await client.responses.create({ model: 'chat', input: 'x', tools: [{ type: 'web_search' }] }).catch((e: unknown) => e);
    expect(webSearch).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((webSearch as Error).message)).toContain('tools[0].type');
    const unknown = await client.responses.create({ model: 'chat', input: 'x', not_a_field: 1 } as never).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((unknown as Error).message)).toContain('not_a_field');
    const { response, data } = await client.responses.create({ model: 'chat', input: 'x y', prompt_cache_key: 'k', drop_params: true } as never).withResponse();
    expect(response.headers.get('x-switchyard-dropped-params')).toBe('prompt_cache_key');
    expect((data as { output_text: string }).output_text).toBe('y x');
  });
});
