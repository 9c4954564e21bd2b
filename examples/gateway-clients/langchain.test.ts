import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

const chat = (model: string) => new ChatOpenAI({ model, apiKey: GATEWAY_KEY, configuration: { baseURL: `${gateway.url}/v1` }, maxRetries: 0 });
const weatherTool = { name: 'get_weather', description: 'Weather for a city', schema: z.object({ city: z.string() }) };

describe.each(['chat', 'claude'])('@langchain/openai through the gateway (%s upstream)', (model) => {
  it('bindTools: the model asks for the tool', async () => {
    const message = await chat(model).bindTools([weatherTool]).invoke('weather in Paris?');
    expect(message.tool_calls?.map((call) => [call.name, call.args])).toEqual([['get_weather', { city: 'city-1' }]]);
  });

  it('withStructuredOutput returns the parsed object', async () => {
    const structured = chat(model).withStructuredOutput(z.object({ city: z.string(), celsius: z.number() }), { name: 'weather' });
    expect(await structured.invoke('weather in Paris as JSON')).toEqual({ city: 'city-1', celsius: 42 });
  });

  it('streaming with bound tools yields tool-call chunks', async () => {
    let gathered: Awaited<ReturnType<ReturnType<ReturnType<typeof chat>['bindTools']>['invoke']>> | undefined;
    for await (const chunk of await chat(model).bindTools([weatherTool]).stream('weather in Paris?')) gathered = gathered ? gathered.concat(chunk) : chunk;
    expect(gathered?.tool_calls?.map((call) => [call.name, call.args])).toEqual([['get_weather', { city: 'city-1' }]]);
  });
});
