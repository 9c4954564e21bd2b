import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useGateway } from './gateway.js';

// What the upstream receives: every turn, part, name and flag of the request, in order — or a 400 naming what it
// cannot take (dropped on opt-in). The fake upstreams record each body they were sent.
const clients = useGateway();

const openAiBody = () => clients.gateway.openAiUpstream.requests.at(-1)!.body as Record<string, unknown>;
const anthropicBody = () => clients.gateway.anthropicUpstream.requests.at(-1)!.body as Record<string, unknown>;
const IMG_A = 'data:image/png;base64,QUFB';
const IMG_B = 'https://example.com/b.png';
const interleaved = [
  { type: 'text' as const, text: 'Image A: ' },
  { type: 'image_url' as const, image_url: { url: IMG_A } },
  { type: 'text' as const, text: 'Image B: ' },
  { type: 'image_url' as const, image_url: { url: IMG_B } },
  { type: 'text' as const, text: 'Which is A?' },
];

describe('openai client -> OpenAI-compatible upstream', () => {
  it('content parts keep their order and boundaries; system turns keep their place; names reach the upstream', async () => {
    await clients.openai.chat.completions.create({
      model: 'chat',
      messages: [
        { role: 'user', content: 'a', name: 'ann' },
        { role: 'assistant', content: 'b' },
        { role: 'system', content: 'be terse' },
        { role: 'developer', content: 'dev rule' },
        { role: 'user', content: [{ type: 'text', text: 'line one' }, { type: 'text', text: 'line two' }] },
        { role: 'user', content: interleaved },
      ],
    });
    expect(openAiBody().messages).toEqual([
      { role: 'user', content: 'a', name: 'ann' },
      { role: 'assistant', content: 'b' },
      { role: 'system', content: 'be terse' },
      // An OpenAI-compatible server gets developer turns as system turns (docs/server.md).
      { role: 'system', content: 'dev rule' },
      { role: 'user', content: [{ type: 'text', text: 'line one' }, { type: 'text', text: 'line two' }] },
      { role: 'user', content: interleaved },
    ]);
  });

  it('a conversation of system messages only is answered, as by OpenAI', async () => {
    const completion = await clients.openai.chat.completions.create({ model: 'chat', messages: [{ role: 'system', content: 'say hi' }] });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(openAiBody().messages).toEqual([{ role: 'system', content: 'say hi' }]);
  });

  it('legacy completions send the prompt to the upstream /v1/completions as is', async () => {
    const completion = await clients.openai.completions.create({ model: 'chat', prompt: 'Once upon a', max_tokens: 5 });
    expect(completion.choices[0]!.text).toBe('a upon Once');
    const sent = clients.gateway.openAiUpstream.requests.at(-1)!;
    expect(sent.path).toBe('/v1/completions');
    expect(sent.body).toEqual({ model: 'gpt-test', prompt: 'Once upon a', max_tokens: 5, stream: false });
    const stream = await clients.openai.completions.create({ model: 'chat', prompt: 'Once upon a', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('a upon Once');
  });

  it('a nested field the API does not have is a 400 naming its pointer, never forwarded', async () => {
    const before = clients.gateway.openAiUpstream.requests.length;
    const error = await clients.openai.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } } as never] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('body/messages/0/content/0/cache_control is not a field of');
    expect(clients.gateway.openAiUpstream.requests.length).toBe(before);
  });
});

describe('openai client -> Anthropic upstream', () => {
  it('interleaved parts stay interleaved; system turns are hoisted to system blocks (Anthropic has no other place)', async () => {
    await clients.openai.chat.completions.create({ model: 'claude', messages: [{ role: 'system', content: 'S1' }, { role: 'user', content: interleaved }, { role: 'system', content: 'S2' }] });
    const body = anthropicBody();
    expect(body.system).toEqual([
      { type: 'text', text: 'S1' },
      { type: 'text', text: 'S2' },
    ]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Image A: ' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QUFB' } },
          { type: 'text', text: 'Image B: ' },
          { type: 'image', source: { type: 'url', url: IMG_B } },
          { type: 'text', text: 'Which is A?' },
        ],
      },
    ]);
  });

  it('a message name is refused naming messages[0].name (Anthropic has none), and dropped with drop_params', async () => {
    const messages = [{ role: 'user' as const, content: 'hi', name: 'ann' }];
    const error = await clients.openai.chat.completions.create({ model: 'claude', messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as { error: { code: string } }).error.code).toBe('UNSUPPORTED');
    expect((error as Error).message).toContain("'messages[0].name'");
    const { data, response } = await clients.openai.chat.completions.create({ model: 'claude', messages, drop_params: true } as never).withResponse();
    expect((data as { choices: unknown[] }).choices).toHaveLength(1);
    expect(response.headers.get('x-switchyard-dropped-params')).toBe('messages[0].name');
    expect(anthropicBody().messages).toEqual([{ role: 'user', content: 'hi' }]);
  });
});

describe('anthropic client', () => {
  const toolTurns = [
    { role: 'user' as const, content: 'weather?' },
    { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
    { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_1', content: 'service down', is_error: true }] },
  ];
  const tools = [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];

  it('tool_result is_error reaches an Anthropic upstream', async () => {
    await clients.anthropic.messages.create({ model: 'claude', max_tokens: 32, messages: toolTurns, tools });
    expect((anthropicBody().messages as unknown[]).at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'service down', is_error: true }] });
  });

  it('is_error is refused for an OpenAI-style upstream (it has no such field) naming the block, dropped with drop_params', async () => {
    const error = await clients.anthropic.messages.create({ model: 'chat', max_tokens: 32, messages: toolTurns, tools }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as { error: { details: { field: string } } }).error.details.field).toBe('messages[2].content[0].is_error');
    const { response } = await clients.anthropic.messages.create({ model: 'chat', max_tokens: 32, messages: toolTurns, tools, drop_params: true } as never).withResponse();
    expect(response.headers.get('x-switchyard-dropped-params')).toBe('messages[2].content[0].is_error');
    expect((openAiBody().messages as unknown[]).at(-1)).toEqual({ role: 'tool', tool_call_id: 'toolu_1', content: 'service down' });
  });

  it('system blocks stay separate blocks; cache_control is refused by pointer unless drop_params', async () => {
    await clients.anthropic.messages.create({ model: 'claude', max_tokens: 32, system: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }], messages: [{ role: 'user', content: 'x' }] });
    expect(anthropicBody().system).toEqual([
      { type: 'text', text: 'S1' },
      { type: 'text', text: 'S2' },
    ]);
    const cached = { model: 'claude', max_tokens: 32, messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'x', cache_control: { type: 'ephemeral' as const } }] }] };
    const error = await clients.anthropic.messages.create(cached).catch((e: unknown) => e);
    expect((error as { error: { code: string; details: { field: string } } }).error).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'messages[0].content[0].cache_control' } });
    const { response } = await clients.anthropic.messages.create({ ...cached, drop_params: true } as never).withResponse();
    expect(response.headers.get('x-switchyard-dropped-params')).toBe('messages[0].content[0].cache_control');
  });
});
