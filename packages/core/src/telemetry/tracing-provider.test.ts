import 'reflect-metadata';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { EngineRunRequest, EngineStreamPart, SwitchyardPlugin } from '@switchyard/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/plugin-fixtures.js';
import { createSwitchyardApp } from '../app/create-app.js';
import { validateConfig } from '../config/config-validator.js';
import { FaultEngine } from '../orchestrator/__fixtures__/fault-engine.js';
import { createOrchestrator } from '../orchestrator/create-orchestrator.js';
import { createOrchestrationLogger } from './orchestration-logger.js';
import { isValidTraceparent } from './trace-context.js';
import { installTracing, type InstalledTracing } from './tracing-provider.js';

/** Records the requests it gets, so a test can see the trace context an engine is handed. */
class RecordingEngine extends FaultEngine {
  readonly requests: EngineRunRequest[] = [];
  override doRun(request: EngineRunRequest, signal: AbortSignal) {
    this.requests.push(request);
    return super.doRun(request, signal);
  }
  override async *doStream(request: EngineRunRequest, signal: AbortSignal): AsyncGenerator<EngineStreamPart> {
    this.requests.push(request);
    yield* super.doStream(request, signal);
  }
}

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_PARENT = `00-${CLIENT_TRACE}-00f067aa0ba902b7-01`;

let tracing: InstalledTracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

function orchestratorOver(...engines: FaultEngine[]) {
  return createOrchestrator({ configuredModels: ['m'], engines, logger: createOrchestrationLogger({ logLevel: 'silent' }), config: { resilience: { retry: { maxAttempts: 1 } } } });
}

async function drain(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const parts: unknown[] = [];
  for await (const part of iterable) parts.push(part);
  return parts;
}

describe('telemetry.tracing spans (real SDK, in-memory exporter)', () => {
  it('a stream is one span, ended after its last part, with gen_ai attributes; the client trace reaches the engine', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = installTracing({}, { exporter });
    const engine = new RecordingEngine('local-llm', { tokens: ['x', 'y', 'z'] });
    const orchestrator = orchestratorOver(engine);
    await drain(orchestrator.stream({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'p' }, traceparent: CLIENT_PARENT }));
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    const stream = spans.find((s) => s.name === 'switchyard.stream') as ReadableSpan;
    expect(stream.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.system': 'local-llm',
      'gen_ai.response.model': 'm',
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(stream.status.code).toBe(1);
    expect(stream.spanContext().traceId).toBe(CLIENT_TRACE);
    expect(stream.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    // The engine gets this span as its parent: the same trace id, the stream span's id.
    const sent = engine.requests[0]!.traceparent!;
    expect(sent).toBe(`00-${CLIENT_TRACE}-${stream.spanContext().spanId}-01`);
  });

  it('a failed stream falls back and its span records the fallback; a failed run attempt is an error span', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = installTracing({}, { exporter });
    const orchestrator = createOrchestrator({
      engines: [new FaultEngine('bad', { failAfterTokens: 1 }), new FaultEngine('good')],
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
      config: { resilience: { retry: { maxAttempts: 1 } }, routing: { routes: { chat: { targets: ['bad:m', 'good:m'] } } } },
    });
    await drain(orchestrator.stream({ model: 'chat', workload: 'completion', input: { kind: 'text', prompt: 'p' } }));
    await tracing.forceFlush();
    const stream = exporter.getFinishedSpans().find((s) => s.name === 'switchyard.stream')!;
    expect(stream.attributes['gen_ai.system']).toBe('good');
    expect(stream.events.map((e) => [e.name, e.attributes?.['error.type']])).toEqual([['switchyard.fallback', 'CONNECTION_FAILED']]);
  });

  it('without an SDK the client traceparent still reaches the engine unchanged (no-op spans carry it)', async () => {
    const engine = new RecordingEngine('e');
    await orchestratorOver(engine).run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'p' }, traceparent: CLIENT_PARENT });
    expect(engine.requests[0]!.traceparent).toBe(CLIENT_PARENT);
    const bare = new RecordingEngine('e');
    await orchestratorOver(bare).run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'p' } });
    expect(bare.requests[0]!.traceparent).toBeUndefined();
  });

  it('a malformed traceparent is ignored, as W3C Trace Context says', async () => {
    expect(isValidTraceparent(CLIENT_PARENT)).toBe(true);
    expect(isValidTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent('not-a-trace')).toBe(false);
    const engine = new RecordingEngine('e');
    await orchestratorOver(engine).run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'p' }, traceparent: 'garbage' });
    expect(engine.requests[0]!.traceparent).toBeUndefined();
  });

  it('a second tracer provider in the process is refused with CONFIG_INVALID naming /telemetry/tracing', () => {
    tracing = installTracing({}, { exporter: new InMemorySpanExporter() });
    expect(() => installTracing({}, { exporter: new InMemorySpanExporter() })).toThrow(/\/telemetry\/tracing: another OpenTelemetry tracer provider/);
  });
});

describe('telemetry.tracing in config', () => {
  it('validates (unknown keys and bad values are errors naming the pointer)', () => {
    expect(() => validateConfig({ telemetry: { tracing: { endpoint: 'http://127.0.0.1:4318/v1/traces', serviceName: 'gw', sampleRatio: 0.5, headers: { 'x-key': 'k' } } } })).not.toThrow();
    expect(() => validateConfig({ telemetry: { tracing: { exporter: 'zipkin' } } })).toThrow(/telemetry\/tracing\/exporter/);
    expect(() => validateConfig({ telemetry: { tracing: { sampleRate: 1 } } })).toThrow(/sampleRate/);
  });

  it('an app with telemetry.tracing exports its spans over OTLP/HTTP to the endpoint (flushed at shutdown)', async () => {
    const received: { path: string; body: string }[] = [];
    const collector = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ path: request.url ?? '', body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const plugin: SwitchyardPlugin = { name: 'faults', version: '1.0.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(new FaultEngine('local-llm')) };
    try {
      const app = await createSwitchyardApp({
        config: { telemetry: { tracing: { endpoint: `http://127.0.0.1:${port}/v1/traces`, serviceName: 'gateway-under-test' } }, server: { models: [{ id: 'm' }] } },
        plugins: [plugin],
        logger: silentLogger,
      });
      await app.orchestrator.run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'p' }, traceparent: CLIENT_PARENT });
      await app.shutdown();
      const body = received.map((r) => r.body).join('\n');
      expect(received[0]?.path).toBe('/v1/traces');
      expect(body).toContain('switchyard.execute');
      expect(body).toContain('gateway-under-test');
      expect(body).toContain('gen_ai.request.model');
      // OTLP/JSON carries trace ids as hex.
      expect(body).toContain(CLIENT_TRACE);
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});

describe('exporter: console', () => {
  it('writes one JSON line per span to stderr, nothing to stdout (stdout holds outputs: run --json)', async () => {
    const written = { out: '', err: '' };
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array) => ((written.out += String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => ((written.err += String(chunk)), true)) as typeof process.stderr.write;
    try {
      tracing = installTracing({ exporter: 'console', serviceName: 'svc' });
      const { context, trace } = await import('@opentelemetry/api');
      const tracer = trace.getTracer('t');
      const outer = tracer.startSpan('outer');
      tracer.startSpan('inner', { attributes: { 'a.b': 1 } }, trace.setSpan(context.active(), outer)).end();
      outer.end();
      await tracing.forceFlush();
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
    expect(written.out).not.toContain('traceId');
    const lines = written.err.split('\n').filter((line) => line.includes('"traceId"'));
    expect(lines).toHaveLength(2);
    const [inner, outer] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inner).toMatchObject({ name: 'inner', attributes: { 'a.b': 1 }, service: 'svc', parentSpanId: outer!['spanId'], traceId: outer!['traceId'] });
    expect(outer).toMatchObject({ name: 'outer' });
    expect(typeof outer!['duration']).toBe('number');
  });
});
