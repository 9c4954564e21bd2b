import { describe, expect, it } from 'vitest';
import type { EngineCapabilities, EngineRunRequest, EngineRunResult, EngineStreamPart, EngineV1 } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';
import { createOrchestrator } from './create-orchestrator.js';
import { admitParameters } from './parameter-gate.js';

const silent = createOrchestrationLogger({ logLevel: 'silent' });
const v1: EngineCapabilities = { workloads: ['completion', 'stream'], targets: ['local'], features: ['streaming'] };
const withTools: EngineCapabilities = { ...v1, parameters: ['maxTokens', 'tools', 'toolChoice'] };
const tool = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const ask = { kind: 'text' as const, messages: [{ role: 'user' as const, content: 'weather?' }] };

/** An engine that answers from a script (one reply per call) and records what it was sent. */
class ScriptedEngine implements EngineV1 {
  readonly specificationVersion = 'v1' as const;
  readonly requests: EngineRunRequest[] = [];
  constructor(
    readonly id: string,
    readonly capabilities: EngineCapabilities,
    private readonly replies: readonly (string | readonly EngineStreamPart[])[],
  ) {}
  async doLoad(): Promise<void> {}
  async doUnload(): Promise<void> {}
  async health() {
    return { ok: true };
  }
  private next(request: EngineRunRequest) {
    this.requests.push(request);
    return this.replies[Math.min(this.requests.length - 1, this.replies.length - 1)]!;
  }
  async doRun(request: EngineRunRequest): Promise<EngineRunResult> {
    const reply = this.next(request);
    return { output: { kind: 'text', text: typeof reply === 'string' ? reply : '' }, finishReason: 'stop' };
  }
  async *doStream(request: EngineRunRequest): AsyncGenerator<EngineStreamPart> {
    const reply = this.next(request);
    yield { type: 'start', modelId: request.modelId };
    if (typeof reply === 'string') {
      for (const word of reply.split(/(?= )/)) yield { type: 'delta', kind: 'text', text: word };
      yield { type: 'finish', finishReason: 'stop', usage: {} };
    } else yield* reply;
  }
}

const orchestratorFor = (engines: EngineV1[], targets: string[]) =>
  createOrchestrator({ engines, logger: silent, config: { routing: { routes: { chat: { targets } } }, resilience: { retry: { maxAttempts: 1 } } } });

describe('admitParameters', () => {
  it('a v1 engine that lists no parameters refuses tools by name (UNSUPPORTED), or drops them on opt-in', () => {
    const error = (() => {
      try {
        return admitParameters(v1, 'onnx', 'tiny', ask, { tools: [tool], maxTokens: 5 }, false);
      } catch (e) {
        return e;
      }
    })();
    expect(SwitchyardError.hasCode(error, 'UNSUPPORTED') && error.details).toMatchObject({ field: 'tools', engine: 'onnx', model: 'tiny' });
    expect((error as Error).message).toBe("Model 'tiny' on engine 'onnx' does not support the parameter 'tools'");
    expect(admitParameters(v1, 'onnx', 'tiny', ask, { tools: [tool], maxTokens: 5 }, true)).toEqual({ parameters: { maxTokens: 5 }, dropped: ['tools'] });
  });

  it('tool turns need tools and images need vision, even with dropping on (content is never dropped)', () => {
    const toolTurn = { kind: 'text' as const, messages: [{ role: 'assistant' as const, content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] }, { role: 'tool' as const, content: 'r', toolCallId: 'c1' }] };
    expect(() => admitParameters(v1, 'onnx', 'tiny', toolTurn, undefined, true)).toThrow("does not support tool calls or 'tool' messages");
    const image = { kind: 'text' as const, messages: [{ role: 'user' as const, content: 'what', images: [{ url: 'data:image/png;base64,AA' }] }] };
    expect(() => admitParameters(withTools, 'e', 'm', image, undefined, true)).toThrow('does not support image content');
    expect(() => admitParameters({ ...withTools, features: ['vision'] }, 'e', 'm', image, undefined, false)).not.toThrow();
  });

  it("turn fields an engine does not list in messageFields are refused by pointer, or left out of the turn on opt-in", () => {
    const named = {
      kind: 'text' as const,
      messages: [
        { role: 'user' as const, content: 'hi', name: 'ann' },
        { role: 'assistant' as const, content: '', refusal: 'no' },
        { role: 'tool' as const, content: 'boom', toolCallId: 'c1', name: 'f', isError: true },
      ],
    };
    expect(() => admitParameters(withTools, 'e', 'm', named, undefined, false)).toThrow("does not support the message field 'messages[0].name'");
    const dropped = admitParameters(withTools, 'e', 'm', named, undefined, true);
    expect(dropped.dropped).toEqual(['messages[0].name', 'messages[1].refusal', 'messages[2].isError']);
    // The refusal-only assistant turn is left out whole (see the next test).
    expect(dropped.input).toEqual({ kind: 'text', messages: [{ role: 'user', content: 'hi' }, { role: 'tool', content: 'boom', toolCallId: 'c1', name: 'f' }] });
    expect(named.messages[0]).toEqual({ role: 'user', content: 'hi', name: 'ann' });
    const declared = admitParameters({ ...withTools, messageFields: ['name', 'refusal', 'isError'] }, 'e', 'm', named, undefined, false);
    expect(declared).toEqual({ parameters: undefined, dropped: [] });
  });

  it('a refusal-only assistant turn whose refusal is dropped is left out whole (no empty assistant turn upstream)', () => {
    const input = {
      kind: 'text' as const,
      messages: [
        { role: 'user' as const, content: 'do the bad thing' },
        { role: 'assistant' as const, content: '', refusal: 'I cannot' },
        { role: 'user' as const, content: 'then a good thing' },
        { role: 'assistant' as const, content: 'Sure: ', refusal: 'partly' },
        { role: 'assistant' as const, content: '', parts: [{ type: 'text' as const, text: '' }], refusal: 'no' },
      ],
    };
    const admitted = admitParameters(withTools, 'e', 'm', input, undefined, true);
    expect(admitted.dropped).toEqual(['messages[1].refusal', 'messages[3].refusal', 'messages[4].refusal']);
    expect(admitted.input).toEqual({
      kind: 'text',
      messages: [
        { role: 'user', content: 'do the bad thing' },
        { role: 'user', content: 'then a good thing' },
        { role: 'assistant', content: 'Sure: ' },
      ],
    });
    expect(() => admitParameters(withTools, 'e', 'm', input, undefined, false)).toThrow("does not support the message field 'messages[1].refusal'");
  });

  it('a JSON response format the engine cannot honour is enforced by the gateway instead', () => {
    const format = { type: 'json' as const, schema: { type: 'object' } };
    expect(admitParameters(v1, 'e', 'm', ask, { responseFormat: format }, false)).toEqual({ parameters: undefined, dropped: [], enforceFormat: format });
  });
});

describe('tools across a fallback chain', () => {
  it('skips a target without tools and serves from the next one that has them', async () => {
    const plain = new ScriptedEngine('plain', v1, ['never']);
    const tooled = new ScriptedEngine('tooled', withTools, ['ok']);
    const result = await orchestratorFor([plain, tooled], ['plain:m', 'tooled:m']).run({ model: 'chat', workload: 'completion', input: ask, parameters: { tools: [tool] } });
    expect(result.decision.engine).toBe('tooled');
    expect(plain.requests).toHaveLength(0);
    expect(tooled.requests[0]!.parameters).toEqual({ tools: [tool] });
  });

  it('a turn field goes to the target that honours it; with dropping on, a target without it gets the turn without it', async () => {
    const named = { kind: 'text' as const, messages: [{ role: 'user' as const, content: 'hi', name: 'ann' }] };
    const plain = new ScriptedEngine('plain', v1, ['x']);
    const naming = new ScriptedEngine('naming', { ...v1, messageFields: ['name'] }, ['y']);
    const chain = orchestratorFor([plain, naming], ['plain:m', 'naming:m']);
    expect((await chain.run({ model: 'chat', workload: 'completion', input: named })).decision.engine).toBe('naming');
    expect(naming.requests[0]!.input).toEqual(named);
    const dropped = await chain.run({ model: 'chat', workload: 'completion', input: named, dropUnsupportedParameters: true });
    expect(dropped.droppedParameters).toEqual(['messages[0].name']);
    expect(plain.requests[0]!.input).toEqual({ kind: 'text', messages: [{ role: 'user', content: 'hi' }] });
    const parts: unknown[] = [];
    for await (const part of chain.stream({ model: 'chat', workload: 'stream', input: named, dropUnsupportedParameters: true })) parts.push(part);
    expect(parts).toContainEqual({ type: 'parameters-dropped', parameters: ['messages[0].name'] });
    expect(plain.requests[1]!.input).toEqual({ kind: 'text', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('when no target has tools the answer is UNSUPPORTED (a 400), not ROUTE_UNAVAILABLE', async () => {
    const engines = [new ScriptedEngine('a', v1, ['x']), new ScriptedEngine('b', v1, ['x'])];
    const error = await orchestratorFor(engines, ['a:m', 'b:m'])
      .run({ model: 'chat', workload: 'completion', input: ask, parameters: { tools: [tool] } })
      .catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'UNSUPPORTED') && error.details.field).toBe('tools');
  });

  it('never falls back mid-tool-call: a stream that fails after a tool-call part ends with the error', async () => {
    const broken = new ScriptedEngine('broken', withTools, [
      [
        { type: 'start', modelId: 'm' },
        { type: 'tool-call-start', id: 'c1', name: 'get_weather', index: 0 },
        { type: 'tool-call-delta', id: 'c1', argumentsDelta: '{"ci' },
        { type: 'error', error: new SwitchyardError({ code: 'CONNECTION_FAILED', message: 'cut', retriable: true }) },
      ],
    ]);
    const spare = new ScriptedEngine('spare', withTools, ['never']);
    const parts: string[] = [];
    const error = await (async () => {
      for await (const part of orchestratorFor([broken, spare], ['broken:m', 'spare:m']).stream({ model: 'chat', workload: 'stream', input: ask, parameters: { tools: [tool] } })) parts.push(part.type);
    })().catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'CONNECTION_FAILED')).toBe(true);
    expect(parts).toEqual(['routing', 'start', 'tool-call-start', 'tool-call-delta']);
    expect(spare.requests).toHaveLength(0);
  });

  it('never continues a half-sent refusal on another target: the stream ends with the error', async () => {
    const broken = new ScriptedEngine('broken', v1, [
      [
        { type: 'start', modelId: 'm' },
        { type: 'delta', kind: 'refusal', text: 'I cannot' },
        { type: 'error', error: new SwitchyardError({ code: 'CONNECTION_FAILED', message: 'cut', retriable: true }) },
      ],
    ]);
    const spare = new ScriptedEngine('spare', v1, ['never']);
    const parts: string[] = [];
    const error = await (async () => {
      for await (const part of orchestratorFor([broken, spare], ['broken:m', 'spare:m']).stream({ model: 'chat', workload: 'stream', input: ask })) parts.push(part.type);
    })().catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'CONNECTION_FAILED')).toBe(true);
    expect(parts).toEqual(['routing', 'start', 'delta']);
    expect(spare.requests).toHaveLength(0);
  });
});

describe('response_format enforced with ajv for engines without native structured output', () => {
  const format = { type: 'json' as const, schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } };

  it('asks for the schema in the system prompt, retries once on prose, then answers the validated JSON', async () => {
    const engine = new ScriptedEngine('local', v1, ['It is sunny in Paris.', '```json\n{"city":"Paris"}\n```']);
    const result = await orchestratorFor([engine], ['local:m']).run({ model: 'chat', workload: 'completion', input: ask, parameters: { responseFormat: format } });
    expect(result.output).toEqual({ kind: 'text', text: '{"city":"Paris"}' });
    expect(engine.requests).toHaveLength(2);
    expect(engine.requests[0]!.input).toMatchObject({ system: expect.stringContaining('"required":["city"]') });
    expect(engine.requests[0]!.parameters).toBeUndefined();
    expect(engine.requests[1]!.input).toMatchObject({ messages: [{ role: 'user' }, { role: 'assistant', content: 'It is sunny in Paris.' }, { role: 'user', content: expect.stringContaining('not valid JSON') }] });
  });

  it('answers OUTPUT_INVALID (never unvalidated prose) when the retry is still wrong', async () => {
    const engine = new ScriptedEngine('local', v1, ['{"town":"Paris"}']);
    const error = await orchestratorFor([engine], ['local:m'])
      .run({ model: 'chat', workload: 'completion', input: ask, parameters: { responseFormat: format } })
      .catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'OUTPUT_INVALID')).toBe(true);
    expect((error as Error).message).toContain("must have required property 'city'");
    expect(engine.requests).toHaveLength(2);
  });

  it('a stream holds the text back until it validates, then sends it as one delta', async () => {
    const good = new ScriptedEngine('local', v1, ['{"city": "Paris"}']);
    const parts: unknown[] = [];
    for await (const part of orchestratorFor([good], ['local:m']).stream({ model: 'chat', workload: 'stream', input: ask, parameters: { responseFormat: format } })) parts.push(part);
    expect(parts.filter((p) => (p as { type: string }).type === 'delta')).toEqual([{ type: 'delta', kind: 'text', text: '{"city": "Paris"}' }]);
    const bad = new ScriptedEngine('local', v1, ['sunny']);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const part of orchestratorFor([bad], ['local:m']).stream({ model: 'chat', workload: 'stream', input: ask, parameters: { responseFormat: format } })) seen.push(part.type);
    })().catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'OUTPUT_INVALID')).toBe(true);
    expect(seen).not.toContain('delta');
  });
});
