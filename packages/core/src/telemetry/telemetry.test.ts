import { Writable } from 'node:stream';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../orchestrator/__fixtures__/fault-engine.js';
import { createOrchestrator } from '../orchestrator/create-orchestrator.js';
import { EventBus } from './event-bus.js';
import { createOrchestrationLogger } from './orchestration-logger.js';
import { installTracing, type InstalledTracing } from './tracing-provider.js';
import { withCost } from './usage-cost.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('orchestration logger', () => {
  it('writes JSON with correlation ids and censors secrets and (by default) raw inputs', async () => {
    const { lines, stream } = capture();
    const logger = createOrchestrationLogger({ logLevel: 'info' }, stream);
    logger.info({ correlationId: 'c1', apiKey: 'sk-live-123', request: { prompt: 'my secret plan', authorization: 'Bearer x' } }, 'call');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ msg: 'call', correlationId: 'c1', apiKey: '[redacted]', request: { prompt: '[redacted]', authorization: '[redacted]' } });
    expect(JSON.stringify(lines)).not.toContain('my secret plan');
    expect(JSON.stringify(lines)).not.toContain('sk-live-123');
  });

  it('keeps raw inputs when logInputs is on, still censoring secrets', async () => {
    const { lines, stream } = capture();
    createOrchestrationLogger({ logInputs: true }, stream).info({ prompt: 'hello', token: 't' }, 'x');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ prompt: 'hello', token: '[redacted]' });
  });

  it('the orchestrator logs fallbacks with correlation ids and without inputs', async () => {
    const { lines, stream } = capture();
    const orchestrator = createOrchestrator({ configuredModels: ['m', 'gpt-x'],
      engines: [new FaultEngine('bad', { failRate: 1 }), new FaultEngine('good')],
      logger: createOrchestrationLogger({}, stream),
      config: { resilience: { retry: { maxAttempts: 1 } } },
    });
    await orchestrator.run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'top secret prompt' }, correlationId: 'req-7' });
    await new Promise((r) => setImmediate(r));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'fallback', correlationId: 'req-7', from: 'bad:m', to: 'good:m', code: 'OVERLOADED' }));
    expect(JSON.stringify(lines)).not.toContain('top secret prompt');
  });
});

describe('OpenTelemetry spans', () => {
  let tracing: InstalledTracing | undefined;
  afterEach(() => tracing?.shutdown());

  it('one span per execution with gen_ai attributes, usage and error type', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = installTracing({}, { exporter });
    const orchestrator = createOrchestrator({ configuredModels: ['m', 'gpt-x'],
      engines: [new FaultEngine('bad', { failRate: 1 }), new FaultEngine('good')],
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
      config: { resilience: { retry: { maxAttempts: 1 } } },
    });
    await orchestrator.run({ model: 'gpt-x', workload: 'completion', input: { kind: 'text', prompt: 'p' } });
    await tracing.forceFlush();
    const finished = exporter.getFinishedSpans();
    // The request's span ends last; each target attempt is its child.
    expect(finished.map((s) => s.name)).toEqual(['switchyard.execute', 'switchyard.execute', 'switchyard.run']);
    const run = finished[2]!;
    expect(run.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-x', 'gen_ai.system': 'good', 'gen_ai.response.model': 'gpt-x', 'gen_ai.usage.output_tokens': 2 });
    const spans = finished.slice(0, 2);
    expect(spans.every((s) => s.parentSpanContext?.spanId === run.spanContext().spanId && s.spanContext().traceId === run.spanContext().traceId)).toBe(true);
    expect(spans[0]!.attributes).toMatchObject({ 'gen_ai.system': 'bad', 'gen_ai.request.model': 'gpt-x', 'gen_ai.operation.name': 'chat', 'error.type': 'OVERLOADED' });
    expect(spans[1]!.attributes).toMatchObject({ 'gen_ai.system': 'good', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 2, 'gen_ai.response.model': 'gpt-x', 'gen_ai.response.finish_reasons': ['stop'] });
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('"p"');
  });
});

describe('usage and cost', () => {
  it.each([
    [{ inputTokens: 1000, outputTokens: 500 }, 'openai', 'gpt-4o-mini', 0.00045],
    [{ inputTokens: 2000, outputTokens: 0 }, 'local', 'exact', 0.002],
    [{ inputTokens: 10 }, 'x', 'unpriced', undefined],
    // Cached input tokens at the cache prices: 900 uncached * 3 + 300 read * 0.3 + 400 written * 3.75 + 500 out * 15.
    [{ inputTokens: 1600, cacheReadTokens: 300, cacheWriteTokens: 400, outputTokens: 500 }, 'anthropic', 'cached', 0.01179],
    // A price without cache prices charges them as input.
    [{ inputTokens: 1600, cacheReadTokens: 300, cacheWriteTokens: 400, outputTokens: 500 }, 'openai', 'gpt-4o-mini', 0.00054],
  ])('%j on %s:%s costs %s', (usage, engine, model, cost) => {
    const prices = {
      'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
      'local:exact': { inputPerMillion: 1, outputPerMillion: 0 },
      cached: { inputPerMillion: 3, outputPerMillion: 15, cacheReadPerMillion: 0.3, cacheWritePerMillion: 3.75 },
    };
    expect(withCost(usage, engine, model, prices).costUsd).toBe(cost);
  });

  it('the result carries cost from the price table', async () => {
    const orchestrator = createOrchestrator({ configuredModels: ['m', 'gpt-x'],
      engines: [new FaultEngine('e')],
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
      config: { telemetry: { prices: { m: { inputPerMillion: 1000, outputPerMillion: 2000 } } } },
    });
    const result = await orchestrator.run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'p' } });
    expect(result.usage).toEqual({ inputTokens: 3, outputTokens: 2, costUsd: 0.007 });
  });
});

describe('EventBus', () => {
  it('delivers typed events, isolates throwing listeners and supports unsubscribe', () => {
    const errors: unknown[] = [];
    const bus = new EventBus((e) => errors.push(e));
    const seen: string[] = [];
    const off = bus.on('CircuitOpened', (e) => seen.push(e.engine));
    bus.on('CircuitOpened', () => {
      throw new Error('listener bug');
    });
    bus.onAny((name) => seen.push(name));
    bus.emit('CircuitOpened', { engine: 'a', model: 'm' });
    off();
    bus.emit('CircuitOpened', { engine: 'b', model: 'm' });
    expect(seen).toEqual(['a', 'CircuitOpened', 'CircuitOpened']);
    expect(errors).toHaveLength(2);
  });
});
