import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FAKE_PREAMBLE } from '@switchyard/testkit';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

// The AI SDK's default `openai('model')` and LangChain's `useResponsesApi: true` both speak /v1/responses.
let gateway: Gateway;
let openai: ReturnType<typeof createOpenAI>;
// Every gateway path the clients called: proves they used /v1/responses, not chat completions; and the bodies sent.
const called: string[] = [];
const sent: { input?: unknown }[] = [];
const recordingFetch: typeof fetch = (input, init) => {
  called.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
  if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as { input?: unknown });
  return fetch(input, init);
};
beforeAll(async () => {
  gateway = await startGateway();
  openai = createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, fetch: recordingFetch });
});
afterAll(() => gateway.close());

const upstreamPaths = () => gateway.openAiUpstream.requests.map((request) => request.path);
const getWeather = tool({
  description: 'Weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `18C in ${city}`,
});

describe.each(['chat', 'claude'])("ai + @ai-sdk/openai's default (Responses) model through the gateway (%s upstream)", (model) => {
  it('generateText: plain text, then tools over several steps', async () => {
    const plain = await generateText({ model: openai(model), prompt: 'one two three', maxRetries: 0 });
    expect(plain.text).toBe('three two one');
    const result = await generateText({ model: openai(model), prompt: 'weather in Paris?', tools: { getWeather }, stopWhen: stepCountIs(3), maxRetries: 0 });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls.map((call) => [call.toolName, call.input])).toEqual([['getWeather', { city: 'city-1' }]]);
    expect(result.text).toMatch(/said: "?18C in city-1"?$/);
  });

  it('streamText streams tool input, the tool call, then the final text', async () => {
    const result = streamText({ model: openai(model), prompt: 'weather in Paris?', tools: { getWeather }, stopWhen: stepCountIs(3), maxRetries: 0 });
    const kinds = new Set<string>();
    for await (const part of result.fullStream) {
      if (part.type === 'error') throw part.error;
      kinds.add(part.type);
    }
    expect(kinds).toContain('tool-input-delta');
    expect(kinds).toContain('tool-call');
    expect(kinds).toContain('text-delta');
    expect(await result.text).toMatch(/said: "?18C in city-1"?$/);
  });

  it('generateObject with a zod schema (text.format json_schema)', async () => {
    const { object } = await generateObject({ model: openai(model), schema: z.object({ city: z.string() }), prompt: 'weather in Paris as JSON', maxRetries: 0 });
    expect(object).toMatchObject({ city: expect.any(String) });
  });
});

describe('ai + @ai-sdk/openai: a stored answer referred to by item id', () => {
  it('generateText: text said before a tool call comes back in step 2 as an item_reference the gateway expands', async () => {
    const sentBefore = sent.length;
    const upstreamBefore = gateway.openAiUpstream.requests.length;
    const result = await generateText({ model: openai('upstream:says-then-calls'), prompt: 'weather in Paris?', tools: { getWeather }, stopWhen: stepCountIs(3), maxRetries: 0 });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.text).toBe(FAKE_PREAMBLE);
    expect(result.text).toMatch(/said: "?18C in city-1"?$/);
    // The SDK (store: true by default) refers to the stored text by its item id instead of sending it again.
    expect(sent.slice(sentBefore).map((body) => body.input)[1]).toContainEqual({ type: 'item_reference', id: expect.stringMatching(/^msg_/) });
    const step2 = gateway.openAiUpstream.requests.slice(upstreamBefore)[1]!.body as { messages: unknown[] };
    expect(step2.messages).toContainEqual(expect.objectContaining({ role: 'assistant', content: FAKE_PREAMBLE, tool_calls: [expect.objectContaining({ function: { name: 'getWeather', arguments: '{"city":"city-1"}' } })] }));
  });
});

describe('@langchain/openai with useResponsesApi through the gateway', () => {
  const chat = () => new ChatOpenAI({ model: 'chat', apiKey: GATEWAY_KEY, configuration: { baseURL: `${gateway.url}/v1`, fetch: recordingFetch }, maxRetries: 0, useResponsesApi: true });
  const weatherTool = { name: 'get_weather', description: 'Weather for a city', schema: z.object({ city: z.string() }) };

  it('invoke and stream text', async () => {
    const message = await chat().invoke('one two three');
    expect(message.text).toBe('three two one');
    let text = '';
    for await (const chunk of await chat().stream('a b c')) text += chunk.text;
    expect(text).toBe('c b a');
  });

  it('bindTools: the model asks for the tool; withStructuredOutput returns the parsed object', async () => {
    const message = await chat().bindTools([weatherTool]).invoke('weather in Paris?');
    expect(message.tool_calls?.map((call) => [call.name, call.args])).toEqual([['get_weather', { city: 'city-1' }]]);
    const structured = chat().withStructuredOutput(z.object({ city: z.string(), celsius: z.number() }), { name: 'weather' });
    expect(await structured.invoke('weather in Paris as JSON')).toEqual({ city: 'city-1', celsius: 42 });
  });
});

describe('the route the clients used', () => {
  it('every client call went to /v1/responses, and the gateway translated each into the provider protocol', () => {
    expect(called.length).toBeGreaterThan(10);
    expect(new Set(called)).toEqual(new Set(['/v1/responses']));
    expect(upstreamPaths().length).toBeGreaterThan(0);
    expect(upstreamPaths().every((path) => !path.includes('/responses'))).toBe(true);
  });
});
