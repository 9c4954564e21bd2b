// Regression: an upstream 400 naming a field (`param: "temperature"`) reached clients as `param: null`.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { fakeOpenAiApi, sendJson } from '@switchyard/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { useGateway } from './gateway.js';

const clients = useGateway();
beforeAll(() => {
  // OpenAI's own answers to a value or parameter a model does not take; anything else goes to the usual fake.
  clients.gateway.openAiUpstream.setHandler((request, response) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const refuse = (param: string, message: string) => sendJson(response, 400, { error: { message, type: 'invalid_request_error', param, code: 'unsupported_value' } });
    if (body.temperature === 0.3) return refuse('temperature', "Unsupported value: 'temperature' does not support 0.3 with this model. Only the default (1) value is supported.");
    if (body.max_tokens === 7) return refuse('max_tokens', "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.");
    const turns = (body.messages ?? []) as { content?: unknown }[];
    if (turns.at(-1)?.content === 'refuse this turn') return refuse(`messages[${turns.length - 1}].content`, 'Invalid content: this turn cannot be processed.');
    if (body.seed === 13) return refuse('/etc/switchyard/secrets.json', 'seed: see /etc/switchyard/secrets.json');
    return fakeOpenAiApi(request, response);
  });
});

const messages = [{ role: 'user' as const, content: 'hello there' }];

async function openAiRejection(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe("openai client: the field an upstream 400 names is the answer's param", () => {
  it.each([false, true])('chat completions (stream: %s): param is temperature', async (stream) => {
    const error = await openAiRejection(clients.openai.chat.completions.create({ model: 'chat', messages, temperature: 0.3, stream }));
    expect(error.status).toBe(400);
    expect(error.param).toBe('temperature');
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toContain("'temperature' does not support 0.3");
  });

  it.each([false, true])('responses (stream: %s): param is temperature', async (stream) => {
    const error = await openAiRejection(clients.openai.responses.create({ model: 'chat', input: 'hello there', temperature: 0.3, stream }));
    expect(error.param).toBe('temperature');
    expect(error.code).toBe('INVALID_INPUT');
  });

  it("names the caller's own field for a parameter the upstream calls otherwise (max_tokens upstream, max_output_tokens here)", async () => {
    expect((await openAiRejection(clients.openai.chat.completions.create({ model: 'chat', messages, max_tokens: 7 }))).param).toBe('max_tokens');
    expect((await openAiRejection(clients.openai.responses.create({ model: 'chat', input: 'hello there', max_output_tokens: 7 }))).param).toBe('max_output_tokens');
  });

  it("names a turn by the caller's own field (messages[1].content upstream: the Responses input, the Messages turn)", async () => {
    const turns = [{ role: 'system' as const, content: 'be brief' }, { role: 'user' as const, content: 'refuse this turn' }];
    expect((await openAiRejection(clients.openai.chat.completions.create({ model: 'chat', messages: turns }))).param).toBe('messages[1].content');
    expect((await openAiRejection(clients.openai.responses.create({ model: 'chat', instructions: 'be brief', input: [{ role: 'user', content: 'refuse this turn' }] }))).param).toBe('input[0].content');
    const error = (await clients.anthropic.messages.create({ model: 'chat', max_tokens: 64, system: 'be brief', messages: [{ role: 'user', content: 'refuse this turn' }] }).catch((thrown: unknown) => thrown)) as InstanceType<typeof Anthropic.APIError>;
    expect((error.error as { error: { param: unknown } }).error.param).toBe('messages[0].content');
  });

  it('gives param null, and no path, when the upstream param is not a field name', async () => {
    const error = await openAiRejection(clients.openai.chat.completions.create({ model: 'chat', messages, seed: 13 }));
    expect(error.param).toBeNull();
    expect(JSON.stringify(error.error)).not.toContain('/etc/switchyard');
  });
});

describe("Anthropic client: /v1/messages carries the upstream's field as error.param", () => {
  it.each([false, true])('messages (stream: %s)', async (stream) => {
    const params = { model: 'chat', max_tokens: 64, messages, temperature: 0.3 };
    const error = await (stream ? clients.anthropic.messages.create({ ...params, stream: true }) : clients.anthropic.messages.create(params)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const body = (error as InstanceType<typeof Anthropic.APIError>).error as { type: string; error: { type: string; param: string | null } };
    expect(body.type).toBe('error');
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'temperature' });
  });
});
