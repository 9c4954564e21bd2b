/**
 * Orchestrator overhead per stage on a no-op engine: `Orchestrator.run` (policy, routing, retry/circuit/bulkhead/
 * timeout, events, span, timings) vs calling the same engine's `doRun` directly with the same request; with an engine
 * that takes `doRun` (its attempts get an AbortSignal) and one that takes `doRunChecked` (an AbortCheck). The report
 * adds per-call p50/p99/p999 (each call timed alone), since the samples are 50-call means.
 */
import {
  createOrchestrationLogger,
  createOrchestrator,
  type EngineRunRequest,
  type EngineRunResult,
  type EngineV1,
  type InferenceRequest,
} from '@switchyard/core';
import { defineBenchmark } from '../harness.js';

const RESULT: EngineRunResult = { output: { kind: 'text', text: 'ok' }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop' };

/** Does nothing: every microsecond measured is framework time. */
const noopEngine: EngineV1 = {
  specificationVersion: 'v1',
  id: 'noop',
  capabilities: { workloads: ['completion'], targets: ['local'], features: [] },
  doLoad: async () => {},
  doRun: async () => RESULT,
  // eslint-disable-next-line require-yield
  doStream: async function* () {
    return;
  },
  doUnload: async () => {},
  health: async () => ({ ok: true }),
};

/** The same no-op engine taking an AbortCheck (`doRunChecked`): its attempts create no AbortController. */
const checkedEngine: EngineV1 = { ...noopEngine, doRunChecked: async () => RESULT };

/** Per-call latency (each call timed on its own, not a batch mean): the p99 a caller sees. */
async function perCall(run: () => Promise<unknown>, calls: number): Promise<{ p50Us: number; p99Us: number; p999Us: number }> {
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await run();
    samples[i] = (performance.now() - start) * 1000;
  }
  samples.sort();
  const at = (q: number) => Number(samples[Math.min(calls - 1, Math.floor(q * calls))]!.toFixed(2));
  return { p50Us: at(0.5), p99Us: at(0.99), p999Us: at(0.999) };
}

function orchestratorOn(engine: EngineV1) {
  return createOrchestrator({
    engines: [engine],
    logger: createOrchestrationLogger({ logLevel: 'silent' }),
    config: {
      policy: { rules: [{ id: 'deny-offline', when: 'metrics.online == false', action: 'deny' }] },
      // a configured model: the orchestrator refuses ids nothing in the app serves (NO_SUCH_MODEL)
      routing: { models: { 'noop-model': ['noop:noop-model'] } },
    },
  });
}

export default defineBenchmark({
  name: 'orchestrator-overhead',
  warmup: 2_000,
  iterations: 400,
  batch: 50,
  setup: async () => {
    const orchestrator = orchestratorOn(noopEngine);
    const checked = orchestratorOn(checkedEngine);
    const request: InferenceRequest = { model: 'noop-model', workload: 'completion', input: { kind: 'text', prompt: 'hello' } };
    const direct: EngineRunRequest = { modelId: 'noop-model', workload: 'completion', input: { kind: 'text', prompt: 'hello' } };
    const signal = new AbortController().signal;
    await orchestrator.run(request);
    await checked.run(request);
    return { orchestrator, checked, request, direct, signal };
  },
  cases: {
    engine: (s) => noopEngine.doRun(s.direct, s.signal),
    orchestrator: (s) => s.orchestrator.run(s.request),
    orchestratorChecked: (s) => s.checked.run(s.request),
  },
  report: async (s) => ({
    perCall20k: {
      orchestrator: await perCall(() => s.orchestrator.run(s.request), 20_000),
      orchestratorChecked: await perCall(() => s.checked.run(s.request), 20_000),
    },
  }),
  baseline: 'engine',
});
