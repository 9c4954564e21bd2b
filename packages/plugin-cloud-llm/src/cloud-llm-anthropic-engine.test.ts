import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { withCost } from '@switchyard/core';
import type { EngineRunRequest, GenerationParameters } from '@switchyard/spec';
import { collectStream, runEngineConformance, startTestHttpServer, rejectionOf } from '@switchyard/testkit';
import type { TestHttpServer } from '@switchyard/testkit';
import { fakeAnthropicApi } from '@switchyard/testkit';
import { ANTHROPIC_PARAMETERS, AnthropicChatEngine } from './cloud-llm-anthropic-engine.js';

const KEY = 'sk-ant-test-abcdef0123456789';
process.env.SWITCHYARD_TEST_ANTHROPIC_KEY = KEY;
const prompt = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
const chat = (modelId: string, extra: Partial<EngineRunRequest> = {}): EngineRunRequest => ({ modelId, workload: 'completion', input: { kind: 'text', prompt }, ...extra });
const signal = () => new AbortController().signal;
const provider = (url: string, timeoutMs = 10_000) => ({
  id: 'anthropic',
  kind: 'anthropic' as const,
  baseURL: url,
  apiKeyEnv: 'SWITCHYARD_TEST_ANTHROPIC_KEY',
  timeoutMs,
  prices: { 'claude-test': { inputPerMillion: 3, outputPerMillion: 15 } },
});

let conformanceServer: TestHttpServer;
runEngineConformance(() => new AnthropicChatEngine(provider(conformanceServer.url)), {
  name: 'anthropic engine conformance',
  setup: async () => {
    conformanceServer = await startTestHttpServer(fakeAnthropicApi);
  },
  teardown: () => conformanceServer.close(),
  model: { id: 'claude-test', files: {} },
  request: chat('claude-test'),
  checkResult: (result) => expect(result.output).toEqual({ kind: 'text', text: prompt.split(' ').reverse().join(' ') }),
  provokeError: { description: 'a model the API does not have (404)', request: chat('missing-model'), codes: ['NO_SUCH_MODEL'] },
});

describe('AnthropicChatEngine against the Messages wire format', () => {
  let server: TestHttpServer;
  let engine: AnthropicChatEngine;
  beforeAll(async () => {
    server = await startTestHttpServer(fakeAnthropicApi);
    engine = new AnthropicChatEngine(provider(server.url));
  });
  afterAll(() => server.close());

  it('sends system, max_tokens, sampling and stop_sequences with the key header; reports usage and cost', async () => {
    const result = await engine.doRun(
      chat('claude-test', {
        input: { kind: 'text', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'x y z' }] },
        parameters: { maxTokens: 50, temperature: 0.1, topP: 0.8, topK: 20, stop: ['END'] },
      }),
      signal(),
    );
    expect(result).toEqual({ output: { kind: 'text', text: 'z y x' }, finishReason: 'stop', usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12, costUsd: (9 * 3 + 3 * 15) / 1e6 } });
    const sent = server.requests.at(-1)!;
    expect(sent.headers['x-api-key']).toBe(KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toMatchInlineSnapshot(`
      {
        "max_tokens": 50,
        "messages": [
          {
            "content": "x y z",
            "role": "user",
          },
        ],
        "model": "claude-test",
        "stop_sequences": [
          "END",
        ],
        "stream": false,
        "system": "You are terse.",
        "temperature": 0.1,
        "top_k": 20,
        "top_p": 0.8,
      }
    `);
  });

  it('maps message_start/content_block_delta/message_delta/message_stop to stream parts', async () => {
    const { parts, thrown } = await collectStream(engine.doStream(chat('claude-test', { input: { kind: 'text', prompt: 'p q' } }), signal()));
    expect(thrown).toBeUndefined();
    expect(parts).toEqual([
      { type: 'start', modelId: 'claude-test' },
      { type: 'delta', kind: 'text', text: 'q' },
      { type: 'delta', kind: 'text', text: ' p' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 9, outputTokens: 2, totalTokens: 11, costUsd: (9 * 3 + 2 * 15) / 1e6 } },
    ]);
    expect(server.requests.at(-1)!.body).toMatchObject({ stream: true, max_tokens: 1024 });
  });

  it('sends the correlation id as x-request-id and the W3C trace context upstream', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await collectStream(engine.doStream(chat('claude-test', { correlationId: 'req-3', traceparent, tracestate: 'a=b' }), signal()));
    expect(server.requests.at(-1)!.headers).toMatchObject({ 'x-request-id': 'req-3', traceparent, tracestate: 'a=b' });
  });

  it('turns 429 into RATE_LIMITED with retry-after and 529 into OVERLOADED, both retriable', async () => {
    const limited = await rejectionOf(engine.doRun(chat('rate-limited'), signal()));
    expect({ code: limited.code, retriable: limited.retriable, retryAfterMs: limited.retryAfterMs }).toEqual({ code: 'RATE_LIMITED', retriable: true, retryAfterMs: 3000 });
    expect(limited.details).toMatchObject({ status: 429, type: 'rate_limit_error', requestId: 'req_test' });
    const overloaded = await rejectionOf(engine.doRun(chat('overloaded'), signal()));
    expect({ code: overloaded.code, retriable: overloaded.retriable }).toEqual({ code: 'OVERLOADED', retriable: true });
  });

  it('maps "prompt is too long" to CONTEXT_WINDOW_EXCEEDED', async () => {
    expect((await rejectionOf(engine.doRun(chat('too-long'), signal()))).code).toBe('CONTEXT_WINDOW_EXCEEDED');
  });

  it('maps 401 to PROVIDER_AUTH and scrubs the echoed key', async () => {
    const error = await rejectionOf(engine.doRun(chat('bad-key'), signal()));
    expect(error.code).toBe('PROVIDER_AUTH');
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(error.message).toContain('invalid x-api-key [redacted]');
  });

  it('reports a stream cut before message_stop as CONNECTION_FAILED', async () => {
    const { parts, thrown } = await collectStream(engine.doStream(chat('drop'), signal()));
    expect(parts.map((p) => p.type)).toEqual(['start', 'delta', 'delta']);
    expect(SwitchyardError.isInstance(thrown) && thrown.code).toBe('CONNECTION_FAILED');
  });

  it('times out a slow first byte (TIMEOUT) and refuses embeddings (UNSUPPORTED)', async () => {
    const impatient = new AnthropicChatEngine(provider(server.url, 300));
    expect((await rejectionOf(impatient.doRun(chat('slow'), signal()))).code).toBe('TIMEOUT');
    expect((await rejectionOf(engine.doRun({ modelId: 'claude-test', workload: 'embedding', input: { kind: 'texts', texts: ['a'] } }, signal()))).code).toBe('UNSUPPORTED');
  });
});

describe('AnthropicChatEngine: what reaches the upstream and what comes back', () => {
  let server: TestHttpServer;
  let engine: AnthropicChatEngine;
  beforeAll(async () => {
    server = await startTestHttpServer(fakeAnthropicApi);
    engine = new AnthropicChatEngine({ ...provider(server.url), prices: undefined });
  });
  afterAll(() => server.close());

  // One row per declared parameter: a value and the Messages body fields it must become.
  const WIRE: Record<string, { value: unknown; wire: Record<string, unknown> }> = {
    maxTokens: { value: 64, wire: { max_tokens: 64 } },
    temperature: { value: 0.2, wire: { temperature: 0.2 } },
    topP: { value: 0.9, wire: { top_p: 0.9 } },
    topK: { value: 5, wire: { top_k: 5 } },
    stop: { value: ['END'], wire: { stop_sequences: ['END'] } },
    user: { value: 'end-user-1', wire: { metadata: { user_id: 'end-user-1' } } },
    tools: { value: [{ name: 'f', parameters: { type: 'object' } }], wire: { tools: [{ name: 'f', input_schema: { type: 'object' } }] } },
    toolChoice: { value: 'required', wire: { tool_choice: { type: 'any' } } },
    parallelToolCalls: { value: false, wire: { tool_choice: { type: 'auto', disable_parallel_tool_use: true } } },
    responseFormat: { value: { type: 'json', schema: { type: 'object' } }, wire: { tools: [{ name: 'json_response', input_schema: { type: 'object' } }], tool_choice: { type: 'tool', name: 'json_response' } } },
  };

  it('has a row for every declared parameter', () => {
    expect(Object.keys(WIRE).sort()).toEqual([...ANTHROPIC_PARAMETERS].sort());
    expect(engine.capabilities.parameters).toBe(ANTHROPIC_PARAMETERS);
  });

  it.each(Object.entries(WIRE))('forwards %s (run and stream)', async (name, { value, wire }) => {
    const parameters = { [name]: value } as GenerationParameters;
    await engine.doRun(chat('claude-test', { parameters }), signal());
    expect(server.requests.at(-1)!.body).toMatchObject(wire);
    await collectStream(engine.doStream(chat('claude-test', { parameters }), signal()));
    expect(server.requests.at(-1)!.body).toMatchObject({ ...wire, stream: true });
  });

  it('counts cache reads and writes as input tokens and reports them apart (run and stream)', async () => {
    const usage = { inputTokens: 16, outputTokens: 2, totalTokens: 18, cacheReadTokens: 3, cacheWriteTokens: 4 };
    expect((await engine.doRun(chat('cache-usage', { input: { kind: 'text', prompt: 'p q' } }), signal())).usage).toEqual(usage);
    const { parts } = await collectStream(engine.doStream(chat('cache-usage', { input: { kind: 'text', prompt: 'p q' } }), signal()));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage });
  });

  it('prices cache reads and writes at the cache prices, the same as core telemetry.prices', async () => {
    const price = { inputPerMillion: 3, outputPerMillion: 15, cacheReadPerMillion: 0.3, cacheWritePerMillion: 3.75 };
    const priced = new AnthropicChatEngine({ ...provider(server.url), prices: { 'cache-usage': price } });
    const usage = (await priced.doRun(chat('cache-usage', { input: { kind: 'text', prompt: 'p q' } }), signal())).usage!;
    expect(usage.costUsd).toBe(0.0000729); // (9 * 3 + 3 * 0.3 + 4 * 3.75 + 2 * 15) / 1e6
    const { costUsd: _engine, ...counts } = usage;
    expect(withCost(counts, 'anthropic', 'cache-usage', { 'cache-usage': price }).costUsd).toBe(usage.costUsd);
  });

  it('wraps a non-object root schema as {value} for the forced tool and answers the value (run and stream)', async () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', items: { $ref: '#/$defs/n' }, $defs: { n: { type: 'number' } } };
    const parameters: GenerationParameters = { responseFormat: { type: 'json', schema } };
    const inputSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { value: { type: 'array', items: { $ref: '#/$defs/n' } } },
      required: ['value'],
      $defs: { n: { type: 'number' } },
    };
    const result = await engine.doRun(chat('claude-test', { parameters }), signal());
    expect(server.requests.at(-1)!.body).toMatchObject({ tools: [{ name: 'json_response', input_schema: inputSchema }], tool_choice: { type: 'tool', name: 'json_response' } });
    expect(result.output).toEqual({ kind: 'text', text: '["value-1"]' });
    expect(result.finishReason).toBe('stop');
    const { parts } = await collectStream(engine.doStream(chat('claude-test', { parameters }), signal()));
    expect(server.requests.at(-1)!.body).toMatchObject({ tools: [{ input_schema: inputSchema }], stream: true });
    expect(parts.filter((part) => part.type === 'delta')).toEqual([{ type: 'delta', kind: 'text', text: '["value-1"]' }]);
  });

  it('sends an object root schema as it is', async () => {
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    const result = await engine.doRun(chat('claude-test', { parameters: { responseFormat: { type: 'json', schema } } }), signal());
    expect((server.requests.at(-1)!.body as { tools: unknown[] }).tools).toEqual([{ name: 'json_response', description: 'Answer with this JSON', input_schema: schema }]);
    expect(result.output).toEqual({ kind: 'text', text: '{"n":42}' });
  });

  it('names the turn field of tool-call arguments that are not JSON', async () => {
    const messages = [
      { role: 'user' as const, content: 'weather?' },
      { role: 'assistant' as const, content: '', toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city":"Oslo"}' }, { id: 'toolu_2', name: 'time', arguments: '{"x": 1' }] },
      { role: 'tool' as const, toolCallId: 'toolu_1', content: '18C' },
    ];
    const thrown = await rejectionOf(engine.doRun(chat('claude-test', { input: { kind: 'text', system: 'be brief', messages } }), signal()));
    expect({ code: thrown.code, field: thrown.details.field }).toEqual({ code: 'INVALID_INPUT', field: 'messages[1].toolCalls[1].arguments' });
    expect(thrown.message).toContain("tool call 'time'");
  });

  it('reports the stop sequence that ended the answer (run and stream)', async () => {
    const parameters = { stop: ['STOP', 'HALT'] };
    const result = await engine.doRun(chat('stop-sequence', { parameters }), signal());
    expect({ finishReason: result.finishReason, stopSequence: result.stopSequence }).toEqual({ finishReason: 'stop', stopSequence: 'STOP' });
    const { parts } = await collectStream(engine.doStream(chat('stop-sequence', { parameters }), signal()));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', stopSequence: 'STOP' });
    const plain = await engine.doRun(chat('claude-test', { parameters }), signal());
    expect(plain.stopSequence).toBeUndefined();
  });

  it('counts input tokens on /v1/messages/count_tokens with the run body minus max_tokens and sampling', async () => {
    const parameters: GenerationParameters = { maxTokens: 50, temperature: 0.5, stop: ['END'], tools: [{ name: 'weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }], toolChoice: 'auto' };
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'weather in Oslo?' },
    ];
    const counted = await engine.doCountTokens(chat('claude-test', { input: { kind: 'text', messages }, parameters, correlationId: 'corr-1' }), signal());
    // The fake counts words: 3 (system) + 3 (user) + 10 per tool.
    expect(counted).toEqual({ inputTokens: 16 });
    const sent = server.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages/count_tokens');
    expect(sent.headers['x-api-key']).toBe(KEY);
    expect(sent.headers['x-request-id']).toBe('corr-1');
    expect(sent.body).toMatchInlineSnapshot(`
      {
        "messages": [
          {
            "content": "weather in Oslo?",
            "role": "user",
          },
        ],
        "model": "claude-test",
        "system": "You are terse.",
        "tool_choice": {
          "type": "auto",
        },
        "tools": [
          {
            "description": "Weather of a city",
            "input_schema": {
              "properties": {
                "city": {
                  "type": "string",
                },
              },
              "type": "object",
            },
            "name": "weather",
          },
        ],
      }
    `);
    const missing = await rejectionOf(engine.doCountTokens(chat('missing-model'), signal()));
    expect(missing.code).toBe('NO_SUCH_MODEL');
  });
});
