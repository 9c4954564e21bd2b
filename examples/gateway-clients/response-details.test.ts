// What comes back through the gateway, as the official clients read it: usage details, parallel tool calls without
// upstream ids, the matched stop sequence, applied parameters, error.param, and what a failed Responses stream keeps.
import type Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import { useGateway } from './gateway.js';

const clients = useGateway();

const lastOpenAiBody = () => clients.gateway.openAiUpstream.requests.at(-1)!.body as Record<string, unknown>;
const lastAnthropicBody = () => clients.gateway.anthropicUpstream.requests.at(-1)!.body as Record<string, unknown>;
const tool = (name: string, property: string): ChatCompletionFunctionTool => ({ type: 'function', function: { name, parameters: { type: 'object', properties: { [property]: { type: 'string' } } } } });
const tools = [tool('weather', 'city'), tool('time', 'zone')];
const CALLS = [
  ['weather', '{"city":"city-1"}'],
  ['time', '{"zone":"zone-1"}'],
];
const distinct = (ids: readonly string[]) => expect(new Set(ids.filter((id) => id !== '')).size).toBe(2);

describe('/v1/embeddings: every declared parameter reaches the upstream', () => {
  it('user', async () => {
    await clients.openai.embeddings.create({ model: 'upstream:embed-test', input: ['a b'], user: 'end-user-7' });
    expect(lastOpenAiBody()).toMatchObject({ model: 'embed-test', input: ['a b'], user: 'end-user-7' });
  });
});

describe('parallel tool calls sent with "id": "" stay two calls with ids of their own', () => {
  const model = 'upstream:parallel-no-ids';
  const messages = [{ role: 'user' as const, content: 'weather and time?' }];

  it('chat (create and stream)', async () => {
    const completion = await clients.openai.chat.completions.create({ model, messages, tools });
    const calls = completion.choices[0]!.message.tool_calls!.flatMap((call) => (call.type === 'function' ? [call] : []));
    expect(calls.map((call) => [call.function.name, call.function.arguments])).toEqual(CALLS);
    distinct(calls.map((call) => call.id));
    const final = await clients.openai.chat.completions.stream({ model, messages, tools }).finalChatCompletion();
    const streamed = final.choices[0]!.message.tool_calls!.flatMap((call) => (call.type === 'function' ? [call] : []));
    expect(streamed.map((call) => [call.function.name, call.function.arguments])).toEqual(CALLS);
    distinct(streamed.map((call) => call.id));
  });

  it('responses (create and stream)', async () => {
    const functionTools = tools.map((t) => ({ type: 'function' as const, name: t.function.name, parameters: t.function.parameters!, strict: false }));
    const response = await clients.openai.responses.create({ model, input: 'weather and time?', tools: functionTools });
    const items = response.output.flatMap((item) => (item.type === 'function_call' ? [item] : []));
    expect(items.map((item) => [item.name, item.arguments])).toEqual(CALLS);
    distinct(items.map((item) => item.call_id));
    const final = await clients.openai.responses.stream({ model, input: 'weather and time?', tools: functionTools }).finalResponse();
    const streamed = final.output.flatMap((item) => (item.type === 'function_call' ? [item] : []));
    expect(streamed.map((item) => [item.name, item.arguments])).toEqual(CALLS);
    distinct(streamed.map((item) => item.call_id));
  });

  it('messages (create and stream)', async () => {
    const anthropicTools = tools.map((t) => ({ name: t.function.name, input_schema: t.function.parameters as Anthropic.Tool.InputSchema }));
    const message = await clients.anthropic.messages.create({ model, max_tokens: 64, messages, tools: anthropicTools });
    const uses = message.content.flatMap((block) => (block.type === 'tool_use' ? [block] : []));
    expect(uses.map((block) => [block.name, JSON.stringify(block.input)])).toEqual(CALLS);
    distinct(uses.map((block) => block.id));
    const final = await clients.anthropic.messages.stream({ model, max_tokens: 64, messages, tools: anthropicTools }).finalMessage();
    const streamed = final.content.flatMap((block) => (block.type === 'tool_use' ? [block] : []));
    expect(streamed.map((block) => [block.name, JSON.stringify(block.input)])).toEqual(CALLS);
    distinct(streamed.map((block) => block.id));
  });
});

describe('usage details from the upstream reach every face', () => {
  const messages = [{ role: 'user' as const, content: 'a b c' }];

  it('OpenAI cached and reasoning tokens: chat, responses (and the stream usage chunk)', async () => {
    const completion = await clients.openai.chat.completions.create({ model: 'upstream:usage-details', messages });
    expect(completion.usage).toEqual({ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 2 } });
    const final = await clients.openai.chat.completions.stream({ model: 'upstream:usage-details', messages, stream_options: { include_usage: true } }).finalChatCompletion();
    expect(final.usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 2 } });
    const response = await clients.openai.responses.create({ model: 'upstream:usage-details', input: 'a b c' });
    expect(response.usage).toEqual({ input_tokens: 11, input_tokens_details: { cached_tokens: 3 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 14 });
  });

  it('Anthropic cache reads and writes: messages (create and stream) and chat', async () => {
    const usage = { input_tokens: 9, output_tokens: 3, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 };
    expect((await clients.anthropic.messages.create({ model: 'claude:cache-usage', max_tokens: 64, messages })).usage).toEqual(usage);
    expect((await clients.anthropic.messages.stream({ model: 'claude:cache-usage', max_tokens: 64, messages }).finalMessage()).usage).toMatchObject(usage);
    const completion = await clients.openai.chat.completions.create({ model: 'claude:cache-usage', messages });
    expect(completion.usage).toEqual({ prompt_tokens: 16, completion_tokens: 3, total_tokens: 19, prompt_tokens_details: { cached_tokens: 3, cache_write_tokens: 4 } });
  });

  it('an upstream that reports none: no usage on chat and responses, no usage chunk, 0s where Messages require them', async () => {
    const completion = await clients.openai.chat.completions.create({ model: 'upstream:no-usage', messages });
    expect(completion.choices[0]!.message.content).toBe('c b a');
    expect(completion.usage).toBeUndefined();
    const chunks = [];
    for await (const chunk of await clients.openai.chat.completions.create({ model: 'upstream:no-usage', messages, stream: true, stream_options: { include_usage: true } })) chunks.push(chunk);
    expect(chunks.filter((chunk) => chunk.usage)).toEqual([]);
    expect((await clients.openai.responses.create({ model: 'upstream:no-usage', input: 'a b c' })).usage).toBeNull();
    expect((await clients.anthropic.messages.create({ model: 'upstream:no-usage', max_tokens: 64, messages })).usage).toEqual({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: null, cache_creation_input_tokens: null });
  });
});

describe('/v1/messages: the stop sequence that ended the answer', () => {
  const request = { model: 'claude:stop-sequence', max_tokens: 64, messages: [{ role: 'user' as const, content: 'x y' }], stop_sequences: ['STOP', 'HALT'] };

  it('create and stream report stop_reason stop_sequence naming it', async () => {
    const message = await clients.anthropic.messages.create(request);
    expect(lastAnthropicBody()).toMatchObject({ stop_sequences: ['STOP', 'HALT'] });
    expect({ stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'STOP' });
    const final = await clients.anthropic.messages.stream(request).finalMessage();
    expect({ stop_reason: final.stop_reason, stop_sequence: final.stop_sequence }).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'STOP' });
  });

  it('an OpenAI-compatible upstream does not say which stop matched: end_turn, stop_sequence null', async () => {
    const message = await clients.anthropic.messages.create({ ...request, model: 'chat' });
    expect(lastOpenAiBody()).toMatchObject({ stop: ['STOP', 'HALT'] });
    expect({ stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
  });
});

describe('/v1/responses echoes what was applied', () => {
  it('dropped parameters show their defaults, in the answer and the stored response', async () => {
    const { data, response } = await clients.openai.responses
      .create({ model: 'claude', input: 'a b', reasoning: { effort: 'low' }, service_tier: 'flex', parallel_tool_calls: false, temperature: 0.3, drop_params: true } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
      .withResponse();
    expect(response.headers.get('x-switchyard-dropped-params')).toBe('reasoning.effort, service_tier');
    expect(lastAnthropicBody()).not.toHaveProperty('service_tier');
    const applied = { reasoning: { effort: null, summary: null }, service_tier: 'default', parallel_tool_calls: false, temperature: 0.3 };
    expect(data).toMatchObject(applied);
    expect(await clients.openai.responses.retrieve(data.id)).toMatchObject(applied);
  });
});

describe('error.param names the field for OpenAI clients', () => {
  it('a schema error and an unsupported field', async () => {
    const invalid = await clients.openai.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }], max_tokens: 'many' as unknown as number }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect((invalid as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('max_tokens');
    const refused = await clients.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'low' }).catch((error: unknown) => error);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('reasoning_effort');
  });
});

describe('a Responses stream that fails after text was streamed', () => {
  it('response.failed carries the streamed text as an incomplete message', async () => {
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    const failure = await (async () => {
      for await (const event of await clients.openai.responses.create({ model: 'upstream:drop', input: 'one two three four', stream: true })) events.push(event);
    })().catch((error: unknown) => error);
    const failed = events.find((event) => event.type === 'response.failed');
    expect(failed, `events: ${events.map((event) => event.type).join(', ')}; thrown: ${String(failure)}`).toBeDefined();
    expect(failed!.type === 'response.failed' && failed!.response.output).toMatchObject([{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'four three' }] }]);
  });
});
