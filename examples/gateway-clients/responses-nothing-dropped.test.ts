import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
let storedId: string;
beforeAll(async () => {
  gateway = await startGateway();
  storedId = ((await post({ model: 'chat', input: 'first turn' })).json as { id: string }).id;
});
afterAll(() => gateway.close());

const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
const chatTools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false } }];

/**
 * One value for EVERY field of the openai SDK's Responses request type (the Record over `keyof Required<...>`
 * stops compiling when the SDK gains a field). Values that would change the answer where a field is refused.
 */
const everyField: Record<keyof Required<ResponseCreateParamsBase>, unknown> = {
  background: true,
  context_management: [{ type: 'compaction', compact_threshold: 1000 }],
  conversation: 'conv_1',
  include: ['reasoning.encrypted_content'],
  input: 'a b',
  instructions: 'Be brief.',
  max_output_tokens: 64,
  metadata: { team: 'a' },
  model: 'chat',
  moderation: {},
  parallel_tool_calls: false,
  previous_response_id: 'set in the test',
  prompt: { id: 'pmpt_1' },
  prompt_cache_key: 'k',
  prompt_cache_options: { mode: 'implicit' },
  prompt_cache_retention: '24h',
  reasoning: { effort: 'low' },
  safety_identifier: 'user-1',
  service_tier: 'flex',
  store: false,
  stream: false,
  stream_options: { include_obfuscation: true },
  temperature: 0.3,
  text: { format: { type: 'json_object' } },
  tool_choice: 'none',
  tools,
  top_logprobs: 3,
  top_p: 0.9,
  truncation: 'auto',
  user: 'user-1',
};

/** Honoured fields and what the OpenAI-compatible upstream (chat completions) must receive for them. */
const forwarded: Partial<Record<keyof typeof everyField, Record<string, unknown>>> = {
  max_output_tokens: { max_tokens: 64 },
  parallel_tool_calls: { parallel_tool_calls: false },
  reasoning: { reasoning_effort: 'low' },
  service_tier: { service_tier: 'flex' },
  temperature: { temperature: 0.3 },
  text: { response_format: { type: 'json_object' } },
  tool_choice: { tool_choice: 'none', tools: chatTools },
  tools: { tools: chatTools },
  top_p: { top_p: 0.9 },
  user: { user: 'user-1' },
  instructions: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'a b' }] },
  previous_response_id: { messages: [{ role: 'user', content: 'first turn' }, { role: 'assistant', content: 'turn first' }, { role: 'user', content: 'a b' }] },
  // Honoured by the gateway itself (transport, storage, echoed metadata).
  input: {},
  model: {},
  metadata: {},
  store: {},
  stream: {},
};

/** Refused fields whose error names the nested field that was set. */
const refusedAs: Readonly<Record<string, string>> = { stream_options: 'stream_options.include_obfuscation' };

async function post(body: Record<string, unknown>) {
  const response = await fetch(`${gateway.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${GATEWAY_KEY}` }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, json: (await response.json()) as { error?: { message: string; code: string } } & Record<string, unknown> };
}

const withField = (field: string): Record<string, unknown> => ({
  model: 'chat',
  input: 'a b',
  [field]: field === 'previous_response_id' ? storedId : everyField[field as keyof typeof everyField],
  ...(field === 'tool_choice' ? { tools } : {}),
});

describe('nothing silently dropped: every OpenAI Responses request field is honoured or refused', () => {
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
      expect(json.error!.message).toContain(`'${refusedAs[field] ?? field}'`);
      expect(json.error!.message).toContain(`'chat'`);
      expect(gateway.openAiUpstream.requests.length).toBe(before);
    }
  });

  it('values that change nothing are accepted: background false, truncation disabled, include [], top_logprobs 0', async () => {
    const { status } = await post({ model: 'chat', input: 'a b', background: false, truncation: 'disabled', include: [], top_logprobs: 0, stream_options: { include_obfuscation: false } });
    expect(status).toBe(200);
  });

  it('metadata is kept on the response; the Anthropic upstream refuses OpenAI-only knobs by name, or drops them on opt-in', async () => {
    expect((await post({ model: 'chat', input: 'a', metadata: { team: 'a' } })).json.metadata).toEqual({ team: 'a' });
    const refused = await post({ model: 'claude', input: 'a', max_output_tokens: 32, service_tier: 'flex' });
    expect(refused.status).toBe(400);
    expect(refused.json.error!.message).toContain("'service_tier'");
    const dropped = await post({ model: 'claude', input: 'a', max_output_tokens: 32, service_tier: 'flex', truncation: 'auto', drop_params: true });
    expect(dropped.status).toBe(200);
    expect(dropped.headers.get('x-switchyard-dropped-params')).toBe('truncation, service_tier');
  });
});
