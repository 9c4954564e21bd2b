import { Orchestrator, PolicyEngine, SwitchyardError, abortSignalOf, type CallOptions, type InferenceRequest, type OrchestratorApi, type TokenCountResult } from '@switchyard/core';

export type CountTokens = NonNullable<OrchestratorApi['countTokens']>;

/** The refusal when the engine a model runs on cannot count tokens (OpenAI-style upstreams have no such API). */
export function countTokensUnsupported(model: string, engine?: string): SwitchyardError {
  const why = engine !== undefined ? `engine '${engine}' has no token counting` : 'this server cannot say which engine would count it';
  return new SwitchyardError({ code: 'UNSUPPORTED', message: `count_tokens is not supported for model '${model}' (${why})`, details: { field: 'model', model, ...(engine !== undefined ? { engine } : {}) } });
}

/**
 * `countTokens` for core's Orchestrator, which does not implement the optional method (spec 0.3) itself: the run's
 * own steps up to the engine call (known model, policy (deny refuses, redact counts the redacted input), routing),
 * then the first target's engine counts with `doCountTokens` after loading the model (its provider name). No
 * fallback: another target would count another model's tokens.
 */
export function orchestratorTokenCounter(orchestrator: Orchestrator): CountTokens {
  return async (request: InferenceRequest, options: CallOptions = {}): Promise<TokenCountResult> => {
    orchestrator.assertKnownModel(request.model);
    const { decision, request: allowed } = orchestrator.policy.evaluate(request);
    PolicyEngine.assertAllowed(decision);
    const plan = await orchestrator.router.route(allowed, decision, options.signal);
    const target = plan.chain[0];
    if (!target || !orchestrator.executor.hasEngine(target.engine)) throw countTokensUnsupported(request.model, target?.engine);
    const engine = orchestrator.executor.getEngine(target.engine);
    if (!engine.doCountTokens) throw countTokensUnsupported(request.model, engine.id);
    const signal = options.signal ? abortSignalOf(options.signal) : new AbortController().signal;
    await orchestrator.executor.ensureLoaded(engine.id, target.model, signal);
    const counted = await engine.doCountTokens(
      {
        modelId: target.model,
        workload: allowed.workload,
        input: allowed.input,
        ...(allowed.parameters ? { parameters: allowed.parameters } : {}),
        ...(allowed.correlationId !== undefined ? { correlationId: allowed.correlationId } : {}),
        ...(allowed.traceparent !== undefined ? { traceparent: allowed.traceparent } : {}),
        ...(allowed.tracestate !== undefined ? { tracestate: allowed.tracestate } : {}),
      },
      signal,
    );
    return { inputTokens: counted.inputTokens, engine: engine.id, model: target.model };
  };
}

/** The app's counter: the orchestrator's own `countTokens`, else core's Orchestrator's steps; none for anything else (a decorator that does not offer it is not bypassed). */
export function tokenCounterOf(orchestrator: OrchestratorApi): CountTokens | undefined {
  if (orchestrator.countTokens) return orchestrator.countTokens.bind(orchestrator);
  return orchestrator instanceof Orchestrator ? orchestratorTokenCounter(orchestrator) : undefined;
}
