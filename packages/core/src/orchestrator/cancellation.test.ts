import { describe, expect, it, vi } from 'vitest';
import { Cancellation, type AbortCheck } from '@switchyard/spec';
import { createOrchestrator } from './create-orchestrator.js';
import { FaultEngine } from './__fixtures__/fault-engine.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';

const silent = createOrchestrationLogger({ logLevel: 'silent' });
const request = { model: 'm', workload: 'completion' as const, input: { kind: 'text' as const, prompt: 'hi' } };

/** A Cancellation that counts reads of its AbortSignal. */
class CountingCancellation extends Cancellation {
  signalReads = 0;
  override get signal(): AbortSignal {
    this.signalReads += 1;
    return super.signal;
  }
}

function checkedEngine(body: (abort: AbortCheck) => Promise<void> = async () => {}) {
  const engine = new FaultEngine('local-a');
  const checks: AbortCheck[] = [];
  engine.doRunChecked = async (_request, abort) => {
    checks.push(abort);
    await body(abort);
    return { output: { kind: 'text', text: `aborted=${abort.aborted}` }, finishReason: 'stop' };
  };
  return { engine, checks };
}

describe('Orchestrator with a Cancellation as the call signal', () => {
  it('runs on an AbortCheck engine without making any AbortController (the caller\u2019s nor the attempt\u2019s)', async () => {
    const { engine } = checkedEngine();
    const orchestrator = createOrchestrator({ engines: [engine], logger: silent, configuredModels: ['m'] });
    await orchestrator.run(request); // the first call loads the model (the load takes a real signal)
    const cancellation = new CountingCancellation();
    const created = vi.spyOn(globalThis, 'AbortController');
    try {
      const result = await orchestrator.run(request, { signal: cancellation });
      expect(result.output).toEqual({ kind: 'text', text: 'aborted=false' });
      expect(created).not.toHaveBeenCalled();
    } finally {
      created.mockRestore();
    }
    expect(cancellation.signalReads).toBe(0);
  });

  it('a cancel during the run reaches the engine\u2019s check and the call fails ABORTED, with no retry', async () => {
    const cancellation = new Cancellation();
    const { engine, checks } = checkedEngine(async (abort) => {
      cancellation.cancel(new Error('client went away'));
      expect(abort.aborted).toBe(true);
      expect(abort.reason).toEqual(new Error('client went away'));
      throw abort.reason;
    });
    const orchestrator = createOrchestrator({ engines: [engine], logger: silent, configuredModels: ['m'], config: { resilience: { retry: { maxAttempts: 3, initialDelayMs: 1 } } } });
    await expect(orchestrator.run(request, { signal: cancellation })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(checks).toHaveLength(1);
  });

  it('an engine that takes a signal (doRun) gets a real one that fires on cancel', async () => {
    const engine = new FaultEngine('local-a', { hangRate: 1 });
    const orchestrator = createOrchestrator({ engines: [engine], logger: silent, configuredModels: ['m'], config: { resilience: { retry: { maxAttempts: 1 } } } });
    const cancellation = new CountingCancellation();
    const pending = orchestrator.run(request, { signal: cancellation });
    await vi.waitFor(() => expect(engine.active).toBe(1));
    cancellation.cancel();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(engine.aborts).toBe(1);
    // The attempt's own signal is what the engine got; the caller's Cancellation never made one.
    expect(cancellation.signalReads).toBe(0);
  });

  it('a cancel already made fails the call before any engine runs', async () => {
    const { engine, checks } = checkedEngine();
    const orchestrator = createOrchestrator({ engines: [engine], logger: silent, configuredModels: ['m'] });
    const cancellation = new Cancellation();
    cancellation.cancel();
    await expect(orchestrator.run(request, { signal: cancellation })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(checks).toHaveLength(0);
  });

  it('a stream is aborted by a cancel between its parts', async () => {
    const engine = new FaultEngine('local-a', { tokens: ['a', 'b', 'c', 'd'], tokenDelayMs: 5 });
    const orchestrator = createOrchestrator({ engines: [engine], logger: silent, configuredModels: ['m'] });
    const cancellation = new Cancellation();
    const seen: string[] = [];
    const consume = (async () => {
      for await (const part of orchestrator.stream(request, { signal: cancellation })) {
        if (part.type === 'delta' && part.kind === 'text') {
          seen.push(part.text!);
          if (seen.length === 1) cancellation.cancel();
        }
      }
    })();
    await expect(consume).rejects.toMatchObject({ code: 'ABORTED' });
    expect(seen).toEqual(['a']);
    expect(engine.aborts).toBe(1);
  });
});
