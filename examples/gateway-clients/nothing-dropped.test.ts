import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const messages = [{ role: 'user', content: 'a b' }];

/**
 * One value for EVERY field of the openai SDK's chat request type: the Record over `keyof Required<...>` stops
 * compiling when the SDK gains a field, so a new field cannot slip through unclassified.
 */
const everyField: Record<keyof Required<ChatCompletionCreateParamsBase>, unknown> = {
  messages,
  model: 'chat',
  audio: { voice: 'alloy', format: 'mp3' },
  frequency_penalty: 0.5,
  function_call: 'auto',
  functions: [{ name: 'f', parameters: {} }],
  logit_bias: { '50256': -100 },
  logprobs: true,
  max_completion_tokens: 64,
  max_tokens: 32,
  metadata: { team: 'a' },
  modalities: ['text', 'audio'],
  moderation: {},
  n: 2,
  parallel_tool_calls: false,
  prediction: { type: 'content', content: 'x' },
  presence_penalty: 0.25,
  prompt_cache_key: 'k',
  prompt_cache_options: { mode: 'implicit' },
  prompt_cache_retention: '24h',
  reasoning_effort: 'low',
  response_format: { type: 'json_object' },
  safety_identifier: 'user-1',
  seed: 7,
  service_tier: 'flex',
  stop: ['END'],
  store: true,
  stream: false,
  stream_options: { include_usage: true },
  temperature: 0.3,
  tool_choice: 'none',
  tools,
  top_logprobs: 3,
  top_p: 0.9,
  user: 'user-1',
  verbosity: 'low',
  web_search_options: {},
};

/** Honoured fields and what the OpenAI-compatible upstream must receive for them. */
const forwarded: Partial<Record<keyof typeof everyField, Record<string, unknown>>> = {
  frequency_penalty: { frequency_penalty: 0.5 },
  logit_bias: { logit_bias: { '50256': -100 } },
  max_completion_tokens: { max_tokens: 64 },
  max_tokens: { max_tokens: 32 },
  parallel_tool_calls: { parallel_tool_calls: false },
  presence_penalty: { presence_penalty: 0.25 },
  reasoning_effort: { reasoning_effort: 'low' },
  response_format: { response_format: { type: 'json_object' } },
  seed: { seed: 7 },
  service_tier: { service_tier: 'flex' },
  stop: { stop: ['END'] },
  temperature: { temperature: 0.3 },
  tool_choice: { tool_choice: 'none', tools },
  tools: { tools },
  top_p: { top_p: 0.9 },
  user: { user: 'user-1' },
  // Transport fields: honoured by the gateway itself.
  messages: {},
  model: {},
  stream: {},
  stream_options: {},
};

async function post(body: Record<string, unknown>) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, json: (await response.json()) as { error?: { message: string; code: string }; choices?: unknown[] } };
}

const withField = (field: string, model = 'chat'): Record<string, unknown> => ({
  model,
  messages,
  [field]: everyField[field as keyof typeof everyField],
  ...(field === 'tool_choice' ? { tools } : {}),
  ...(field === 'stream_options' ? { stream: false } : {}),
});

describe('nothing silently dropped: every OpenAI chat request field is forwarded or refused', () => {
  it.each(Object.keys(everyField))('%s', async (field) => {
    const before = gateway.openAiUpstream.requests.length;
    const { status, json } = await post(withField(field));
    const expected = forwarded[field as keyof typeof everyField];
    if (expected) {
      expect(status, JSON.stringify(json)).toBe(200);
      expect(gateway.openAiUpstream.requests.length).toBe(before + 1);
      expect(gateway.openAiUpstream.requests.at(-1)!.body).toMatchObject(expected);
    } else {
      expect(status).toBe(400);
      expect(json.error!.message).toContain(`'${field}'`);
      expect(json.error!.message).toContain(`'chat'`);
      expect(gateway.openAiUpstream.requests.length).toBe(before);
    }
  });

  it('a field that is not in the API at all is a 400 naming it', async () => {
    const { status, json } = await post({ model: 'chat', messages, temprature: 0.2 });
    expect(status).toBe(400);
    expect(json.error!.message).toContain("'temprature'");
  });

  it('drop_params: true drops what cannot be honoured and lists it in x-switchyard-dropped-params', async () => {
    const { status, headers } = await post({ model: 'chat', messages, n: 2, logprobs: true, seed: 1, drop_params: true });
    expect(status).toBe(200);
    expect(headers.get('x-switchyard-dropped-params')).toBe('n, logprobs');
    expect(gateway.openAiUpstream.requests.at(-1)!.body).toMatchObject({ seed: 1 });
    expect(gateway.openAiUpstream.requests.at(-1)!.body).not.toHaveProperty('n');
  });

  it('the Anthropic upstream refuses OpenAI-only knobs by name and model, or drops them on opt-in', async () => {
    const refused = await post({ model: 'claude', messages, presence_penalty: 0.5 });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 'UNSUPPORTED' });
    expect(refused.json.error!.message).toBe("Model 'claude-test' on engine 'claude' does not support the parameter 'presence_penalty'");
    const dropped = await post({ model: 'claude', messages, presence_penalty: 0.5, seed: 3, top_p: 0.5, drop_params: true });
    expect(dropped.status).toBe(200);
    expect(dropped.headers.get('x-switchyard-dropped-params')).toBe('seed, presence_penalty');
    expect(gateway.anthropicUpstream.requests.at(-1)!.body).toMatchObject({ top_p: 0.5 });
  });
});
