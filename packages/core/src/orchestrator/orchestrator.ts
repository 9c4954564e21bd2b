import { randomUUID } from 'node:crypto';
import { handleWhen, retry } from 'cockatiel';
import type { CallOptions, CallSignal, EngineCapabilities, EngineInput, EngineRunRequest, EngineStreamPart, InferenceRequest, InferenceResult, InferenceStreamPart, OrchestratorApi, PipelineStreamSession, PluginLogger, PolicyDecision, RoutingDecision, TokenCountResult, Usage } from '@switchyard/spec';
import { SwitchyardError, abortSignalOf, toSwitchyardError } from '@switchyard/spec';
import { describeTarget, type ExecutionTarget } from '../executor/execution-target.js';
import type { ExecutionResult, Executor } from '../executor/executor.js';
import { PolicyEngine } from '../policy/policy-engine.js';
import { resolveResilience } from '../resilience/resilience-config.js';
import { RetryAfterBackoff, retriesOnSameTarget } from '../resilience/retry-backoff.js';
import type { RoutePlan, Router } from '../routing/router.js';
import type { EventBus } from '../telemetry/event-bus.js';
import { SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { parentContext, traceHeadersOf } from '../telemetry/trace-context.js';
import { genAiAttributes, markSpanFailed, operationName, tracer, withSpan } from '../telemetry/tracing.js';
import { withCost } from '../telemetry/usage-cost.js';
import type { OrchestrationConfig } from './orchestration-config.js';
import { BoundedStreamSession } from './bounded-stream-session.js';
import { countTokensUnsupported, unknownModelError } from './model-names.js';
import { admitParameters, type AdmittedParameters } from './parameter-gate.js';
import { addUsage, checkFormatOutput, outputInvalidError, requestedJsonFormat, withCorrection, withFormatInstruction, type JsonFormat } from './structured-output.js';
import { readsMessages } from './text-inputs.js';

export interface OrchestratorParts {
  readonly executor: Executor;
  readonly policy: PolicyEngine;
  readonly router: Router;
  readonly events: EventBus;
  readonly logger: PluginLogger;
  readonly config: OrchestrationConfig;
  /** Model ids served without a registry entry or route (e.g. the server's configured `server.models`). */
  readonly configuredModels?: readonly string[];
}

/** Per-call overrides used by pipeline stages (per-stage retry and fallback). */
export interface RunOptions extends CallOptions {
  /** Attempts per target (overrides resilience.retry.maxAttempts). */
  readonly maxAttempts?: number;
  /** `engine:model` targets appended to the routed chain. */
  readonly fallback?: readonly string[];
}

/** The signal of a call without one: nothing can abort it, so it needs no AbortController of its own. */
const NEVER_ABORTED: AbortSignal = new AbortController().signal;

/** Where a target stands for its retries: whether the chain goes on after it, and the request's deadline. */
interface ChainPlace {
  readonly hasNextTarget: boolean;
  readonly deadlineAt?: number;
}

/** Errors after which trying the next target cannot help. */
function stopsFallback(error: SwitchyardError): boolean {
  return error.code === 'ABORTED' || error.code === 'INVALID_INPUT' || error.code === 'POLICY_DENIED';
}

/**
 * Top layer: policy -> routing -> (retry per target, fallback across targets) -> executor. The only retry loop.
 */
export class Orchestrator implements OrchestratorApi {
  readonly executor: Executor;
  readonly policy: PolicyEngine;
  readonly router: Router;
  readonly events: EventBus;
  readonly logger: PluginLogger;
  private readonly config: OrchestrationConfig;
  private readonly configuredModels: ReadonlySet<string>;

  constructor(parts: OrchestratorParts) {
    this.configuredModels = new Set(parts.configuredModels ?? []);
    this.executor = parts.executor;
    this.policy = parts.policy;
    this.router = parts.router;
    this.events = parts.events;
    this.logger = parts.logger;
    this.config = parts.config;
  }

  /**
   * NO_SUCH_MODEL (with close matches) unless the id is an `engine:model` of a registered engine, a route, a
   * configured deployment, a configured model or a registry model. Runs before policy and routing, so an unknown id
   * never reaches an engine (nor its circuit breaker).
   */
  assertKnownModel(model: string): void {
    const colon = model.indexOf(':');
    if (colon > 0 && this.executor.hasEngine(model.slice(0, colon))) return;
    const routing = this.config.routing;
    if (routing?.routes && Object.hasOwn(routing.routes, model)) return;
    if (routing?.models && Object.hasOwn(routing.models, model)) return;
    if (this.configuredModels.has(model)) return;
    if (this.executor.registry?.get(model)) return;
    throw unknownModelError(model, this.knownModels());
  }

  /** Every id assertKnownModel accepts without an engine prefix. */
  knownModels(): string[] {
    const routing = this.config.routing;
    return [
      ...(this.executor.registry?.ids?.() ?? []),
      ...Object.keys(routing?.routes ?? {}),
      ...Object.keys(routing?.models ?? {}),
      ...this.configuredModels,
    ];
  }

  private async prepare(request: InferenceRequest, signal: CallSignal | undefined) {
    this.assertKnownModel(request.model);
    assertInputKind(request.input);
    const correlationId = request.correlationId ?? randomUUID();
    const { decision: policy, request: allowed } = this.policy.evaluate(request);
    this.events.emit('PolicyEvaluated', { correlationId, decision: policy });
    if (policy.outcome === 'deny') {
      this.logger.warn({ correlationId, rule_id: policy.rule_id, reason: policy.reason }, 'policy denied');
      PolicyEngine.assertAllowed(policy);
    }
    const plan = await this.router.route(allowed, policy, signal);
    this.events.emit('RoutingDecided', { correlationId, decision: plan.decision, cached: plan.cached });
    return { correlationId, policy, request: allowed, plan };
  }

  async run(request: InferenceRequest, options: RunOptions = {}): Promise<InferenceResult> {
    // One span for the whole request (every target tried); each target's attempt is a child `switchyard.execute`.
    const base = parentContext(request.traceparent, request.tracestate);
    const span = tracer().startSpan('switchyard.run', { attributes: { 'gen_ai.operation.name': operationName(request.workload), 'gen_ai.request.model': request.model } }, base);
    const parent = span.isRecording() ? trace.setSpan(base, span) : base;
    try {
      const result = await this.runTargets(request, options, parent);
      const usage = result.usage;
      span.setAttributes({ 'gen_ai.system': result.decision.engine, 'gen_ai.response.model': result.decision.model, 'gen_ai.response.finish_reasons': [result.finishReason], 'switchyard.target': result.decision.target });
      if (usage.inputTokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
      if (usage.outputTokens !== undefined) span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (error) {
      markSpanFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  private async runTargets(request: InferenceRequest, options: RunOptions, parent: Context): Promise<InferenceResult> {
    const signal = options.signal ?? NEVER_ABORTED;
    const prepared = await this.prepare(request, signal);
    const { correlationId, policy, request: allowed } = prepared;
    requestedJsonFormat(allowed.parameters);
    const plan = options.fallback?.length && prepared.plan.allowFallback ? this.withFallbacks(prepared.plan, options.fallback) : prepared.plan;
    const attempts: { engine: string; model: string; error?: string }[] = [];
    let lastError: SwitchyardError | undefined;
    const failures: SwitchyardError[] = [];
    // Retries on one target never wait past the request's deadline.
    const deadlineAt = request.timeoutMs !== undefined ? performance.now() + request.timeoutMs : undefined;
    for (let index = 0; index < plan.chain.length; index++) {
      const target = plan.chain[index]!;
      const chainPlace: ChainPlace = { hasNextTarget: index + 1 < plan.chain.length, ...(deadlineAt !== undefined ? { deadlineAt } : {}) };
      try {
        const admitted = this.admit(target, allowed);
        const result = await this.attemptWithFormat(target, admitted.input ? { ...allowed, input: admitted.input } : allowed, admitted, correlationId, signal, options.maxAttempts, parent, chainPlace);
        attempts.push({ engine: target.engine, model: target.model });
        const routed: RoutingDecision =
          index === 0
            ? plan.decision
            : { target: target.target, engine: target.engine, model: target.model, source: 'fallback', reason: `fallback after: ${lastError?.message ?? 'error'}` };
        const decision: RoutingDecision = result.pipeline ? { ...routed, pipeline: result.pipeline } : routed;
        return {
          output: result.output,
          usage: withCost(result.usage ?? {}, target.engine, target.model, this.config.telemetry?.prices),
          finishReason: result.finishReason ?? 'stop',
          ...(result.stopSequence !== undefined ? { stopSequence: result.stopSequence } : {}),
          policy,
          decision,
          attempts,
          timings: result.timings,
          ...(result.pipeline ? { pipeline: result.pipeline } : {}),
          ...(admitted.dropped.length > 0 ? { droppedParameters: admitted.dropped } : {}),
        };
      } catch (caught) {
        const error = toSwitchyardError(caught);
        attempts.push({ engine: target.engine, model: target.model, error: `${error.code}: ${error.message}` });
        failures.push(error);
        lastError = error;
        if (stopsFallback(error) || signal.aborted) throw signal.aborted ? abortedError(signal, error) : error;
        const next = plan.chain[index + 1];
        if (next) {
          this.events.emit('Fallback', { correlationId, from: describeTarget(target), to: describeTarget(next), reason: error.code, afterTokens: 0 });
          this.logger.info({ correlationId, from: describeTarget(target), to: describeTarget(next), code: error.code }, 'fallback');
        }
      }
    }
    throw this.exhausted(request, plan, attempts, lastError!, failures);
  }

  /** What a target's engine declares (undefined for an engine the executor does not hold). */
  private capabilitiesOf(engine: string): EngineCapabilities | undefined {
    return this.executor.hasEngine(engine) ? this.executor.getEngine(engine).capabilities : undefined;
  }

  /** The parameters one target receives (UNSUPPORTED when its engine cannot honour one and dropping is off). */
  private admit(target: ExecutionTarget, request: InferenceRequest): AdmittedParameters {
    if (!this.executor.hasEngine(target.engine)) return { parameters: request.parameters, dropped: [] };
    const capabilities = this.executor.getEngine(target.engine).capabilities;
    return admitParameters(capabilities, target.engine, target.model, request.input, request.parameters, request.dropUnsupportedParameters === true);
  }

  /**
   * One target. A JSON format is checked on every answer: one the engine honours natively is validated, one it
   * cannot honour is asked for in the prompt and validated; an invalid answer is retried once (both calls billed).
   */
  private async attemptWithFormat(
    target: ExecutionTarget,
    request: InferenceRequest,
    admitted: AdmittedParameters,
    correlationId: string,
    signal: CallSignal,
    maxAttempts: number | undefined,
    parent: Context,
    place: ChainPlace,
  ): Promise<ExecutionResult> {
    const format = formatToCheck(admitted);
    if (!format) return this.attempt(target, request, admitted, correlationId, signal, maxAttempts, parent, place);
    const input = admitted.enforceFormat ? withFormatInstruction(request.input, format) : request.input;
    const first = await this.attempt(target, { ...request, input }, admitted, correlationId, signal, maxAttempts, parent, place);
    if (hasToolCalls(first) || isRefusal(first)) return first;
    const firstText = first.output.kind === 'text' ? first.output.text : JSON.stringify(first.output);
    const checked = checkFormatOutput(firstText, format);
    if (checked.ok) return { ...first, output: { kind: 'text', text: checked.text } };
    const second = await this.attempt(target, { ...request, input: withCorrection(input, firstText, checked.problem, this.capabilitiesOf(target.engine)) }, admitted, correlationId, signal, maxAttempts, parent, place);
    const usage = addUsage(first.usage, second.usage);
    const both = { ...second, ...(usage ? { usage } : {}) };
    if (hasToolCalls(second) || isRefusal(second)) return both;
    const secondText = second.output.kind === 'text' ? second.output.text : JSON.stringify(second.output);
    const again = checkFormatOutput(secondText, format);
    if (again.ok) return { ...both, output: { kind: 'text', text: again.text } };
    throw outputInvalidError(target.engine, target.model, again.problem);
  }

  private exhausted(
    request: InferenceRequest,
    plan: RoutePlan,
    attempts: readonly { engine: string; model: string; error?: string }[],
    last: SwitchyardError,
    failures: readonly SwitchyardError[] = [],
  ): SwitchyardError {
    if (plan.chain.length === 1) return last;
    // No target could take the request as asked: that is the caller's 400, not an outage.
    if (failures.length > 0 && failures.every((f) => f.code === 'UNSUPPORTED')) return failures[0]!;
    // Retrying helps when some target failed transiently; the soonest Retry-After among them says when.
    const transient = failures.filter((f) => f.retriable);
    const waits = transient.flatMap((f) => (f.retryAfterMs !== undefined ? [f.retryAfterMs] : []));
    return new SwitchyardError({
      code: 'ROUTE_UNAVAILABLE',
      retriable: transient.length > 0,
      ...(waits.length > 0 ? { retryAfterMs: Math.min(...waits) } : {}),
      message: `All ${plan.chain.length} targets for '${request.model}' failed: ${attempts.map((a) => `${a.engine}:${a.model} [${a.error ?? 'error'}]`).join('; ')}`,
      details: { model: request.model, attempts },
      cause: last,
    });
  }

  /** One target with retries (retriable errors only, backoff honouring retryAfterMs). */
  private withFallbacks(plan: RoutePlan, refs: readonly string[]): RoutePlan {
    const extra = refs.map((ref) => {
      const engine = this.executor.getEngine(ref.slice(0, ref.indexOf(':')));
      return { engine: engine.id, model: ref.slice(ref.indexOf(':') + 1), target: engine.capabilities.targets[0] ?? 'local' } as ExecutionTarget;
    });
    const chain = [...plan.chain, ...extra.filter((e) => !plan.chain.some((c) => c.engine === e.engine && c.model === e.model))];
    return { ...plan, chain };
  }

  private async attempt(
    target: ExecutionTarget,
    request: InferenceRequest,
    admitted: AdmittedParameters,
    correlationId: string,
    signal: CallSignal,
    maxAttempts: number | undefined,
    parent: Context,
    place: ChainPlace,
  ): Promise<ExecutionResult> {
    const settings = resolveResilience(this.config.resilience, target.engine);
    const engineRequest: EngineRunRequest = {
      modelId: target.model,
      workload: request.workload,
      input: request.input,
      ...(admitted.parameters ? { parameters: admitted.parameters } : {}),
      correlationId,
    };
    // The caller's cancellation is checked here (cockatiel would take only an AbortSignal): no retry once it aborted.
    const window = { maxDelayMs: settings.retry.maxDelayMs, ...place };
    const policy = retry(handleWhen((error) => !signal.aborted && retriesOnSameTarget(error, window)), {
      maxAttempts: Math.max(0, (maxAttempts ?? settings.retry.maxAttempts) - 1),
      backoff: new RetryAfterBackoff(settings.retry.initialDelayMs, settings.retry.maxDelayMs, Math.random, place.deadlineAt),
    });
    const onRetry = policy.onRetry((event) => {
      const code = 'error' in event ? toSwitchyardError(event.error).code : 'INTERNAL';
      this.events.emit('Retry', { correlationId, engine: target.engine, model: target.model, attempt: event.attempt, delayMs: event.delay, code });
    });
    const attrs = genAiAttributes({ engine: target.engine, model: target.model, workload: request.workload, target: target.target });
    try {
      return await withSpan('switchyard.execute', attrs, async (span) => {
        // The upstream call joins this span's trace (the client's, when it sent a traceparent).
        const headers = request.traceparent !== undefined || span.isRecording() ? traceHeadersOf(span) : undefined;
        const traced: EngineRunRequest = headers ? { ...engineRequest, ...headers } : engineRequest;
        const result = await policy.execute(async ({ attempt }) => {
          this.events.emit('ExecutionStarted', { correlationId, engine: target.engine, model: target.model, attempt: attempt + 1 });
          try {
            const run =
              target.target === 'local'
                ? this.executor.executeLocal(target, traced, signal, request.timeoutMs)
                : this.executor.executeCloud(target, traced, signal, request.timeoutMs);
            return await run;
          } catch (error) {
            const typed = toSwitchyardError(error);
            this.events.emit('ExecutionFailed', { correlationId, engine: target.engine, model: target.model, code: typed.code, message: typed.message });
            throw typed;
          }
        });
        const usage = result.usage ?? {};
        if (usage.inputTokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
        if (usage.outputTokens !== undefined) span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
        span.setAttribute('gen_ai.response.model', target.model);
        span.setAttribute('gen_ai.response.finish_reasons', [result.finishReason ?? 'stop']);
        this.router.latency.record(target.engine, result.timings.totalMs);
        this.events.emit('ExecutionCompleted', { correlationId, engine: target.engine, model: target.model, usage, timings: result.timings });
        return result;
      }, parent);
    } finally {
      onRetry.dispose();
    }
  }

  stream(request: InferenceRequest, options: CallOptions = {}): AsyncIterable<InferenceStreamPart> {
    return this.streamParts(request, options.signal);
  }

  private async *streamParts(request: InferenceRequest, outer: CallSignal | undefined): AsyncGenerator<InferenceStreamPart> {
    // Our own controller so that a consumer that stops iterating also aborts the engine.
    const controller = new AbortController();
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    outer?.addEventListener('abort', forward, { once: true });
    const signal = controller.signal;
    // The request deadline covers the whole stream, not only its first part.
    const deadlineAt = request.timeoutMs !== undefined ? performance.now() + request.timeoutMs : undefined;
    // One span for the whole stream, ended after its last part (or its error); upstream calls join its trace.
    const span = tracer().startSpan(
      'switchyard.stream',
      { attributes: { 'gen_ai.operation.name': operationName(request.workload), 'gen_ai.request.model': request.model } },
      parentContext(request.traceparent, request.tracestate),
    );
    const traceHeaders = request.traceparent !== undefined || span.isRecording() ? traceHeadersOf(span) : undefined;
    // Set once the engine's stream ended normally: nothing is left to abort (and no abort error is built per stream).
    let completed = false;
    try {
      const { correlationId, policy, request: allowed, plan } = await this.prepare(request, signal);
      requestedJsonFormat(allowed.parameters);
      span.setAttribute('switchyard.correlation_id', correlationId);
      yield { type: 'routing', decision: plan.decision, policy };
      let emitted = '';
      let tokens = 0;
      let started = false;
      let toolCallSeen = false;
      // Set when an enforced-format answer was invalid: the same target runs once more with this corrected input.
      let formatRetry: EngineInput | undefined;
      // The usage of that invalid first answer: the retry's finish reports both calls, as run() does.
      let retriedUsage: Usage | undefined;
      let lastError: SwitchyardError | undefined;
      const failures: SwitchyardError[] = [];
      const attempts: { engine: string; model: string; error?: string }[] = [];
      for (let index = 0; index < plan.chain.length; index++) {
        const target = plan.chain[index]!;
        const settings = resolveResilience(this.config.resilience, target.engine);
        let admitted: AdmittedParameters;
        try {
          admitted = this.admit(target, allowed);
        } catch (caught) {
          const error = toSwitchyardError(caught);
          attempts.push({ engine: target.engine, model: target.model, error: error.code });
          failures.push(error);
          lastError = error;
          continue;
        }
        // A JSON format the engine honours natively streams as it comes and is checked at the end; one the gateway
        // enforces is held back until it validated (never a stream of unvalidated prose), and retried once.
        const format = formatToCheck(admitted);
        const hold = admitted.enforceFormat !== undefined;
        const targetInput = admitted.input ?? allowed.input;
        const baseInput = index === 0 || emitted === '' ? targetInput : continuationInput(targetInput, emitted, this.capabilitiesOf(target.engine));
        const retrying = formatRetry !== undefined;
        if (!retrying) retriedUsage = undefined;
        const input = formatRetry ?? (hold ? withFormatInstruction(baseInput, admitted.enforceFormat!) : baseInput);
        formatRetry = undefined;
        const engineRequest: EngineRunRequest = {
          modelId: target.model,
          workload: allowed.workload,
          input,
          ...(admitted.parameters ? { parameters: admitted.parameters } : {}),
          correlationId,
          ...traceHeaders,
        };
        span.setAttributes({ 'gen_ai.system': target.engine, 'gen_ai.response.model': target.model, 'switchyard.target': target.target });
        if (admitted.dropped.length > 0) yield { type: 'parameters-dropped', parameters: admitted.dropped };
        this.events.emit('ExecutionStarted', { correlationId, engine: target.engine, model: target.model, attempt: 1 });
        const begin = performance.now();
        // A target that sends nothing within its timeout, or stalls between parts for longer than the idle
        // timeout, is abandoned like a failed call (the engine is aborted).
        const attempt = new AbortController();
        const forwardAbort = () => attempt.abort(signal.reason);
        signal.addEventListener('abort', forwardAbort, { once: true });
        const firstLimit = request.timeoutMs ?? settings.timeoutMs;
        const idleLimit = settings.streamIdleTimeoutMs;
        let stalled: SwitchyardError | undefined;
        let timer: ReturnType<typeof setTimeout> | undefined;
        // The stall deadline moves on with every part; the pending timer is only replaced when the deadline comes
        // sooner. A timer that fires before the (moved) deadline waits for the rest: one timer per stall window,
        // not a clearTimeout + setTimeout per token.
        let dueAt = 0;
        let stallErrorOf: () => SwitchyardError = () => stallError(target.engine, `sent no token within ${firstLimit} ms`, firstLimit);
        const fire = () => {
          timer = undefined;
          const left = dueAt - performance.now();
          if (left >= 1) {
            timer = setTimeout(fire, left);
            return;
          }
          stalled = stallErrorOf();
          attempt.abort(stalled);
        };
        const arm = (ms: number, error: () => SwitchyardError) => {
          const at = performance.now();
          const remaining = deadlineAt !== undefined ? Math.min(ms, deadlineAt - at) : ms;
          const overall = deadlineAt !== undefined && remaining < ms;
          if (!Number.isFinite(remaining)) {
            if (timer !== undefined) clearTimeout(timer);
            timer = undefined;
            return;
          }
          const wait = Math.max(0, remaining);
          stallErrorOf = overall ? () => deadlineError(target.engine, request.timeoutMs!) : error;
          const due = at + wait;
          const sooner = timer === undefined || due < dueAt;
          dueAt = due;
          if (!sooner) return;
          if (timer !== undefined) clearTimeout(timer);
          timer = setTimeout(fire, wait);
        };
        const idleError = () => stallError(target.engine, `stalled for ${idleLimit} ms between parts`, idleLimit);
        arm(firstLimit, stallErrorOf);
        const held: InferenceStreamPart[] = [];
        let heldText = '';
        let heldToolCall = false;
        try {
          for await (const raw of this.executor.stream(target, engineRequest, attempt.signal)) {
            // The finish part carries the cost from telemetry.prices, as run() results do.
            const part: EngineStreamPart = raw.type === 'finish' ? { ...raw, usage: withCost(raw.usage, target.engine, target.model, this.config.telemetry?.prices) } : raw;
            if (part.type === 'delta' || part.type.startsWith('tool-call')) arm(idleLimit, idleError);
            if (part.type === 'finish') {
              const totalMs = performance.now() - begin;
              const usage = part.usage;
              if (usage.inputTokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
              if (usage.outputTokens !== undefined) span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
              span.setAttribute('gen_ai.response.finish_reasons', [part.finishReason]);
              this.events.emit('ExecutionCompleted', {
                correlationId,
                engine: target.engine,
                model: target.model,
                usage,
                timings: { queueMs: 0, preprocessMs: 0, inferMs: totalMs, postprocessMs: 0, totalMs },
              });
            }
            if (part.type === 'start') {
              if (started) continue;
              started = true;
            }
            if (hold && part.type !== 'start') {
              // Held parts were not sent: a failure before the finish can still fall back, tool call or not.
              if (part.type === 'tool-call-start' || (part.type === 'delta' && part.kind === 'refusal')) heldToolCall = true;
              if (part.type === 'delta') heldText += deltaText(part) ?? '';
              if (part.type !== 'finish') {
                held.push(part);
                continue;
              }
              const finish = retriedUsage ? { ...part, usage: addUsage(retriedUsage, part.usage)! } : part;
              if (heldToolCall) {
                // Tool calls (or a refusal), not the structured answer yet: everything goes out as it came.
                toolCallSeen = true;
                held.push(finish);
                for (const p of held) if (p.type === 'delta') emitted += deltaText(p) ?? '';
                yield* held.splice(0);
                continue;
              }
              // A continuation (after another target's partial answer) is checked together with what was sent.
              const checked = emitted === '' ? checkFormatOutput(heldText, format!) : checkFormatOutput(emitted + heldText, format!);
              if (!checked.ok) {
                if (retrying) throw outputInvalidError(target.engine, target.model, checked.problem);
                formatRetry = withCorrection(input, heldText, checked.problem, this.capabilitiesOf(target.engine));
                retriedUsage = part.usage;
                break;
              }
              const text = emitted === '' ? checked.text : heldText;
              emitted += text;
              tokens++;
              yield* [...held.filter((p) => p.type !== 'delta'), { type: 'delta', kind: 'text', text } as const, finish];
              held.length = 0;
              continue;
            }
            // A half-sent refusal, like a tool call, cannot be continued by another model, nor checked as JSON.
            if (part.type === 'tool-call-start' || (part.type === 'delta' && part.kind === 'refusal')) toolCallSeen = true;
            if (part.type === 'delta') {
              const text = deltaText(part);
              if (text) emitted += text;
              tokens++;
            }
            if (format && part.type === 'finish' && !toolCallSeen) {
              // Natively structured: already streamed, so an invalid answer ends the stream with an error, not a finish.
              const checked = checkFormatOutput(emitted, format);
              if (!checked.ok) throw outputInvalidError(target.engine, target.model, checked.problem, false);
            }
            let resumed = false;
            try {
              yield part;
              resumed = true;
            } finally {
              // The consumer stopped iterating: fire the engine's signal before its iterator is closed.
              if (!resumed) controller.abort(new SwitchyardError({ code: 'ABORTED', message: 'Stream consumer stopped' }));
            }
          }
          if (formatRetry) {
            index--;
            continue;
          }
          span.setStatus({ code: SpanStatusCode.OK });
          completed = true;
          return;
        } catch (caught) {
          const error = signal.aborted ? abortedError(signal, caught) : (stalled ?? toSwitchyardError(caught));
          attempts.push({ engine: target.engine, model: target.model, error: error.code });
          this.events.emit('ExecutionFailed', { correlationId, engine: target.engine, model: target.model, code: error.code, message: error.message });
          lastError = error;
          failures.push(error);
          if (stopsFallback(error)) throw error;
          // A natively structured answer that already streamed cannot be taken back or continued.
          if (error.code === 'OUTPUT_INVALID' && !hold && emitted !== '') throw error;
          // A half-sent tool call cannot be continued by another model; past the deadline nothing can help.
          if (toolCallSeen || (deadlineAt !== undefined && performance.now() >= deadlineAt)) throw error;
          const next = plan.chain[index + 1];
          if (!next) break;
          const fallback = { from: describeTarget(target), to: describeTarget(next), reason: error.code, afterTokens: tokens };
          this.events.emit('Fallback', { correlationId, ...fallback });
          span.addEvent('switchyard.fallback', { 'switchyard.fallback.from': fallback.from, 'switchyard.fallback.to': fallback.to, 'error.type': fallback.reason, 'switchyard.fallback.after_tokens': tokens });
          yield { type: 'fallback', ...fallback };
        } finally {
          if (timer !== undefined) clearTimeout(timer);
          signal.removeEventListener('abort', forwardAbort);
        }
      }
      throw this.exhausted(request, plan, attempts, lastError!, failures);
    } catch (error) {
      markSpanFailed(span, error);
      throw error;
    } finally {
      span.end();
      outer?.removeEventListener('abort', forward);
      if (!completed && !signal.aborted) controller.abort(new SwitchyardError({ code: 'ABORTED', message: 'Stream consumer stopped' }));
    }
  }

  /**
   * The input tokens `request` would use, counted by the engine a run would go to first: the run's own steps (known
   * model, policy, routing, the target's parameter gate, the model loaded), then its `doCountTokens`. No fallback:
   * another target would count another model's tokens. UNSUPPORTED naming the model when that engine cannot count.
   */
  async countTokens(request: InferenceRequest, options: CallOptions = {}): Promise<TokenCountResult> {
    const { correlationId, request: allowed, plan } = await this.prepare(request, options.signal);
    const target = plan.chain[0];
    const engine = target && this.executor.hasEngine(target.engine) ? this.executor.getEngine(target.engine) : undefined;
    if (!target || !engine?.doCountTokens) throw countTokensUnsupported(request.model, target?.engine);
    const admitted = this.admit(target, allowed);
    const signal = options.signal ? abortSignalOf(options.signal) : new AbortController().signal;
    await this.executor.ensureLoaded(engine.id, target.model, signal);
    const counted = await engine.doCountTokens(
      {
        modelId: target.model,
        workload: allowed.workload,
        input: admitted.input ?? allowed.input,
        ...(admitted.parameters ? { parameters: admitted.parameters } : {}),
        correlationId,
        ...(allowed.traceparent !== undefined ? { traceparent: allowed.traceparent } : {}),
        ...(allowed.tracestate !== undefined ? { tracestate: allowed.tracestate } : {}),
      },
      signal,
    );
    return { inputTokens: counted.inputTokens, engine: engine.id, model: target.model, ...(admitted.dropped.length > 0 ? { droppedParameters: admitted.dropped } : {}) };
  }

  async openStreamSession(
    model: string,
    options: CallOptions & { readonly settings?: Record<string, unknown>; readonly maxPending?: number } = {},
  ): Promise<PipelineStreamSession<unknown, unknown>> {
    this.assertKnownModel(model);
    const controller = new AbortController();
    const signal = options.signal;
    const request: InferenceRequest = { model, workload: 'inference', input: { kind: 'json', value: null } };
    const plan = await this.router.route(request, { outcome: 'allow', reason: 'stream session' }, signal);
    const target = plan.chain[0]!;
    const inner = await this.executor.openStream(target, controller.signal, options.settings);
    return new BoundedStreamSession(inner, { maxPending: options.maxPending ?? 8, controller, ...(signal ? { signal } : {}) });
  }
}

/** The JSON format an answer is checked against: the one the engine honours natively, or the gateway-enforced one. */
function formatToCheck(admitted: AdmittedParameters): JsonFormat | undefined {
  if (admitted.enforceFormat) return admitted.enforceFormat;
  const format = admitted.parameters?.responseFormat;
  return format?.type === 'json' ? format : undefined;
}

/** An answer of tool calls is not the structured answer yet: the format applies to the final text. */
function hasToolCalls(result: ExecutionResult): boolean {
  return result.output.kind === 'text' && (result.output.toolCalls?.length ?? 0) > 0;
}

/** A refusal is passed through instead of the structured answer (OpenAI semantics): never validated or retried. */
function isRefusal(result: ExecutionResult): boolean {
  return result.output.kind === 'text' && result.output.refusal !== undefined;
}

function deltaText(part: EngineStreamPart & { type: 'delta' }): string | undefined {
  return part.kind === 'text' || part.kind === 'token' ? part.text : undefined;
}

/** The prompt plus what was already emitted, so the next target continues the same answer (in the shape it reads). */
export function continuationInput(input: EngineInput, emitted: string, capabilities?: Pick<EngineCapabilities, 'textInputs'>): EngineInput {
  if (input.kind !== 'text') return input;
  if (input.messages && input.messages.length > 0) {
    return { ...input, messages: [...input.messages, { role: 'assistant', content: emitted }] };
  }
  // A raw prompt (legacy completions) is text to continue: the emitted text extends it as is. So is the prompt of an
  // engine that reads no messages (`textInputs: ['prompt']`): a prompt is the only shape it takes.
  if (input.rawPrompt === true || !readsMessages(capabilities)) return { ...input, prompt: `${input.prompt ?? ''}${emitted}` };
  // A prompt is a user turn: the next target gets it as one, and what was emitted as the assistant's turn so far.
  const { prompt, ...rest } = input;
  return { ...rest, messages: [{ role: 'user', content: prompt ?? '' }, { role: 'assistant', content: emitted }] };
}

function stallError(engine: string, what: string, timeoutMs: number): SwitchyardError {
  return new SwitchyardError({ code: 'TIMEOUT', message: `Engine '${engine}' ${what}`, retriable: true, details: { engine, timeoutMs } });
}

function deadlineError(engine: string, timeoutMs: number): SwitchyardError {
  return new SwitchyardError({ code: 'TIMEOUT', message: `The request deadline of ${timeoutMs} ms passed while engine '${engine}' was streaming`, details: { engine, timeoutMs } });
}

function abortedError(signal: CallSignal, cause: unknown): SwitchyardError {
  if (SwitchyardError.hasCode(cause, 'ABORTED')) return cause;
  return new SwitchyardError({ code: 'ABORTED', message: 'The request was aborted', cause: signal.reason ?? cause });
}

/** The kinds of EngineInput: anything else (a JS caller's `{kind: 'tensor'}`) is refused by name, never run. */
const INPUT_KINDS: ReadonlySet<string> = new Set<EngineInput['kind']>(['text', 'texts', 'tensors', 'audio', 'image', 'json']);

function assertInputKind(input: unknown): void {
  const kind = (input as { kind?: unknown } | null | undefined)?.kind;
  if (typeof kind === 'string' && INPUT_KINDS.has(kind)) return;
  throw new SwitchyardError({
    code: 'INVALID_INPUT',
    message: `input.kind: expected one of ${[...INPUT_KINDS].join(', ')}, found ${kind === undefined ? 'no kind' : JSON.stringify(kind)}`,
    details: { field: 'input.kind', expected: [...INPUT_KINDS], found: typeof kind === 'string' ? kind : String(kind) },
  });
}
