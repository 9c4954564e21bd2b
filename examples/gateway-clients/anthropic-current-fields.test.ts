// The fields today's Anthropic clients send (@anthropic-ai/sdk 1.x `output_config`, tool `strict` and
// `eager_input_streaming`; @ai-sdk/anthropic sends the latter on every streamed tool): honoured through /v1/messages,
// or refused by name and dropped on opt-in, never ignored.
import { createAnthropic } from '@ai-sdk/anthropic';
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { generateObject, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GATEWAY_KEY, useGateway, weatherTool } from './gateway.js';

const clients = useGateway();

const ask = [{ role: 'user' as const, content: 'weather in Paris?' }];
const lastAnthropicBody = () => clients.gateway.anthropicUpstream.requests.at(-1)!.body as Record<string, unknown>;
const lastOpenAiBody = () => clients.gateway.openAiUpstream.requests.at(-1)!.body as Record<string, unknown>;

describe('@anthropic-ai/sdk 1.x fields through /v1/messages', () => {
  it.each(['claude', 'chat'])('messages.parse with output_config.format (zod) answers parsed JSON (%s upstream)', async (model) => {
    const message = await clients.anthropic.messages.parse({ model, max_tokens: 64, messages: ask, output_config: { format: zodOutputFormat(z.object({ city: z.string(), celsius: z.number() })) } });
    expect(message.parsed_output).toEqual({ city: 'city-1', celsius: 42 });
    // Anthropic upstream: the forced format tool; OpenAI-compatible: response_format json_schema.
    if (model === 'claude') expect(lastAnthropicBody().tool_choice).toEqual({ type: 'tool', name: 'json_response' });
    else expect(lastOpenAiBody().response_format).toMatchObject({ type: 'json_schema' });
  });

  it('tool strict and eager_input_streaming reach an Anthropic upstream', async () => {
    await clients.anthropic.messages.create({ model: 'claude', max_tokens: 64, messages: ask, tools: [{ ...weatherTool, strict: true, eager_input_streaming: true }] });
    expect((lastAnthropicBody().tools as Record<string, unknown>[])[0]).toMatchObject({ name: 'get_weather', strict: true, eager_input_streaming: true });
  });

  it('tool strict reaches an OpenAI-compatible upstream as function.strict', async () => {
    await clients.anthropic.messages.create({ model: 'chat', max_tokens: 64, messages: ask, tools: [{ ...weatherTool, strict: true, eager_input_streaming: true }] });
    expect((lastOpenAiBody().tools as { function: Record<string, unknown> }[])[0]!.function).toMatchObject({ name: 'get_weather', strict: true });
  });

  it('output_config.effort goes upstream as reasoning_effort, and is refused by name where the engine has no effort', async () => {
    await clients.anthropic.messages.create({ model: 'chat', max_tokens: 64, messages: ask, output_config: { effort: 'low' } });
    expect(lastOpenAiBody().reasoning_effort).toBe('low');
    const refused = await clients.anthropic.messages.create({ model: 'claude', max_tokens: 64, messages: ask, output_config: { effort: 'low' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((refused as Error).message)).toContain('output_config.effort');
  });

  it('a field no engine implements (inference_geo) is a 400 naming it, dropped and listed with drop_params', async () => {
    const refused = await clients.anthropic.messages.create({ model: 'claude', max_tokens: 64, messages: ask, inference_geo: 'us' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((refused as Error).message)).toContain("'inference_geo' is not supported for model 'claude'");
    const { response } = await clients.anthropic.messages.create({ model: 'claude', max_tokens: 64, messages: ask, inference_geo: 'us', speed: 'standard' }, { body: { model: 'claude', max_tokens: 64, messages: ask, inference_geo: 'us', speed: 'standard', drop_params: true } }).withResponse();
    expect(response.headers.get('x-switchyard-dropped-params')).toBe('inference_geo');
    expect(lastAnthropicBody()).not.toHaveProperty('inference_geo');
  });

  it('an unknown key inside output_config is a 400 naming it', async () => {
    const refused = await clients.anthropic.messages.create({ model: 'claude', max_tokens: 64, messages: ask, output_config: { format: null, verbosity: 'high' } as never }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((refused as Error).message)).toContain('output_config');
    expect(String((refused as Error).message)).toContain('verbosity');
  });
});

describe.each(['claude', 'chat'])('ai + @ai-sdk/anthropic through /v1/messages (%s upstream)', (model) => {
  const provider = () => createAnthropic({ baseURL: `${clients.gateway.url}/v1`, apiKey: GATEWAY_KEY });
  const getWeather = tool({ description: 'Weather for a city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `18C in ${city}` });

  it('streamText with tools (eager_input_streaming on each tool) streams the call, then the final text', async () => {
    const result = streamText({ model: provider()(model), prompt: 'weather in Paris?', tools: { getWeather }, stopWhen: stepCountIs(3), maxOutputTokens: 64, maxRetries: 0 });
    const kinds = new Set<string>();
    for await (const part of result.fullStream) kinds.add(part.type);
    expect(kinds).toContain('tool-call');
    expect(kinds).toContain('text-delta');
    expect(await result.text).toMatch(/18C in city-1/);
    if (model === 'claude') {
      const first = clients.gateway.anthropicUpstream.requests.at(-2)!.body as { tools: Record<string, unknown>[] };
      expect(first.tools[0]).toMatchObject({ name: 'getWeather', eager_input_streaming: true });
    }
  });

  it('generateObject with a zod schema', async () => {
    const { object } = await generateObject({ model: provider()(model), schema: z.object({ city: z.string(), celsius: z.number() }), prompt: 'weather in Paris as JSON', maxOutputTokens: 64, maxRetries: 0 });
    expect(object).toEqual({ city: 'city-1', celsius: 42 });
  });
});
