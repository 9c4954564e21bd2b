import { describe, expect, it } from 'vitest';
import type { EngineCapabilities, EngineHealth, EngineRunRequest, EngineRunResult, EngineStreamPart, EngineV1, InferenceRequest, InferenceStreamPart } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { createOrchestrator } from './create-orchestrator.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';
import { MAX_RESPONSE_SCHEMA_BYTES, RESPONSE_SCHEMA_CACHE_SIZE, responseSchemaValidator } from './structured-output.js';

const silent = createOrchestrationLogger({ logLevel: 'silent' });
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };

/** A scripted answer starting with this is a refusal (the rest is its text). */
const REFUSAL = 'REFUSAL:';

/** Answers each call with the next scripted text (streamed in two deltas), recording what it was asked. */
class ScriptedEngine implements EngineV1 {
  readonly specificationVersion = 'v1' as const;
  readonly capabilities: EngineCapabilities;
  readonly requests: EngineRunRequest[] = [];
  constructor(
    readonly id: string,
    private readonly answers: string[],
    native: boolean,
    extra: Partial<EngineCapabilities> = {},
  ) {
    this.capabilities = {
      workloads: ['completion', 'stream'],
      targets: ['cloud'],
      features: ['streaming'],
      parameters: native ? ['maxTokens', 'responseFormat'] : ['maxTokens'],
      ...extra,
    };
  }
  async doLoad(): Promise<void> {}
  async doUnload(): Promise<void> {}
  async health(): Promise<EngineHealth> {
    return { ok: true };
  }
  private next(request: EngineRunRequest): string {
    this.requests.push(request);
    return this.answers[Math.min(this.requests.length - 1, this.answers.length - 1)]!;
  }
  async doRun(request: EngineRunRequest): Promise<EngineRunResult> {
    const text = this.next(request);
    const output = text.startsWith(REFUSAL) ? { kind: 'text' as const, text: '', refusal: text.slice(REFUSAL.length) } : { kind: 'text' as const, text };
    return { output, usage: { inputTokens: 10, outputTokens: 4 }, finishReason: 'stop' };
  }
  async *doStream(request: EngineRunRequest): AsyncGenerator<EngineStreamPart> {
    const answer = this.next(request);
    const refusal = answer.startsWith(REFUSAL);
    const text = refusal ? answer.slice(REFUSAL.length) : answer;
    const half = Math.floor(text.length / 2);
    const kind = refusal ? ('refusal' as const) : ('text' as const);
    yield { type: 'start', modelId: request.modelId };
    yield { type: 'delta', kind, text: text.slice(0, half) };
    yield { type: 'delta', kind, text: text.slice(half) };
    yield { type: 'finish', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 4 } };
  }
}

function setup(answers: string[], native: boolean, extra: Partial<EngineCapabilities> = {}) {
  const engine = new ScriptedEngine('llm', answers, native, extra);
  const orchestrator = createOrchestrator({ engines: [engine], logger: silent, configuredModels: ['m'] });
  return { engine, orchestrator };
}

const ask = (format: object): InferenceRequest => ({
  model: 'm',
  workload: 'completion',
  input: { kind: 'text', prompt: 'Where?' },
  parameters: { responseFormat: { type: 'json', schema: format as Record<string, unknown> } },
});

async function collect(parts: AsyncIterable<InferenceStreamPart>): Promise<InferenceStreamPart[]> {
  const out: InferenceStreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}
const textOf = (parts: InferenceStreamPart[]) => parts.flatMap((p) => (p.type === 'delta' && p.kind === 'text' ? [p.text] : [])).join('');

describe('structured output (response_format json)', () => {
  it('an enforced format: invalid, then valid after one correction; both calls are billed', async () => {
    const { engine, orchestrator } = setup(['Paris, I think.', '{"city":"Paris"}'], false);
    const result = await orchestrator.run(ask(schema));
    expect(result.output).toEqual({ kind: 'text', text: '{"city":"Paris"}' });
    expect(engine.requests).toHaveLength(2);
    expect(engine.requests[0]!.input).toMatchObject({ system: expect.stringContaining('JSON Schema') });
    expect(engine.requests[1]!.input).toMatchObject({ messages: [{ role: 'user', content: 'Where?' }, { role: 'assistant', content: 'Paris, I think.' }, { role: 'user', content: expect.stringContaining('not valid JSON') }] });
    expect(result.usage).toMatchObject({ inputTokens: 20, outputTokens: 8 });
  });

  it('a prompt-only engine (textInputs: [prompt]) gets the correction as one prompt, run and stream', async () => {
    for (const mode of ['run', 'stream'] as const) {
      const { engine, orchestrator } = setup(['Paris, I think.', '{"city":"Paris"}'], false, { textInputs: ['prompt'] });
      if (mode === 'run') expect((await orchestrator.run(ask(schema))).output).toEqual({ kind: 'text', text: '{"city":"Paris"}' });
      else expect(textOf(await collect(orchestrator.stream(ask(schema))))).toBe('{"city":"Paris"}');
      const retry = engine.requests[1]!.input;
      expect(retry).not.toHaveProperty('messages');
      expect(retry).toMatchObject({ kind: 'text', prompt: expect.stringMatching(/^Where\?\n\nParis, I think\.\n\nThat answer was invalid \(not valid JSON\)\. Reply again with the JSON only\.\n$/) });
    }
  });

  it('an enforced format that stays invalid is OUTPUT_INVALID after exactly one retry', async () => {
    const { engine, orchestrator } = setup(['{"town":"Paris"}'], false);
    await expect(orchestrator.run(ask(schema))).rejects.toMatchObject({ code: 'OUTPUT_INVALID', details: { field: 'response_format' } });
    expect(engine.requests).toHaveLength(2);
  });

  it('a stream with an enforced format retries once too, and sends only the validated text', async () => {
    const { engine, orchestrator } = setup(['Paris!', '{"city":"Paris"}'], false);
    const parts = await collect(orchestrator.stream(ask(schema)));
    expect(engine.requests).toHaveLength(2);
    expect(textOf(parts)).toBe('{"city":"Paris"}');
    const finishes = parts.filter((p) => p.type === 'finish');
    expect(finishes).toHaveLength(1);
    // Both calls are billed, as run() reports them.
    expect(finishes[0]).toMatchObject({ usage: { inputTokens: 20, outputTokens: 8 } });
  });

  it('a stream with an enforced format that stays invalid fails after one retry, having sent no text', async () => {
    const { engine, orchestrator } = setup(['nope'], false);
    const sent: InferenceStreamPart[] = [];
    await expect(
      (async () => {
        for await (const part of orchestrator.stream(ask(schema))) sent.push(part);
      })(),
    ).rejects.toMatchObject({ code: 'OUTPUT_INVALID', message: expect.stringContaining('after a retry') });
    expect(engine.requests).toHaveLength(2);
    expect(textOf(sent)).toBe('');
  });

  it('a natively honoured format is validated too: prose from an engine that ignored it is retried, then refused', async () => {
    const { engine, orchestrator } = setup(['Hello world'], true);
    await expect(orchestrator.run(ask(schema))).rejects.toMatchObject({ code: 'OUTPUT_INVALID' });
    expect(engine.requests).toHaveLength(2);
    // Native: the format goes to the engine as a parameter, not into the prompt.
    expect(engine.requests[0]!.parameters?.responseFormat).toMatchObject({ type: 'json' });
    expect(engine.requests[0]!.input).not.toHaveProperty('system');
  });

  it('a native stream streams as it comes; an invalid answer ends with OUTPUT_INVALID instead of a finish', async () => {
    const good = setup(['{"city":"Paris"}'], true);
    const parts = await collect(good.orchestrator.stream(ask(schema)));
    expect(parts.filter((p) => p.type === 'delta')).toHaveLength(2);
    expect(textOf(parts)).toBe('{"city":"Paris"}');
    const bad = setup(['Hello world'], true);
    const sent: InferenceStreamPart[] = [];
    await expect(
      (async () => {
        for await (const part of bad.orchestrator.stream(ask(schema))) sent.push(part);
      })(),
    ).rejects.toMatchObject({ code: 'OUTPUT_INVALID' });
    expect(sent.some((p) => p.type === 'finish')).toBe(false);
  });

  it('a refusal is passed through, not validated or retried (enforced and native; run and stream)', async () => {
    for (const native of [false, true]) {
      const { engine, orchestrator } = setup(['REFUSAL:I cannot help with that.', '{"city":"Paris"}'], native);
      const result = await orchestrator.run(ask(schema));
      expect(result.output).toEqual({ kind: 'text', text: '', refusal: 'I cannot help with that.' });
      expect(engine.requests).toHaveLength(1);
      const streamed = setup(['REFUSAL:I cannot help with that.', '{"city":"Paris"}'], native);
      const parts = await collect(streamed.orchestrator.stream(ask(schema)));
      expect(parts.some((p) => p.type === 'error')).toBe(false);
      expect(textOf(parts)).toBe('');
      expect(parts.flatMap((p) => (p.type === 'delta' && p.kind === 'refusal' ? [p.text] : [])).join('')).toBe('I cannot help with that.');
      expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
      expect(streamed.engine.requests).toHaveLength(1);
    }
  });

  it('an invalid JSON Schema is INVALID_INPUT naming response_format, before any model runs (run and stream)', async () => {
    const { engine, orchestrator } = setup(['{}'], false);
    const bad = { type: 'object', properties: { a: { type: 'nonsense' } } };
    await expect(orchestrator.run(ask(bad))).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'response_format' } });
    await expect(collect(orchestrator.stream(ask(bad)))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(orchestrator.run(ask({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('draft-04') });
    expect(engine.requests).toHaveLength(0);
  });

  it("messages quote the field as details.field names it ('response_format'), so a face can rename both", async () => {
    const { orchestrator } = setup(['{"town":"Paris"}'], false);
    for (const request of [ask({ type: 'nonsense' }), ask(schema)]) {
      const error = (await orchestrator.run(request).catch((e: unknown) => e)) as SwitchyardError;
      expect(error.details.field).toBe('response_format');
      expect(error.message).toContain(`'${String(error.details.field)}'`);
    }
  });

  it("a property named '__proto__' is refused by pointer (ajv would check the prototype in its place), before any model runs", async () => {
    const { engine, orchestrator } = setup(['{}'], false);
    // As a request body parses: JSON.parse makes '__proto__' a plain own key.
    const named = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"object"}},"required":["__proto__"]}') as Record<string, unknown>;
    await expect(orchestrator.run(ask(named))).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { field: 'response_format', found: '/properties/__proto__' }, message: expect.stringContaining("'__proto__' (at /properties/__proto__)") });
    await expect(orchestrator.run(ask({ type: 'object', required: ['city', '__proto__'] }))).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { found: '/required/1' } });
    // Data keywords hold values, not schemas: a '__proto__' key in a const, enum, default or example names no property.
    const data = JSON.parse('{"type":"object","properties":{"city":{"type":"string"},"meta":{"default":{"__proto__":1},"examples":[{"required":["__proto__"]}]}}}') as Record<string, unknown>;
    // ...while a property that happens to be called 'const' is a schema like any other.
    const nested = JSON.parse('{"type":"object","properties":{"const":{"type":"object","properties":{"__proto__":{}}}}}') as Record<string, unknown>;
    await expect(orchestrator.run(ask(nested))).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { found: '/properties/const/properties/__proto__' } });
    expect(engine.requests).toHaveLength(0);
    await expect(orchestrator.run(ask(data))).resolves.toBeDefined();
    expect(engine.requests).toHaveLength(1);
  });

  it('a schema with an $id can be sent again and again (it is not left registered)', async () => {
    const { orchestrator } = setup(['{"city":"Paris"}'], false);
    const withId = () => ({ $id: 'https://example.com/answer.json', ...schema });
    for (let i = 0; i < 3; i++) {
      const result = await orchestrator.run(ask(withId()));
      expect(result.output).toEqual({ kind: 'text', text: '{"city":"Paris"}' });
    }
    // Same $id, another schema: compiled on its own.
    expect(responseSchemaValidator({ $id: 'https://example.com/answer.json', type: 'string' })('x')).toBe(true);
  });

  it('per-request schema objects do not pile up: equal schemas share one validator; distinct ones are LRU-bounded', () => {
    const a = responseSchemaValidator(JSON.parse(JSON.stringify(schema)));
    const b = responseSchemaValidator(JSON.parse(JSON.stringify(schema)));
    expect(a).toBe(b);
    for (let i = 0; i < RESPONSE_SCHEMA_CACHE_SIZE + 10; i++) responseSchemaValidator({ type: 'object', properties: { [`k${i}`]: { type: 'string' } } });
    // The first one was pushed out and compiles again (a new function), proving the bound.
    expect(responseSchemaValidator(JSON.parse(JSON.stringify(schema)))).not.toBe(a);
  });

  it('2020-12 schemas ($defs, prefixItems) and formats are validated', () => {
    const validate = responseSchemaValidator({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $defs: { when: { type: 'string', format: 'date' } },
      type: 'array',
      prefixItems: [{ $ref: '#/$defs/when' }, { type: 'integer' }],
      items: false,
    });
    expect(validate(['2026-12-04', 3])).toBe(true);
    expect(validate(['yesterday', 3])).toBe(false);
    expect(validate(['2026-12-04', 3, 'extra'])).toBe(false);
  });

  it('a schema claiming a meta-schema $id is refused and breaks nothing for the next requests', () => {
    expect(() => responseSchemaValidator({ $id: 'http://json-schema.org/draft-07/schema', type: 'object' })).toThrow(/reserved/);
    expect(() => responseSchemaValidator({ $id: 'https://json-schema.org/draft/2020-12/schema#', $schema: 'https://json-schema.org/draft/2020-12/schema' })).toThrow(/reserved/);
    expect(responseSchemaValidator({ type: 'object', properties: { b: { type: 'number' } } })({ b: 1 })).toBe(true);
    expect(responseSchemaValidator({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { c: { type: 'number' } } })({ c: 'x' })).toBe(false);
  });

  it('an oversized schema is INVALID_INPUT naming the limit', () => {
    const huge = { type: 'object', description: 'x'.repeat(MAX_RESPONSE_SCHEMA_BYTES) };
    expect(() => responseSchemaValidator(huge)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining(`at most ${MAX_RESPONSE_SCHEMA_BYTES}`) }));
  });

  it('an enforced-format stream whose engine fails after a (held, unsent) tool call still falls back', async () => {
    const failing = new ScriptedEngine('first', ['x'], false);
    failing.doStream = async function* (request): AsyncGenerator<EngineStreamPart> {
      failing.requests.push(request);
      yield { type: 'start', modelId: request.modelId };
      yield { type: 'tool-call-start', id: 'c1', name: 'f', index: 0 };
      throw new SwitchyardError({ code: 'PROVIDER_ERROR', message: 'upstream 500', retriable: true });
    };
    const second = new ScriptedEngine('second', ['{"city":"Oslo"}'], false);
    const orchestrator = createOrchestrator({
      engines: [failing, second],
      logger: silent,
      config: { routing: { routes: { m: { targets: ['first:m', 'second:m'] } } }, resilience: { retry: { maxAttempts: 1 } } },
    });
    const parts = await collect(orchestrator.stream(ask(schema)));
    expect(second.requests).toHaveLength(1);
    expect(parts.some((p) => p.type === 'tool-call-start')).toBe(false);
    expect(textOf(parts)).toBe('{"city":"Oslo"}');
  });

  it('a native partial answer continued by an enforced target is validated as a whole', async () => {
    const native = new ScriptedEngine('native', ['x'], true);
    native.doStream = async function* (request): AsyncGenerator<EngineStreamPart> {
      native.requests.push(request);
      yield { type: 'start', modelId: request.modelId };
      yield { type: 'delta', kind: 'text', text: '{"city":' };
      throw new SwitchyardError({ code: 'PROVIDER_ERROR', message: 'upstream dropped', retriable: true });
    };
    const enforced = new ScriptedEngine('enforced', ['"Oslo"}'], false);
    const orchestrator = createOrchestrator({
      engines: [native, enforced],
      logger: silent,
      config: { routing: { routes: { m: { targets: ['native:m', 'enforced:m'] } } }, resilience: { retry: { maxAttempts: 1 } } },
    });
    const parts = await collect(orchestrator.stream(ask(schema)));
    expect(enforced.requests).toHaveLength(1);
    expect(textOf(parts)).toBe('{"city":"Oslo"}');
  });
});

