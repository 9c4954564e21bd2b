/**
 * Orchestrator overhead per stage on a no-op engine: `Orchestrator.run` (policy, routing, retry/circuit/bulkhead/
 * timeout, events, span, timings) vs calling the same engine's `doRun` directly with the same request.
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

export default defineBenchmark({
  name: 'orchestrator-overhead',
  warmup: 2_000,
  iterations: 400,
  batch: 50,
  setup: async () => {
    const orchestrator = createOrchestrator({
      engines: [noopEngine],
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
      config: {
        policy: { rules: [{ id: 'deny-offline', when: 'metrics.online == false', action: 'deny' }] },
        // a configured model: the orchestrator refuses ids nothing in the app serves (NO_SUCH_MODEL)
        routing: { models: { 'noop-model': ['noop:noop-model'] } },
      },
    });
    const request: InferenceRequest = { model: 'noop-model', workload: 'completion', input: { kind: 'text', prompt: 'hello' } };
    const direct: EngineRunRequest = { modelId: 'noop-model', workload: 'completion', input: { kind: 'text', prompt: 'hello' } };
    const signal = new AbortController().signal;
    await orchestrator.run(request);
    return { orchestrator, request, direct, signal };
  },
  cases: {
    engine: (s) => noopEngine.doRun(s.direct, s.signal),
    orchestrator: (s) => s.orchestrator.run(s.request),
  },
  baseline: 'engine',
});
