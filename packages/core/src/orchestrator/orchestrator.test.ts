import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineCapabilities, EngineInput, InferenceStreamPart } from '@switchyard/spec';
import { createOrchestrator } from './create-orchestrator.js';
import { FaultEngine } from './__fixtures__/fault-engine.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';

const silent = createOrchestrationLogger({ logLevel: 'silent' });
const text = (prompt: string) => ({ kind: 'text' as const, prompt });

describe('Orchestrator.run', () => {
  it('answers from the first target and reports policy, decision and timings', async () => {
    const local = new FaultEngine('local-a');
    const orchestrator = createOrchestrator({ engines: [local], logger: silent, configuredModels: ['tiny'] });
    const result = await orchestrator.run({ model: 'tiny', workload: 'completion', input: text('hi') });
    expect(result.output).toEqual({ kind: 'text', text: 'local-a:hi' });
    expect(result.decision).toMatchObject({ engine: 'local-a', model: 'tiny', target: 'local' });
    expect(result.policy.outcome).toBe('allow');
    expect(result.attempts).toEqual([{ engine: 'local-a', model: 'tiny' }]);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(0);
    expect(local.loads).toEqual(['tiny']);
  });

  it('falls back to the next target when the first keeps failing, and says so', async () => {
    const broken = new FaultEngine('broken', { failRate: 1 });
    const good = new FaultEngine('good', {}, { targets: ['cloud'] });
    const orchestrator = createOrchestrator({
      engines: [broken, good],
      logger: silent,
      config: { routing: { routes: { chat: { targets: ['broken:m', 'good:m'] } } }, resilience: { retry: { maxAttempts: 2, initialDelayMs: 1 } } },
    });
    const fallbacks: string[] = [];
    orchestrator.events.on('Fallback', (e) => fallbacks.push(`${e.from}->${e.to}:${e.reason}`));
    const started: string[] = [];
    orchestrator.events.on('ExecutionStarted', (e) => started.push(`${e.engine}#${e.attempt}`));
    const result = await orchestrator.run({ model: 'chat', workload: 'completion', input: text('x') });
    expect(result.output).toEqual({ kind: 'text', text: 'good:x' });
    expect(result.decision.source).toBe('fallback');
    expect(broken.calls).toBe(2);
    expect(fallbacks).toEqual(['broken:m->good:m:OVERLOADED']);
    expect(started).toEqual(['broken#1', 'broken#2', 'good#1']);
    expect(result.attempts.map((a) => a.engine)).toEqual(['broken', 'good']);
  });

  it('never falls back from a pinned engine and surfaces its typed error', async () => {
    const broken = new FaultEngine('broken', { failRate: 1 });
    const good = new FaultEngine('good');
    const orchestrator = createOrchestrator({ engines: [broken, good], logger: silent, configuredModels: ['m'], config: { resilience: { retry: { maxAttempts: 1 } } } });
    const error = await orchestrator
      .run({ model: 'm', workload: 'completion', input: text('x'), placement: { mode: 'pin', engine: 'broken' } })
      .catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'OVERLOADED')).toBe(true);
    expect(good.calls).toBe(0);
  });

  it('refuses denied requests with the rule id', async () => {
    const orchestrator = createOrchestrator({ configuredModels: ['m'],
      engines: [new FaultEngine('e')],
      logger: silent,
      config: { policy: { rules: [{ id: 'no-audio', when: 'request.tags contains "blocked"', action: 'deny' }] } },
    });
    const error = await orchestrator.run({ model: 'm', workload: 'completion', input: text('x'), tags: ['blocked'] }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'POLICY_DENIED')).toBe(true);
    expect((error as SwitchyardError).details.rule_id).toBe('no-audio');
  });
});

describe('Orchestrator.stream', () => {
  const midStreamFallback = async (input: EngineInput, backupCapabilities: Partial<EngineCapabilities> = {}) => {
    const flaky = new FaultEngine('flaky', { tokens: ['The', ' quick', ' brown'], failAfterTokens: 2 });
    const backup = new FaultEngine('backup', { tokens: [' fox'] }, { targets: ['cloud'], ...backupCapabilities });
    const seen: EngineInput[] = [];
    const original = backup.doStream.bind(backup);
    backup.doStream = (request, signal) => {
      seen.push(request.input);
      return original(request, signal);
    };
    const orchestrator = createOrchestrator({
      engines: [flaky, backup],
      logger: silent,
      config: { routing: { routes: { chat: { targets: ['flaky:m', 'backup:m'] } } } },
    });
    const parts: InferenceStreamPart[] = [];
    for await (const part of orchestrator.stream({ model: 'chat', workload: 'stream', input })) parts.push(part);
    return { parts, seen };
  };

  it('continues on the next target after a mid-stream failure: a prompt as the user turn, what was emitted as the assistant turn', async () => {
    const { parts, seen } = await midStreamFallback({ kind: 'text', prompt: 'hi', system: 'be brief' });
    const texts = parts.filter((p) => p.type === 'delta').map((p) => (p as { text: string }).text);
    expect(texts.join('')).toBe('The quick fox');
    const fallback = parts.find((p) => p.type === 'fallback');
    expect(fallback).toMatchObject({ from: 'flaky:m', to: 'backup:m', reason: 'CONNECTION_FAILED', afterTokens: 2 });
    // Not "hiThe quick" as one user message.
    expect(seen).toEqual([{ kind: 'text', system: 'be brief', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'The quick' }] }]);
    expect(parts.filter((p) => p.type === 'start')).toHaveLength(1);
    expect(parts.at(-1)?.type).toBe('finish');
  });

  it('a raw prompt (legacy completions) is continued as text: the emitted part extends it', async () => {
    const { seen } = await midStreamFallback({ kind: 'text', prompt: 'Say: ', rawPrompt: true });
    expect(seen).toEqual([{ kind: 'text', prompt: 'Say: The quick', rawPrompt: true }]);
  });

  it('a prompt-only v1 engine (textInputs: [prompt]) as the fallback target gets a prompt, not messages', async () => {
    const { parts, seen } = await midStreamFallback({ kind: 'text', prompt: 'Say: ', system: 'be brief' }, { textInputs: ['prompt'] });
    expect(seen).toEqual([{ kind: 'text', system: 'be brief', prompt: 'Say: The quick' }]);
    expect(parts.filter((p) => p.type === 'delta').map((p) => (p as { text: string }).text).join('')).toBe('The quick fox');
  });

  it('a messages-only engine (textInputs: [messages]) gets a prompt as the user turn, and refuses a raw prompt by name', async () => {
    const chatOnly = new FaultEngine('chat-only', {}, { textInputs: ['messages'] });
    const seen: EngineInput[] = [];
    const original = chatOnly.doRun.bind(chatOnly);
    chatOnly.doRun = (request, signal) => {
      seen.push(request.input);
      return original(request, signal);
    };
    const orchestrator = createOrchestrator({ engines: [chatOnly], logger: silent, config: { routing: { routes: { ask: { targets: ['chat-only:m'] } } } } });
    await orchestrator.run({ model: 'ask', workload: 'completion', input: { kind: 'text', prompt: 'hi', system: 'be brief' } });
    expect(seen).toEqual([{ kind: 'text', system: 'be brief', messages: [{ role: 'user', content: 'hi' }] }]);
    const raw = await orchestrator.run({ model: 'ask', workload: 'completion', input: { kind: 'text', prompt: 'Once', rawPrompt: true } }).catch((error: unknown) => error);
    expect(raw).toMatchObject({ code: 'UNSUPPORTED' });
    expect((raw as Error).message).toContain("Model 'm' on engine 'chat-only' does not support a raw prompt to continue as text (it reads chat messages only)");
  });

  it('a chat never reaches a prompt-only engine: UNSUPPORTED naming messages, and the chain moves on', async () => {
    const promptOnly = new FaultEngine('prompt-only', {}, { textInputs: ['prompt'] });
    const chat = new FaultEngine('chat', {}, { targets: ['cloud'] });
    const orchestrator = createOrchestrator({ engines: [promptOnly, chat], logger: silent, config: { routing: { routes: { ask: { targets: ['prompt-only:m', 'chat:m'] } } } } });
    const result = await orchestrator.run({ model: 'ask', workload: 'completion', input: { kind: 'text', messages: [{ role: 'user', content: 'hi' }] } });
    expect(result.attempts).toEqual([
      { engine: 'prompt-only', model: 'm', error: "UNSUPPORTED: Model 'm' on engine 'prompt-only' does not support chat 'messages' (it reads a prompt only)" },
      { engine: 'chat', model: 'm' },
    ]);
    expect(promptOnly.calls).toBe(0);
  });

  it('chat input gets the emitted text as an assistant turn after its messages', async () => {
    const { seen } = await midStreamFallback({ kind: 'text', messages: [{ role: 'user', content: 'hi' }] });
    expect(seen).toEqual([{ kind: 'text', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'The quick' }] }]);
  });

  it('cancel mid-stream stops tokens and aborts the engine', async () => {
    const engine = new FaultEngine('slow', { tokens: Array.from({ length: 100 }, (_, i) => `t${i} `), tokenDelayMs: 5 });
    const orchestrator = createOrchestrator({ engines: [engine], logger: silent, configuredModels: ['m'] });
    const controller = new AbortController();
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const part of orchestrator.stream({ model: 'm', workload: 'stream', input: text('go') }, { signal: controller.signal })) {
        if (part.type === 'delta') {
          deltas.push('x');
          if (deltas.length === 3) controller.abort();
        }
      }
    })().catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ABORTED')).toBe(true);
    expect(deltas.length).toBe(3);
    expect(engine.aborts).toBe(1);
  });

  it('a consumer that stops iterating aborts the engine too', async () => {
    const engine = new FaultEngine('slow', { tokens: ['a', 'b', 'c', 'd'], tokenDelayMs: 1 });
    const orchestrator = createOrchestrator({ engines: [engine], logger: silent, configuredModels: ['m'] });
    for await (const part of orchestrator.stream({ model: 'm', workload: 'stream', input: text('go') })) {
      if (part.type === 'delta') break;
    }
    expect(engine.aborts).toBe(1);
  });
});

describe('Orchestrator.stream timeouts', () => {
  it('a target that sends no token in time is aborted and the stream continues on the next one', async () => {
    const hanging = new FaultEngine('hanging', { tokens: ['never'], tokenDelayMs: 60_000 });
    const backup = new FaultEngine('backup', { tokens: ['ok'] }, { targets: ['cloud'] });
    const orchestrator = createOrchestrator({
      engines: [hanging, backup],
      logger: silent,
      config: { routing: { routes: { chat: { targets: ['hanging:m', 'backup:m'] } } }, resilience: { engines: { hanging: { timeoutMs: 20 } } } },
    });
    const parts: InferenceStreamPart[] = [];
    for await (const part of orchestrator.stream({ model: 'chat', workload: 'stream', input: text('x') })) parts.push(part);
    expect(parts.find((p) => p.type === 'fallback')).toMatchObject({ from: 'hanging:m', to: 'backup:m', reason: 'TIMEOUT', afterTokens: 0 });
    expect(parts.filter((p) => p.type === 'delta').map((p) => (p as { text: string }).text)).toEqual(['ok']);
    expect(hanging.aborts).toBe(1);
  });
  it('parts that keep coming within the idle timeout never stall, however long the stream runs', async () => {
    const steady = new FaultEngine('steady', { tokens: [...'abcdefghijklmnopqrst'], tokenDelayMs: 20 });
    const backup = new FaultEngine('backup', { tokens: ['backup'] }, { targets: ['cloud'] });
    const orchestrator = createOrchestrator({
      engines: [steady, backup],
      logger: silent,
      config: { routing: { routes: { chat: { targets: ['steady:m', 'backup:m'] } } }, resilience: { engines: { steady: { timeoutMs: 250, streamIdleTimeoutMs: 250 } } } },
    });
    const parts: InferenceStreamPart[] = [];
    for await (const part of orchestrator.stream({ model: 'chat', workload: 'stream', input: text('x') })) parts.push(part);
    expect(parts.filter((p) => p.type === 'delta').map((p) => (p as { text: string }).text).join('')).toBe('abcdefghijklmnopqrst');
    expect(parts.some((p) => p.type === 'fallback')).toBe(false);
    expect(steady.aborts).toBe(0);
  });

  it('a stall after some parts is detected within the idle timeout (measured from the last part)', async () => {
    const stalling = new FaultEngine('stalling');
    stalling.doStream = async function* (request, signal) {
      yield { type: 'start', modelId: request.modelId };
      for (const token of ['a', 'b', 'c']) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        yield { type: 'delta', kind: 'text', text: token };
      }
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 10_000);
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
      });
      yield { type: 'finish', usage: {}, finishReason: 'stop' };
    };
    const orchestrator = createOrchestrator({
      engines: [stalling],
      logger: silent,
      configuredModels: ['m'],
      config: { resilience: { engines: { stalling: { timeoutMs: 1000, streamIdleTimeoutMs: 80 } } } },
    });
    const tokensAt: number[] = [];
    const start = performance.now();
    const error = await (async () => {
      for await (const part of orchestrator.stream({ model: 'm', workload: 'stream', input: text('x') })) if (part.type === 'delta') tokensAt.push(performance.now());
    })().catch((caught: unknown) => caught);
    const stalledAfterMs = performance.now() - tokensAt.at(-1)!;
    expect(tokensAt).toHaveLength(3);
    expect(SwitchyardError.isInstance(error) && error.message).toContain('stalled for 80 ms');
    expect(stalledAfterMs).toBeGreaterThanOrEqual(75);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});

describe('classifier models', () => {
  it('an llm classifier runs on its classifierModel through the orchestrator and routes on its answer', async () => {
    const judge = new FaultEngine('judge');
    const prompts: string[] = [];
    judge.doRun = async (request) => {
      prompts.push(request.input.kind === 'text' ? (request.input.prompt ?? '') : '');
      return { output: { kind: 'text', text: 'Sure: {"category": "code", "complexity": "complex", "confidence": 0.9}' } };
    };
    const small = new FaultEngine('small');
    const large = new FaultEngine('large', {}, { targets: ['cloud'] });
    const orchestrator = createOrchestrator({
      engines: [judge, small, large],
      logger: silent,
      config: { routing: { routes: { chat: { classifier: 'llm', classifierModel: 'judge:m', small: 'small:s', large: 'large:l' } } } },
    });
    const result = await orchestrator.run({ model: 'chat', workload: 'completion', input: text('write a compiler') });
    expect(result.decision).toMatchObject({ engine: 'large', source: 'classifier' });
    expect(result.decision.reason).toContain('code/complex');
    expect(prompts[0]).toContain('write a compiler');
    // Cached: the second identical prompt does not ask the judge again.
    await orchestrator.run({ model: 'chat', workload: 'completion', input: text('write a compiler') });
    expect(prompts).toHaveLength(1);
  });

  it('a failing llm classifier falls back to the safe default (small model)', async () => {
    const judge = new FaultEngine('judge', { failRate: 1 });
    const orchestrator = createOrchestrator({
      engines: [judge, new FaultEngine('small'), new FaultEngine('large', {}, { targets: ['cloud'] })],
      logger: silent,
      config: { resilience: { retry: { maxAttempts: 1 } }, routing: { routes: { chat: { classifier: 'llm', classifierModel: 'judge:m', small: 'small:s', large: 'large:l', threshold: 0.6 } } } },
    });
    const result = await orchestrator.run({ model: 'chat', workload: 'completion', input: text('anything') });
    expect(result.decision.engine).toBe('small');
  });
});
