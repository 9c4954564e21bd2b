import type { InferenceRequest, InferenceResult, InferenceStreamPart, OrchestratorApi, PipelineStreamSession } from '@switchyard/core';

/** What a scripted run answers: the engine result; the routing bookkeeping is filled in. */
export type ScriptedAnswer = Pick<InferenceResult, 'output' | 'usage' | 'finishReason'> & Partial<InferenceResult>;

/**
 * An OrchestratorApi whose run and stream answer from the given scripts (`run` answers, `stream` yields parts), for
 * tests of what a face makes of exact engine output (tool-call parts, usage, refusals).
 */
export function scriptedOrchestrator(script: {
  readonly engine?: string;
  readonly run: (request: InferenceRequest) => ScriptedAnswer;
  readonly stream: (request: InferenceRequest) => AsyncIterable<InferenceStreamPart>;
}): OrchestratorApi {
  const engine = script.engine ?? 'scripted';
  return {
    async run(request: InferenceRequest): Promise<InferenceResult> {
      return {
        policy: { outcome: 'allow', reason: 'test' },
        decision: { target: 'local', engine, model: request.model, reason: 'test', source: 'pin' },
        attempts: [],
        timings: { queueMs: 0, preprocessMs: 0, inferMs: 0, postprocessMs: 0, totalMs: 0 },
        ...script.run(request),
      };
    },
    stream: (request: InferenceRequest) => script.stream(request),
    async openStreamSession(): Promise<PipelineStreamSession<unknown, unknown>> {
      return { push: async () => [], close: async () => [] };
    },
  };
}
