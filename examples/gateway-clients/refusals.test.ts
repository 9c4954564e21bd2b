// A refusal from the upstream model (`content: null, refusal: "..."`, or streamed `delta.refusal`) as each face
// returns it, read by the official clients: chat `message.refusal`, a Responses `refusal` content part, Messages text.
import type Anthropic from '@anthropic-ai/sdk';
import { FAKE_REFUSAL } from '@switchyard/testkit';
import { describe, expect, it } from 'vitest';
import { useGateway } from './gateway.js';

const clients = useGateway();

const model = 'upstream:refuses';
const messages = [{ role: 'user' as const, content: 'something it declines' }];
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };

describe('a refusal from the upstream reaches the client', () => {
  it('chat: message.refusal with content null (create), delta.refusal chunks (stream)', async () => {
    const completion = await clients.openai.chat.completions.create({ model, messages });
    expect(completion.choices[0]!.message).toEqual({ role: 'assistant', content: null, refusal: FAKE_REFUSAL });
    const stream = clients.openai.chat.completions.stream({ model, messages });
    const deltas: string[] = [];
    stream.on('refusal.delta', ({ delta }) => deltas.push(delta));
    const final = await stream.finalChatCompletion();
    expect(deltas.join('')).toBe(FAKE_REFUSAL);
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.choices[0]!.message.refusal).toBe(FAKE_REFUSAL);
  });

  it('chat with a json_schema response_format: the refusal is passed through, not retried or a 502', async () => {
    const calls = clients.gateway.openAiUpstream.requests.length;
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'place', schema, strict: true } };
    const completion = await clients.openai.chat.completions.create({ model, messages, response_format });
    expect(completion.choices[0]!.message).toMatchObject({ content: null, refusal: FAKE_REFUSAL });
    const final = await clients.openai.chat.completions.stream({ model, messages, response_format }).finalChatCompletion();
    expect(final.choices[0]!.message.refusal).toBe(FAKE_REFUSAL);
    expect(clients.gateway.openAiUpstream.requests.length - calls).toBe(2);
  });

  it('responses: a refusal content part (create), response.refusal.delta/done events (stream)', async () => {
    const response = await clients.openai.responses.create({ model, input: 'something it declines' });
    expect(response.output).toMatchObject([{ type: 'message', status: 'completed', content: [{ type: 'refusal', refusal: FAKE_REFUSAL }] }]);
    expect(response.output_text).toBe('');
    const stream = clients.openai.responses.stream({ model, input: 'something it declines', text: { format: { type: 'json_schema', name: 'place', schema, strict: true } } });
    const events: string[] = [];
    let done = '';
    for await (const event of stream) {
      events.push(event.type);
      if (event.type === 'response.refusal.done') done = event.refusal;
    }
    const final = await stream.finalResponse();
    expect(done).toBe(FAKE_REFUSAL);
    expect(events.filter((type) => type !== 'response.refusal.delta')).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.refusal.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(final.output).toMatchObject([{ type: 'message', content: [{ type: 'refusal', refusal: FAKE_REFUSAL }] }]);
  });

  it('responses: a stored refusal goes back upstream as the assistant turn refusal (previous_response_id)', async () => {
    const first = await clients.openai.responses.create({ model, input: 'something it declines' });
    await clients.openai.responses.create({ model: 'upstream:gpt-test', input: 'then this', previous_response_id: first.id });
    const body = clients.gateway.openAiUpstream.requests.at(-1)!.body as { messages: Record<string, unknown>[] };
    expect(body.messages[1]).toEqual({ role: 'assistant', content: '', refusal: FAKE_REFUSAL });
  });

  it('messages: Anthropic has no refusal field, so the refusal is the text (create and stream)', async () => {
    const message = await clients.anthropic.messages.create({ model, max_tokens: 64, messages });
    expect(message.content).toEqual([{ type: 'text', text: FAKE_REFUSAL }]);
    const final = await clients.anthropic.messages.stream({ model, max_tokens: 64, messages }).finalMessage();
    expect(final.content).toMatchObject([{ type: 'text', text: FAKE_REFUSAL }]);
  });
});

describe('a refusal-only assistant turn sent to an upstream without a refusal field (Anthropic)', () => {
  const history = [
    { role: 'user' as const, content: 'do the bad thing' },
    { role: 'assistant' as const, content: null, refusal: 'I cannot' },
    { role: 'user' as const, content: 'then a good thing' },
  ];

  it('is refused naming the field; with drop_params the turn is left out whole (no empty assistant turn upstream)', async () => {
    await expect(clients.openai.chat.completions.create({ model: 'claude', messages: history })).rejects.toMatchObject({ status: 400, param: 'messages[1].refusal' });
    // drop_params is the gateway's own field (not in the client's types): passed as a variable, it goes in the body.
    const dropping = { model: 'claude', messages: history, drop_params: true };
    const { data, response } = await clients.openai.chat.completions.create(dropping).withResponse();
    expect(data.choices[0]!.message.content).not.toBe('');
    expect(response.headers.get('x-switchyard-dropped-params')).toBe('messages[1].refusal');
    const body = clients.gateway.anthropicUpstream.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'user']);
  });
});
