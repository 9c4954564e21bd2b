import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
let provider: ReturnType<typeof createOpenAICompatible>;
beforeAll(async () => {
  gateway = await startGateway();
  provider = createOpenAICompatible({ name: 'switchyard', baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, supportsStructuredOutputs: true, includeUsage: true });
});
afterAll(() => gateway.close());

const getWeather = tool({
  description: 'Weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `18C in ${city}`,
});

describe.each(['chat', 'claude'])('ai + @ai-sdk/openai-compatible through the gateway (%s upstream)', (model) => {
  it('generateText with tools runs the tool and answers with its result (multi-step)', async () => {
    const result = await generateText({ model: provider(model), prompt: 'weather in Paris?', tools: { getWeather }, stopWhen: stepCountIs(3), maxRetries: 0 });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls.map((call) => [call.toolName, call.input])).toEqual([['getWeather', { city: 'city-1' }]]);
    expect(result.steps[0]!.toolResults.map((r) => r.output)).toEqual(['18C in city-1']);
    expect(result.text).toMatch(/said: "?18C in city-1"?$/);
  });

  it('streamText streams tool calls, then the final text', async () => {
    const result = streamText({ model: provider(model), prompt: 'weather in Paris?', tools: { getWeather }, stopWhen: stepCountIs(3), maxRetries: 0 });
    const kinds = new Set<string>();
    for await (const part of result.fullStream) kinds.add(part.type);
    expect(kinds).toContain('tool-input-delta');
    expect(kinds).toContain('tool-call');
    expect(kinds).toContain('text-delta');
    expect(await result.text).toMatch(/said: "?18C in city-1"?$/);
  });

  it('generateObject with a zod schema', async () => {
    const { object } = await generateObject({ model: provider(model), schema: z.object({ city: z.string(), celsius: z.number() }), prompt: 'weather in Paris as JSON', maxRetries: 0 });
    expect(object).toEqual({ city: 'city-1', celsius: 42 });
  });
});
