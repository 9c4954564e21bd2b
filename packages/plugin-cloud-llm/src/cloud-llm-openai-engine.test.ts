import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError, costUsd } from '@switchyard/spec';
import type { PriceTable } from '@switchyard/spec';
import { withCost } from '@switchyard/core';
import type { EngineRunRequest, GenerationParameters } from '@switchyard/spec';
import { collectStream, runEngineConformance, startTestHttpServer, rejectionOf } from '@switchyard/testkit';
import type { TestHttpServer } from '@switchyard/testkit';
import { FAKE_REFUSAL, fakeOpenAiApi } from '@switchyard/testkit';
import { OPENAI_PARAMETERS, OpenAiChatEngine } from './cloud-llm-openai-engine.js';

const prompt = 'one two three four five six seven eight nine ten eleven twelve';
const chat = (modelId: string, extra: Partial<EngineRunRequest> = {}): EngineRunRequest => ({
  modelId,
  workload: 'completion',
  input: { kind: 'text', prompt },
  ...extra,
});
const signal = () => new AbortController().signal;

let conformanceServer: TestHttpServer;
runEngineConformance(() => new OpenAiChatEngine({ id: 'local-openai', kind: 'openai-compatible', baseURL: `${conformanceServer.url}/v1` }), {
  name: 'openai-compatible engine conformance',
  setup: async () => {
    conformanceServer = await startTestHttpServer(fakeOpenAiApi);
  },
  teardown: () => conformanceServer.close(),
  model: { id: 'gpt-test', files: {} },
  request: chat('gpt-test'),
  checkResult: (result) => expect(result.output).toEqual({ kind: 'text', text: prompt.split(' ').reverse().join(' ') }),
  provokeError: { description: 'a model the server does not have (404)', request: chat('missing-model'), codes: ['NO_SUCH_MODEL'] },
});

describe('OpenAiChatEngine against the OpenAI wire format', () => {
  let server: TestHttpServer;
  let engine: OpenAiChatEngine;
  const KEY = 'sk-test-0123456789abcdef';
  const PRICES: PriceTable = { 'gpt-test': { inputPerMillion: 0.15, outputPerMillion: 0.6 } };

  beforeAll(async () => {
    server = await startTestHttpServer(fakeOpenAiApi);
    process.env.SWITCHYARD_TEST_OPENAI_KEY = KEY;
    engine = new OpenAiChatEngine({
      id: 'openai',
      kind: 'openai',
      baseURL: `${server.url}/v1`,
      apiKeyEnv: 'SWITCHYARD_TEST_OPENAI_KEY',
      timeoutMs: 10_000,
      prices: PRICES,
    });
  });
  afterAll(async () => {
    delete process.env.SWITCHYARD_TEST_OPENAI_KEY;
    await server.close();
  });

  it('sends the correlation id as x-request-id and the W3C trace context upstream (run and stream)', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await engine.doRun(chat('gpt-test', { correlationId: 'req-9', traceparent, tracestate: 'vendor=1' }), signal());
    expect(server.requests.at(-1)!.headers).toMatchObject({ 'x-request-id': 'req-9', traceparent, tracestate: 'vendor=1' });
    await collectStream(engine.doStream(chat('gpt-test', { traceparent }), signal()));
    expect(server.requests.at(-1)!.headers.traceparent).toBe(traceparent);
    expect(server.requests.at(-1)!.headers['x-request-id']).toBeUndefined();
    await engine.doRun(chat('gpt-test'), signal());
    expect(server.requests.at(-1)!.headers.traceparent).toBeUndefined();
  });

  it('sends system prompt, sampling knobs and stop sequences, and reports usage with cost', async () => {
    await engine.doLoad({ id: 'small-chat', files: {}, options: { model: 'gpt-test' } }, signal());
    const result = await engine.doRun(
      {
        modelId: 'small-chat',
        workload: 'completion',
        input: { kind: 'text', system: 'Be terse.', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }], prompt: 'red green blue' },
        parameters: { maxTokens: 64, temperature: 0.2, topP: 0.9, stop: ['\n\n'] },
      },
      signal(),
    );
    expect(result).toEqual({
      output: { kind: 'text', text: 'blue green red' },
      finishReason: 'stop',
      usage: { inputTokens: 11, outputTokens: 3, totalTokens: 14, costUsd: 0.00000345 },
    });
    const sent = server.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toMatchInlineSnapshot(`
      {
        "max_completion_tokens": 64,
        "messages": [
          {
            "content": "Be terse.",
            "role": "system",
          },
          {
            "content": "hi",
            "role": "user",
          },
          {
            "content": "hello",
            "role": "assistant",
          },
          {
            "content": "red green blue",
            "role": "user",
          },
        ],
        "model": "gpt-test",
        "stop": [
          "

      ",
        ],
        "stream": false,
        "temperature": 0.2,
        "top_p": 0.9,
      }
    `);
  });

  it('reports the same cost as core telemetry.prices from the one shared price table', async () => {
    await engine.doLoad({ id: 'small-chat', files: {}, options: { model: 'gpt-test' } }, signal());
    const result = await engine.doRun({ modelId: 'small-chat', workload: 'completion', input: { kind: 'text', prompt: 'red green blue' } }, signal());
    const { inputTokens, outputTokens } = result.usage!;
    const fromCore = withCost({ inputTokens, outputTokens }, 'openai', 'gpt-test', PRICES).costUsd;
    expect(fromCore).toBeGreaterThan(0);
    expect(result.usage!.costUsd).toBe(fromCore);
    expect(result.usage!.costUsd).toBe(costUsd(PRICES['gpt-test']!, inputTokens, outputTokens));
  });

  it('streams deltas and a finish with usage from the include_usage chunk', async () => {
    const { parts, thrown } = await collectStream(engine.doStream(chat('gpt-test', { input: { kind: 'text', prompt: 'a b c' } }), signal()));
    expect(thrown).toBeUndefined();
    expect(parts).toEqual([
      { type: 'start', modelId: 'gpt-test' },
      { type: 'delta', kind: 'text', text: 'c' },
      { type: 'delta', kind: 'text', text: ' b' },
      { type: 'delta', kind: 'text', text: ' a' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 11, outputTokens: 3, totalTokens: 14, costUsd: 0.00000345 } },
    ]);
    expect(server.requests.at(-1)!.body).toMatchInlineSnapshot(`
      {
        "messages": [
          {
            "content": "a b c",
            "role": "user",
          },
        ],
        "model": "gpt-test",
        "stream": true,
        "stream_options": {
          "include_usage": true,
        },
      }
    `);
  });

  it('embeds texts in input order with float encoding', async () => {
    const result = await engine.doRun({ modelId: 'embed-test', workload: 'embedding', input: { kind: 'texts', texts: ['banana', 'sky'] } }, signal());
    expect(result.output).toEqual({ kind: 'embeddings', vectors: [[6, 3, 0], [3, 0, 1]] });
    expect(result.usage).toMatchObject({ inputTokens: 6 });
    expect(server.requests.at(-1)!.body).toMatchInlineSnapshot(`
      {
        "encoding_format": "float",
        "input": [
          "banana",
          "sky",
        ],
        "model": "embed-test",
      }
    `);
  });

  it('turns 429 into a retriable RATE_LIMITED with retry-after in ms', async () => {
    const error = await rejectionOf(engine.doRun(chat('rate-limited'), signal()));
    expect({ code: error.code, retriable: error.retriable, retryAfterMs: error.retryAfterMs }).toEqual({ code: 'RATE_LIMITED', retriable: true, retryAfterMs: 7000 });
    expect(error.details).toMatchObject({ status: 429, providerCode: 'rate_limit_exceeded', engine: 'openai' });
  });

  it('turns 503 into a retriable OVERLOADED using retry-after-ms', async () => {
    const error = await rejectionOf(engine.doRun(chat('overloaded'), signal()));
    expect({ code: error.code, retriable: error.retriable, retryAfterMs: error.retryAfterMs }).toEqual({ code: 'OVERLOADED', retriable: true, retryAfterMs: 1500 });
  });

  it('maps context-length errors to CONTEXT_WINDOW_EXCEEDED', async () => {
    const error = await rejectionOf(engine.doRun(chat('too-long'), signal()));
    expect(error.code).toBe('CONTEXT_WINDOW_EXCEEDED');
    expect(error.retriable).toBe(false);
    expect(error.message).toContain('maximum context length is 8192 tokens');
  });

  it('maps 401 to PROVIDER_AUTH without leaking the key the server echoed', async () => {
    const error = await rejectionOf(engine.doRun(chat('bad-key'), signal()));
    expect(error.code).toBe('PROVIDER_AUTH');
    expect(error.message).toContain('[redacted]');
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(error.message).not.toContain(KEY);
    expect(String(error.cause ?? '')).not.toContain(KEY);
  });

  it('reports a connection dropped mid-stream as retriable CONNECTION_FAILED after the deltas it got', async () => {
    const { parts, thrown } = await collectStream(engine.doStream(chat('drop'), signal()));
    expect(parts.map((p) => p.type)).toEqual(['start', 'delta', 'delta']);
    expect(SwitchyardError.isInstance(thrown) && { code: thrown.code, retriable: thrown.retriable }).toEqual({ code: 'CONNECTION_FAILED', retriable: true });
  });

  it('times out a slow first byte with a retriable TIMEOUT', async () => {
    const impatient = new OpenAiChatEngine({ id: 'impatient', kind: 'openai-compatible', baseURL: `${server.url}/v1`, timeoutMs: 300 });
    const error = await rejectionOf(impatient.doRun(chat('slow'), signal()));
    expect({ code: error.code, retriable: error.retriable }).toEqual({ code: 'TIMEOUT', retriable: true });
  });

  it('aborts a call waiting for a slow first byte with ABORTED', async () => {
    const slowEngine = new OpenAiChatEngine({ id: 'slow', kind: 'openai-compatible', baseURL: `${server.url}/v1`, timeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = rejectionOf(slowEngine.doRun(chat('slow'), controller.signal));
    setTimeout(() => controller.abort(), 50);
    expect((await pending).code).toBe('ABORTED');
  });

  it('rejects non-text chat input with INVALID_INPUT naming the field', async () => {
    const error = await rejectionOf(engine.doRun({ modelId: 'gpt-test', workload: 'completion', input: { kind: 'texts', texts: ['x'] } }, signal()));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toMatchObject({ field: 'input.kind', expected: 'text', found: 'texts' });
  });

  it('reports an unset key env var by NAME in health and as CONFIG_ENV_MISSING on run', async () => {
    const noKey = new OpenAiChatEngine({ id: 'openai-nokey', kind: 'openai', baseURL: `${server.url}/v1`, apiKeyEnv: 'SWITCHYARD_TEST_UNSET_KEY' });
    expect(await noKey.health()).toEqual({ ok: false, reason: 'environment variable SWITCHYARD_TEST_UNSET_KEY (apiKeyEnv) is not set' });
    expect((await rejectionOf(noKey.doRun(chat('gpt-test'), signal()))).code).toBe('CONFIG_ENV_MISSING');
  });

  it('probes a self-hosted server in health() and reports it down with CONNECTION_FAILED', async () => {
    const up = new OpenAiChatEngine({ id: 'up', kind: 'openai-compatible', baseURL: `${server.url}/v1` });
    expect((await up.health()).ok).toBe(true);
    const down = new OpenAiChatEngine({ id: 'down', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' });
    expect(await down.health()).toMatchObject({ ok: false, details: { code: 'CONNECTION_FAILED' } });
  });
});

describe('OpenAiChatEngine: what reaches the upstream and what comes back', () => {
  let server: TestHttpServer;
  let engine: OpenAiChatEngine;
  beforeAll(async () => {
    server = await startTestHttpServer(fakeOpenAiApi);
    engine = new OpenAiChatEngine({ id: 'openai', kind: 'openai', baseURL: `${server.url}/v1`, timeoutMs: 10_000 });
  });
  afterAll(() => server.close());

  // One row per declared parameter: a value and the chat-completions body fields it must become.
  const CHAT_WIRE: Record<string, { value: unknown; wire: Record<string, unknown> }> = {
    maxTokens: { value: 64, wire: { max_completion_tokens: 64 } },
    temperature: { value: 0.2, wire: { temperature: 0.2 } },
    topP: { value: 0.9, wire: { top_p: 0.9 } },
    stop: { value: ['END'], wire: { stop: ['END'] } },
    seed: { value: 7, wire: { seed: 7 } },
    presencePenalty: { value: 0.5, wire: { presence_penalty: 0.5 } },
    frequencyPenalty: { value: 0.25, wire: { frequency_penalty: 0.25 } },
    logitBias: { value: { '50256': -100 }, wire: { logit_bias: { '50256': -100 } } },
    user: { value: 'end-user-1', wire: { user: 'end-user-1' } },
    tools: { value: [{ name: 'f', parameters: { type: 'object' } }], wire: { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] } },
    toolChoice: { value: 'required', wire: { tool_choice: 'required' } },
    parallelToolCalls: { value: false, wire: { parallel_tool_calls: false } },
    responseFormat: { value: { type: 'json' }, wire: { response_format: { type: 'json_object' } } },
    reasoningEffort: { value: 'low', wire: { reasoning_effort: 'low' } },
    serviceTier: { value: 'flex', wire: { service_tier: 'flex' } },
  };
  // What the embeddings API takes; every other declared parameter is refused for embeddings, never ignored.
  const EMBEDDINGS_WIRE: Record<string, Record<string, unknown>> = { user: { user: 'end-user-1' } };

  it('has a row for every declared parameter', () => {
    expect(Object.keys(CHAT_WIRE).sort()).toEqual([...OPENAI_PARAMETERS].sort());
    expect(engine.capabilities.parameters).toBe(OPENAI_PARAMETERS);
  });

  it.each(Object.entries(CHAT_WIRE))('chat forwards %s (run and stream)', async (name, { value, wire }) => {
    const parameters = { [name]: value } as GenerationParameters;
    await engine.doRun(chat('gpt-test', { parameters }), signal());
    expect(server.requests.at(-1)!.body).toMatchObject(wire);
    await collectStream(engine.doStream(chat('gpt-test', { parameters }), signal()));
    expect(server.requests.at(-1)!.body).toMatchObject({ ...wire, stream: true });
  });

  it.each(Object.keys(CHAT_WIRE))('embeddings forward %s or refuse it by name', async (name) => {
    const before = server.requests.length;
    const request: EngineRunRequest = { modelId: 'embed-test', workload: 'embedding', input: { kind: 'texts', texts: ['a'] }, parameters: { [name]: CHAT_WIRE[name]!.value } as GenerationParameters };
    const wire = EMBEDDINGS_WIRE[name];
    if (wire) {
      await engine.doRun(request, signal());
      expect(server.requests.at(-1)!.path).toBe('/v1/embeddings');
      expect(server.requests.at(-1)!.body).toMatchObject(wire);
    } else {
      const error = await rejectionOf(engine.doRun(request, signal()));
      expect({ code: error.code, field: error.details.field }).toEqual({ code: 'UNSUPPORTED', field: name });
      expect(server.requests.length).toBe(before);
    }
  });

  const twoTools: GenerationParameters = {
    tools: [
      { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } },
    ],
  };

  it('parallel tool calls with "id": "" stay apart and get distinct ids (run)', async () => {
    const result = await engine.doRun(chat('parallel-no-ids', { parameters: twoTools }), signal());
    const calls = result.output.kind === 'text' ? (result.output.toolCalls ?? []) : [];
    expect(calls.map((c) => [c.name, c.arguments])).toEqual([
      ['weather', '{"city":"city-1"}'],
      ['time', '{"zone":"zone-1"}'],
    ]);
    expect(calls[0]!.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it('parallel tool calls with "id": "" stay apart and get distinct ids (stream)', async () => {
    const { parts, thrown } = await collectStream(engine.doStream(chat('parallel-no-ids', { parameters: twoTools }), signal()));
    expect(thrown).toBeUndefined();
    const starts = parts.flatMap((p) => (p.type === 'tool-call-start' ? [p] : []));
    expect(starts.map((p) => [p.name, p.index])).toEqual([
      ['weather', 0],
      ['time', 1],
    ]);
    expect(starts[0]!.id).not.toBe(starts[1]!.id);
    const args = (id: string) => parts.flatMap((p) => (p.type === 'tool-call-delta' && p.id === id ? [p.argumentsDelta] : [])).join('');
    expect([args(starts[0]!.id), args(starts[1]!.id)]).toEqual(['{"city":"city-1"}', '{"zone":"zone-1"}']);
    expect(parts.filter((p) => p.type === 'tool-call-end').map((p) => (p as { id: string }).id)).toEqual(starts.map((p) => p.id));
  });

  it('reports cached prompt tokens and reasoning tokens (run and stream)', async () => {
    const usage = { inputTokens: 11, outputTokens: 3, totalTokens: 14, cacheReadTokens: 3, reasoningTokens: 2 };
    const result = await engine.doRun(chat('usage-details', { input: { kind: 'text', prompt: 'a b c' } }), signal());
    expect(result.usage).toEqual(usage);
    const { parts } = await collectStream(engine.doStream(chat('usage-details', { input: { kind: 'text', prompt: 'a b c' } }), signal()));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage });
  });

  it('returns a refusal apart from the text: message.refusal (run) and delta.refusal pieces (stream)', async () => {
    const result = await engine.doRun(chat('refuses'), signal());
    expect(result.output).toEqual({ kind: 'text', text: '', refusal: FAKE_REFUSAL });
    const { parts, thrown } = await collectStream(engine.doStream(chat('refuses'), signal()));
    expect(thrown).toBeUndefined();
    expect(parts.filter((p) => p.type === 'delta' && p.kind === 'text')).toEqual([]);
    expect(parts.flatMap((p) => (p.type === 'delta' && p.kind === 'refusal' ? [p.text] : [])).join('')).toBe(FAKE_REFUSAL);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('reports no usage (not zeros) when the upstream sent none', async () => {
    expect((await engine.doRun(chat('no-usage'), signal())).usage).toEqual({});
    const { parts } = await collectStream(engine.doStream(chat('no-usage'), signal()));
    expect(parts.at(-1)).toMatchObject({ type: 'finish', usage: {} });
  });
});
