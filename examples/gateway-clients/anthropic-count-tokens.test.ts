import Anthropic from '@anthropic-ai/sdk';
import { fakeAnthropicTokenCount } from '@switchyard/testkit';
import { describe, expect, it } from 'vitest';
import { useGateway, weatherTool } from './gateway.js';

const clients = useGateway();

const weather = weatherTool;

describe('@anthropic-ai/sdk messages.countTokens through the gateway', () => {
  it('an Anthropic upstream counts it on its own count_tokens: the body as /v1/messages maps it, minus max_tokens; the count passes through', async () => {
    const counted = await clients.anthropic.messages.countTokens({
      model: 'claude',
      system: 'be brief please',
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny and warm' }] },
      ],
      tools: [weather],
      tool_choice: { type: 'auto' },
    });
    const sent = clients.gateway.anthropicUpstream.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages/count_tokens');
    expect(sent.body).toEqual({
      model: 'claude-test',
      system: 'be brief please',
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny and warm' }] },
      ],
      tools: [weather],
      tool_choice: { type: 'auto' },
    });
    // 3 (system) + 3 + 1 (tool_use) + 3 + 10 (one tool): the fake's count, unchanged by the clients.gateway.
    expect(counted).toEqual({ input_tokens: fakeAnthropicTokenCount(sent.body as Record<string, unknown>) });
    expect(counted.input_tokens).toBe(20);
    const direct = await clients.anthropic.messages.countTokens({ model: 'claude:claude-test', messages: [{ role: 'user', content: 'one two three four' }] });
    expect(direct.input_tokens).toBe(4);
  });

  it('an OpenAI-compatible upstream has no count_tokens: 400 naming the model, nothing sent upstream', async () => {
    const before = clients.gateway.openAiUpstream.requests.length;
    const refused = await clients.anthropic.messages.countTokens({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    const error = refused as InstanceType<typeof Anthropic.BadRequestError>;
    expect(error.error).toMatchObject({ type: 'error', code: 'UNSUPPORTED', error: { type: 'invalid_request_error' }, details: { field: 'model' } });
    expect(error.message).toContain("count_tokens is not supported for model 'chat' (engine 'upstream' has no token counting)");
    expect(clients.gateway.openAiUpstream.requests.length).toBe(before);
  });

  it('refuses what count_tokens does not take (max_tokens) and what /v1/messages refuses, naming it', async () => {
    const extra = await clients.anthropic.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 } as Anthropic.MessageCountTokensParams).catch((error: unknown) => error);
    expect(extra).toBeInstanceOf(Anthropic.BadRequestError);
    expect((extra as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/max_tokens' } });
    const thinking = await clients.anthropic.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'hi' }], thinking: { type: 'enabled', budget_tokens: 1024 } }).catch((error: unknown) => error);
    expect((thinking as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'thinking' } });
  });
});
