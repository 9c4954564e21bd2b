import { describe, expect, it } from 'vitest';
import type { InferenceResult } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { createOrchestrator } from './create-orchestrator.js';
import { FaultEngine, seededRandom } from './__fixtures__/fault-engine.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';

const silent = createOrchestrationLogger({ logLevel: 'silent' });

/** The engine each request tried first (from its attempts, answered or not). */
function firstTried(outcomes: PromiseSettledResult<InferenceResult>[]): string[] {
  return outcomes.map((o) => {
    if (o.status === 'fulfilled') return o.value.attempts[0]!.engine;
    const attempts = (SwitchyardError.isInstance(o.reason) ? o.reason.details.attempts : undefined) as { engine: string }[] | undefined;
    return attempts?.[0]?.engine ?? String((o.reason as SwitchyardError).details.engine ?? 'unknown');
  });
}

// Two cloud deployments of one model, both slow enough that requests overlap (a load-aware
// strategy would see the primary busier and send traffic to the fallback).
function twoCloudTargets(failRate: number) {
  const primary = new FaultEngine('primary', { failRate, slowRate: 1, slowMs: 2, random: seededRandom(11) }, { targets: ['cloud'] });
  const fallback = new FaultEngine('fallback', { failRate, slowRate: 1, slowMs: 2, random: seededRandom(12) }, { targets: ['cloud'] });
  const orchestrator = createOrchestrator({
    configuredModels: ['m'],
    engines: [primary, fallback],
    logger: silent,
    config: {
      routing: { routes: { chat: { targets: ['primary:m', 'fallback:m'] } } },
      resilience: {
        retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
        // This test is about order; breakers opening (they would, at 30%) are covered below and in fault-injection.
        circuitBreaker: { consecutiveFailures: 10_000, cooldownMs: 10 },
        bulkhead: { maxConcurrent: 64, maxQueue: 2_000 },
      },
    },
  });
  return { primary, fallback, orchestrator };
}

/** n requests arriving one per event-loop turn, so earlier ones are in flight (the primary is busy) when later ones route. */
async function burst(orchestrator: ReturnType<typeof createOrchestrator>, n: number): Promise<PromiseSettledResult<InferenceResult>[]> {
  const pending: Promise<PromiseSettledResult<InferenceResult>>[] = [];
  for (let i = 0; i < n; i++) {
    const run = orchestrator.run({ model: 'chat', workload: 'completion', input: { kind: 'text', prompt: `q${i}` } });
    pending.push(run.then((value) => ({ status: 'fulfilled', value }), (reason: unknown) => ({ status: 'rejected', reason })));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Promise.all(pending);
}

describe('ordered fallback chains', () => {
  it('with two healthy targets every request goes to the primary', async () => {
    const { orchestrator, fallback } = twoCloudTargets(0);
    const outcomes = await burst(orchestrator, 200);
    expect(firstTried(outcomes).filter((engine) => engine === 'primary')).toHaveLength(200);
    expect(outcomes.every((o) => o.status === 'fulfilled' && o.value.decision.engine === 'primary')).toBe(true);
    expect(fallback.calls).toBe(0);
  });

  it('under 30% upstream faults the primary is tried first in at least 99% of 1,000 requests', async () => {
    const { orchestrator, primary, fallback } = twoCloudTargets(0.3);
    const outcomes = await burst(orchestrator, 1_000);
    const first = firstTried(outcomes);
    const primaryFirst = first.filter((engine) => engine === 'primary').length;
    expect(primaryFirst).toBeGreaterThanOrEqual(990);
    // The fallback only ever ran after the primary failed.
    const answered = outcomes.filter((o): o is PromiseFulfilledResult<InferenceResult> => o.status === 'fulfilled');
    for (const o of answered.filter((a) => a.value.decision.engine === 'fallback')) expect(o.value.attempts[0]!.engine).toBe('primary');
    expect(answered.length).toBeGreaterThan(950);
    expect(fallback.calls).toBeLessThan(primary.calls);
    console.info(`ordered chains: primary first ${primaryFirst}/1000, answered ${answered.length}, calls primary=${primary.calls} fallback=${fallback.calls}`);
  });

  it('an open circuit on the primary is not waited out: the chain moves on at once', async () => {
    const primary = new FaultEngine('primary', { failRate: 1 }, { targets: ['cloud'] });
    const fallback = new FaultEngine('fallback', {}, { targets: ['cloud'] });
    const orchestrator = createOrchestrator({
      configuredModels: ['m'],
      engines: [primary, fallback],
      logger: silent,
      config: {
        routing: { routes: { chat: { targets: ['primary:m', 'fallback:m'] } } },
        resilience: { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 }, circuitBreaker: { consecutiveFailures: 2, cooldownMs: 60_000 } },
      },
    });
    const retries: string[] = [];
    orchestrator.events.on('Retry', (e) => retries.push(e.code));
    const run = () => orchestrator.run({ model: 'chat', workload: 'completion', input: { kind: 'text', prompt: 'x' } });
    await run(); // two failures open the primary's circuit, the third attempt is refused fast
    retries.length = 0;
    const result = await run();
    expect(result.decision.engine).toBe('fallback');
    expect(result.attempts[0]).toMatchObject({ engine: 'primary', error: expect.stringContaining('CIRCUIT_OPEN') });
    // Without this, the retry would have slept the 60 s cooldown before trying the fallback.
    expect(retries).toEqual([]);
  });
});
