import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SwitchyardError } from '@switchyard/spec';
import { createOrchestrator } from './create-orchestrator.js';
import { FaultEngine, seededRandom } from './__fixtures__/fault-engine.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';

const silent = createOrchestrationLogger({ logLevel: 'silent' });

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('fault injection', () => {
  it('1,000 concurrent requests over failing, timing-out and hanging engines all end terminal exactly once', async () => {
    const timersBefore = activeTimers();
    const flaky = new FaultEngine('flaky', { failRate: 0.3, random: seededRandom(1) });
    const hanging = new FaultEngine('hanging', { failRate: 0.3, hangRate: 0.15, slowRate: 0.15, slowMs: 5_000, random: seededRandom(2) }, { targets: ['edge'] });
    const cloud = new FaultEngine('cloud', { failRate: 0.3, random: seededRandom(3) }, { targets: ['cloud'] });
    const orchestrator = createOrchestrator({ configuredModels: ['m', 'gpt-x'],
      engines: [flaky, hanging, cloud],
      logger: silent,
      config: {
        routing: { routes: { chat: { targets: ['flaky:m', 'hanging:m', 'cloud:m'] } } },
        resilience: {
          retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
          // High threshold: this test is about terminal states, the circuit test below covers breaking.
          circuitBreaker: { consecutiveFailures: 10_000, cooldownMs: 10 },
          bulkhead: { maxConcurrent: 64, maxQueue: 2_000 },
          timeoutMs: 30,
        },
      },
    });
    const completions = new Map<string, number>();
    orchestrator.events.on('ExecutionCompleted', (e) => completions.set(e.correlationId, (completions.get(e.correlationId) ?? 0) + 1));
    let timeouts = 0;
    orchestrator.events.on('ExecutionFailed', (e) => {
      if (e.code === 'TIMEOUT') timeouts++;
    });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 1_000 }, (_, i) =>
        orchestrator.run({ model: 'chat', workload: 'completion', input: { kind: 'text', prompt: `q${i}` }, correlationId: `c${i}` }),
      ),
    );

    const answered = outcomes.filter((o) => o.status === 'fulfilled');
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(answered.length + failed.length).toBe(1_000);
    // Every answer belongs to its own request, and no request was answered twice.
    answered.forEach((o, i) => expect(o.value.output.kind).toBe('text'));
    expect([...completions.values()].every((n) => n === 1)).toBe(true);
    expect(completions.size).toBe(answered.length);
    // Failures are typed errors with a documented code.
    for (const f of failed) {
      expect(SwitchyardError.isInstance(f.reason)).toBe(true);
      expect(Object.keys(ERROR_CODES)).toContain((f.reason as SwitchyardError).code);
    }
    // Fallbacks actually happened and timeouts fired on hanging calls.
    expect(answered.some((o) => o.value.decision.source === 'fallback')).toBe(true);
    expect(timeouts).toBeGreaterThan(0);
    expect(hanging.aborts).toBeGreaterThan(0);
    // With 3 targets x 2 attempts at 30% failure, nearly all requests are answered.
    expect(answered.length).toBeGreaterThan(950);
    // No engine call is still running, no timer left behind.
    expect(flaky.active + hanging.active + cloud.active).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
    console.info(
      `fault injection: ${answered.length} answered (${answered.filter((o) => o.value.decision.source === 'fallback').length} via fallback), ` +
        `${failed.length} typed errors, ${timeouts} timeouts, engine calls flaky=${flaky.calls} hanging=${hanging.calls} cloud=${cloud.calls}`,
    );
  });

  it('the circuit opens after consecutive failures, refuses calls, then recovers after the cooldown', async () => {
    const engine = new FaultEngine('e', { failRate: 1 });
    const orchestrator = createOrchestrator({ configuredModels: ['m', 'gpt-x'],
      engines: [engine],
      logger: silent,
      config: { resilience: { retry: { maxAttempts: 1 }, circuitBreaker: { consecutiveFailures: 3, cooldownMs: 40 } } },
    });
    const transitions: string[] = [];
    orchestrator.events.on('CircuitOpened', (e) => transitions.push(`open:${e.engine}`));
    orchestrator.events.on('CircuitClosed', (e) => transitions.push(`closed:${e.engine}`));
    const call = () => orchestrator.run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'x' } }).catch((e: SwitchyardError) => e.code);

    expect([await call(), await call(), await call()]).toEqual(['OVERLOADED', 'OVERLOADED', 'OVERLOADED']);
    expect(transitions).toEqual(['open:e']);
    expect(orchestrator.executor.guard('e').circuitState).toBe('open');
    const callsWhileOpen = engine.calls;
    expect(await call()).toBe('CIRCUIT_OPEN');
    expect(engine.calls).toBe(callsWhileOpen);

    engine.plan = {};
    await new Promise((r) => setTimeout(r, 60));
    const result = await orchestrator.run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'x' } });
    expect(result.output).toEqual({ kind: 'text', text: 'e:x' });
    expect(transitions).toEqual(['open:e', 'closed:e']);
    expect(orchestrator.executor.guard('e').circuitState).toBe('closed');
  });

  it('retries honour retryAfterMs and never retry an abort', async () => {
    const engine = new FaultEngine('e');
    let calls = 0;
    let failedAt = 0;
    let secondCallAt = 0;
    engine.doRun = async (_request, signal) => {
      calls++;
      if (calls === 1) {
        failedAt = performance.now();
        throw new SwitchyardError({ code: 'RATE_LIMITED', message: 'slow down', retriable: true, retryAfterMs: 25 });
      }
      secondCallAt = performance.now();
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new SwitchyardError({ code: 'ABORTED', message: 'x' }))));
      throw new Error('unreachable');
    };
    const orchestrator = createOrchestrator({ configuredModels: ['m'], engines: [engine], logger: silent, config: { resilience: { retry: { maxAttempts: 5, initialDelayMs: 1 } } } });
    const delays: number[] = [];
    orchestrator.events.on('Retry', (e) => delays.push(e.delayMs));
    const controller = new AbortController();
    const pending = orchestrator.run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'x' } }, { signal: controller.signal });
    while (calls < 2) await new Promise((r) => setTimeout(r, 5));
    const retriesBeforeAbort = delays.length;
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ABORTED')).toBe(true);
    // The first retry waits the upstream's Retry-After. (A timer may fire a hair early under load: the deployment's
    // own 429 cooldown then bounces that retry locally for the last ms — a Retry event, but no upstream call.)
    expect(delays[0]).toBeGreaterThanOrEqual(25);
    expect(secondCallAt - failedAt).toBeGreaterThanOrEqual(24);
    expect(calls).toBe(2);
    // The abort itself is never retried.
    expect(delays).toHaveLength(retriesBeforeAbort);
  });

  it('the bulkhead caps concurrent calls per engine', async () => {
    const engine = new FaultEngine('e', { slowRate: 1, slowMs: 2 });
    const orchestrator = createOrchestrator({ configuredModels: ['m'], engines: [engine], logger: silent, config: { resilience: { bulkhead: { maxConcurrent: 3, maxQueue: 100 } } } });
    await Promise.all(Array.from({ length: 20 }, () => orchestrator.run({ model: 'm', workload: 'completion', input: { kind: 'text', prompt: 'x' } })));
    expect(engine.maxActive).toBe(3);
  });
});
