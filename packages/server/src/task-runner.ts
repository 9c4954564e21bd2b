import type { CallSignal, InferenceRequest, OrchestratorApi, SwitchyardError, Usage } from '@switchyard/core';
import { toSwitchyardError } from '@switchyard/core';
import { UNROUTED_MODEL, type GatewayMetrics } from './gateway-metrics.js';
import type { SseFrame, TaskSpec } from './server-task.js';
import { deltaFrameData, errorFrame, outputFrameData, ToolCallIds } from './task-frames.js';

export interface TaskRunOptions {
  readonly signal: CallSignal;
  /** Time the task waited before this run (deadline budget and the final metrics frame). */
  readonly queueMs: number;
  /** Token frames earlier attempts already delivered: a retry does not send them again. */
  readonly skipTokens?: number;
  readonly engineKey: string;
  readonly queueDepth: () => number;
  /** Frames as they are produced (token, delta, metrics); the terminal frame is returned instead. */
  readonly emit: (frame: SseFrame) => void;
  /** True once the task ended elsewhere (canceled): the run stops and returns undefined. */
  readonly isEnded: () => boolean;
  readonly observeStage?: (stage: string, ms: number) => void;
  readonly now?: () => number;
  /** Per-deployment request, token, cost and latency metrics (the outcome of this run is recorded once). */
  readonly metrics?: GatewayMetrics;
}

export interface TaskRunOutcome {
  readonly state: 'completed' | 'failed';
  readonly frame: SseFrame;
  readonly engine: string;
  readonly decodeMs: number;
  readonly usage: Usage;
  readonly tokensOut: number;
  readonly error?: SwitchyardError;
  readonly cause?: unknown;
}

/**
 * Runs one task spec through the Orchestrator and turns what it produces into SSE frames: the one execution
 * path of the embedded scheduler and of distributed workers.
 */
export function runTaskSpec(orchestrator: OrchestratorApi, spec: TaskSpec, options: TaskRunOptions): Promise<TaskRunOutcome | undefined> {
  // Two small async functions instead of one: a non-streaming run keeps no stream-loop state across its await.
  return spec.stream ? streamTask(orchestrator, spec, options) : runTaskOnce(orchestrator, spec, options);
}

/** What one run learnt so far: the deployment that served it, its usage, its output tokens. */
class TaskRun {
  readonly startedAt: number;
  /** performance.now() at the start, only when metrics are recorded. */
  private readonly clockStart: number;
  engine: string;
  tokensOut = 0;
  usage: Usage = {};
  finishReason = 'stop';
  stopSequence: string | undefined;
  // The deployment that served (the routed one, then each fallback target) and when the first token came.
  servedEngine: string | undefined;
  servedModel: string | undefined;
  firstTokenAt: number | undefined;

  constructor(
    private readonly spec: TaskSpec,
    private readonly options: TaskRunOptions,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
    this.engine = options.engineKey;
    this.clockStart = options.metrics ? performance.now() : 0;
  }

  /** The request handed to the orchestrator; optional fields assigned one by one, absent ones stay absent. */
  request(): InferenceRequest {
    const spec = this.spec;
    const request: { -readonly [K in keyof InferenceRequest]: InferenceRequest[K] } = { model: spec.modelRef, workload: spec.workload, input: spec.input };
    if (spec.parameters) request.parameters = spec.parameters;
    if (spec.placement) request.placement = spec.placement;
    if (spec.correlationId) request.correlationId = spec.correlationId;
    if (spec.traceparent) request.traceparent = spec.traceparent;
    if (spec.tracestate) request.tracestate = spec.tracestate;
    if (spec.deadlineMs !== undefined) request.timeoutMs = Math.max(1, spec.deadlineMs - this.options.queueMs);
    if (spec.dropUnsupportedParameters) request.dropUnsupportedParameters = true;
    return request;
  }

  tokenSeen(): void {
    if (this.firstTokenAt === undefined && this.options.metrics) this.firstTokenAt = performance.now();
  }

  /** The per-deployment metrics of this run's outcome (once per run). */
  record(outcome: 'ok' | 'error' | 'canceled', failure?: SwitchyardError): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    let recordEngine = this.servedEngine ?? this.engine;
    let recordModel = this.servedModel;
    if (recordModel === undefined) {
      const tried = lastAttempt(failure);
      recordEngine = tried?.engine ?? recordEngine;
      // An id the gateway does not know never becomes a label value (clients could create series at will).
      recordModel = tried?.model ?? (failure?.code === 'NO_SUCH_MODEL' ? UNROUTED_MODEL : this.spec.modelRef);
    }
    const elapsed = performance.now() - this.clockStart;
    const usage = this.usage;
    metrics.recordRequest(this.spec.route ?? 'tasks', recordEngine, recordModel, outcome, elapsed, this.firstTokenAt === undefined ? undefined : this.firstTokenAt - this.clockStart, usage.inputTokens, usage.outputTokens ?? (this.tokensOut || undefined), usage.costUsd);
  }

  /** The run ended normally: the final metrics frame is emitted and the `end` frame returned (undefined when canceled meanwhile). */
  completed(): TaskRunOutcome | undefined {
    const options = this.options;
    if (options.isEnded()) {
      this.record('canceled');
      return undefined;
    }
    const decodeMs = this.now() - this.startedAt;
    const usage = this.usage;
    const tokensOut = (this.tokensOut = usage.outputTokens ?? this.tokensOut);
    this.record('ok');
    options.emit({ event: 'metrics', data: { queue_depth: options.queueDepth(), queue_ms: options.queueMs, decode_ms: decodeMs, tokens_out: tokensOut, engine: this.engine } });
    const data: Record<string, unknown> = { tokens_out: tokensOut, decode_ms: decodeMs, finish_reason: this.finishReason, usage: usageJson(usage) };
    if (this.stopSequence !== undefined) data.stop_sequence = this.stopSequence;
    return { state: 'completed', frame: { event: 'end', data }, engine: this.engine, decodeMs, usage, tokensOut };
  }

  /** The run threw: a failed outcome with its error frame (undefined when the task was canceled meanwhile). */
  failed(error: unknown): TaskRunOutcome | undefined {
    if (this.options.isEnded()) {
      this.record('canceled');
      return undefined;
    }
    const known = toSwitchyardError(error);
    this.record(known.code === 'ABORTED' ? 'canceled' : 'error', known);
    return { state: 'failed', frame: errorFrame(known), engine: this.engine, decodeMs: this.now() - this.startedAt, usage: this.usage, tokensOut: this.tokensOut, error: known, cause: error };
  }
}

/** A non-streaming task: one `run()`, its output as one `delta` frame. */
async function runTaskOnce(orchestrator: OrchestratorApi, spec: TaskSpec, options: TaskRunOptions): Promise<TaskRunOutcome | undefined> {
  const run = new TaskRun(spec, options, options.now ?? Date.now);
  try {
    const result = await orchestrator.run(run.request(), { signal: options.signal });
    run.engine = result.decision.engine;
    run.servedEngine = result.decision.engine;
    run.servedModel = result.decision.model;
    run.usage = result.usage;
    run.finishReason = result.finishReason;
    run.stopSequence = result.stopSequence;
    if (result.droppedParameters?.length) options.emit({ event: 'dropped', data: { parameters: result.droppedParameters } });
    if (options.observeStage) {
      options.observeStage('preprocess', result.timings.preprocessMs);
      options.observeStage('infer', result.timings.inferMs);
      options.observeStage('postprocess', result.timings.postprocessMs);
    }
    options.emit({ event: 'delta', data: outputFrameData(result.output) });
    return run.completed();
  } catch (error) {
    return run.failed(error);
  }
}

/** A streaming task: every part becomes a frame as it comes (token frames already delivered by an earlier attempt are skipped). */
async function streamTask(orchestrator: OrchestratorApi, spec: TaskSpec, options: TaskRunOptions): Promise<TaskRunOutcome | undefined> {
  const run = new TaskRun(spec, options, options.now ?? Date.now);
  let skipTokens = options.skipTokens ?? 0;
  // Engine tool-call id -> the id clients see: made unique when an engine sends none, "" or one it used before.
  let toolIds: ToolCallIds | undefined;
  try {
    for await (const part of orchestrator.stream(run.request(), { signal: options.signal })) {
      if (options.isEnded()) break;
      if (part.type === 'delta') {
        if (part.kind === 'text' || part.kind === 'token') {
          if (skipTokens > 0) {
            skipTokens -= 1;
            run.tokensOut += 1;
            continue;
          }
          options.emit({ event: 'token', data: { t: part.text ?? '', i: run.tokensOut, ...(part.tokenId !== undefined ? { id: part.tokenId } : {}) } });
          run.tokenSeen();
          run.tokensOut += 1;
        } else options.emit({ event: 'delta', data: deltaFrameData(part) });
      } else if (part.type === 'metrics') options.emit({ event: 'metrics', data: { ...part.metrics, queue_depth: options.queueDepth() } });
      else if (part.type === 'finish') {
        run.usage = part.usage;
        run.finishReason = part.finishReason;
        run.stopSequence = part.stopSequence;
      } else if (part.type === 'tool-call-start') options.emit({ event: 'tool-call-start', data: { id: (toolIds ??= new ToolCallIds()).start(part.id), name: part.name, index: part.index } });
      else if (part.type === 'tool-call-delta') options.emit({ event: 'tool-call-delta', data: { id: toolIds?.of(part.id) ?? part.id, arguments: part.argumentsDelta } });
      else if (part.type === 'tool-call-end') options.emit({ event: 'tool-call-end', data: { id: toolIds?.of(part.id) ?? part.id } });
      else if (part.type === 'parameters-dropped') options.emit({ event: 'dropped', data: { parameters: part.parameters } });
      else if (part.type === 'routing') {
        run.engine = part.decision.engine;
        run.servedEngine = part.decision.engine;
        run.servedModel = part.decision.model;
      } else if (part.type === 'fallback') {
        const colon = part.to.indexOf(':');
        run.servedEngine = part.to.slice(0, colon);
        run.servedModel = part.to.slice(colon + 1);
      } else if (part.type === 'error') throw part.error;
    }
    return run.completed();
  } catch (error) {
    return run.failed(error);
  }
}

/** The last deployment an exhausted chain (ROUTE_UNAVAILABLE) or a failed target tried, from the error's details. */
function lastAttempt(error: SwitchyardError | undefined): { engine: string; model: string } | undefined {
  const details = error?.details as { attempts?: { engine?: unknown; model?: unknown }[]; engine?: unknown; model?: unknown } | undefined;
  const last = details?.attempts?.at(-1);
  if (last && typeof last.engine === 'string' && typeof last.model === 'string') return { engine: last.engine, model: last.model };
  if (typeof details?.engine === 'string' && typeof details.model === 'string') return { engine: details.engine, model: details.model };
  return undefined;
}

function usageJson(usage: Usage): Record<string, number> {
  const json: Record<string, number> = {};
  if (usage.inputTokens !== undefined) json.input_tokens = usage.inputTokens;
  if (usage.outputTokens !== undefined) json.output_tokens = usage.outputTokens;
  if (usage.totalTokens !== undefined) json.total_tokens = usage.totalTokens;
  if (usage.cacheReadTokens !== undefined) json.cache_read_tokens = usage.cacheReadTokens;
  if (usage.cacheWriteTokens !== undefined) json.cache_write_tokens = usage.cacheWriteTokens;
  if (usage.reasoningTokens !== undefined) json.reasoning_tokens = usage.reasoningTokens;
  if (usage.costUsd !== undefined) json.cost_usd = usage.costUsd;
  return json;
}
