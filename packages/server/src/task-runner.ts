import type { InferenceRequest, OrchestratorApi, SwitchyardError, Usage } from '@switchyard/core';
import { toSwitchyardError } from '@switchyard/core';
import { UNROUTED_MODEL, type GatewayMetrics } from './gateway-metrics.js';
import type { SseFrame, TaskSpec } from './server-task.js';
import { deltaFrameData, errorFrame, outputFrameData } from './task-frames.js';

export interface TaskRunOptions {
  readonly signal: AbortSignal;
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
export async function runTaskSpec(orchestrator: OrchestratorApi, spec: TaskSpec, options: TaskRunOptions): Promise<TaskRunOutcome | undefined> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const { queueMs } = options;
  // Optional fields assigned one by one (no spread temporaries per task); absent ones stay absent.
  const request: { -readonly [K in keyof InferenceRequest]: InferenceRequest[K] } = { model: spec.modelRef, workload: spec.workload, input: spec.input };
  if (spec.parameters) request.parameters = spec.parameters;
  if (spec.placement) request.placement = spec.placement;
  if (spec.correlationId) request.correlationId = spec.correlationId;
  if (spec.traceparent) request.traceparent = spec.traceparent;
  if (spec.tracestate) request.tracestate = spec.tracestate;
  if (spec.deadlineMs !== undefined) request.timeoutMs = Math.max(1, spec.deadlineMs - queueMs);
  if (spec.dropUnsupportedParameters) request.dropUnsupportedParameters = true;
  let skipTokens = options.skipTokens ?? 0;
  let engine = options.engineKey;
  let tokensOut = 0;
  let usage: Usage = {};
  let finishReason = 'stop';
  // The deployment that served (the routed one, then each fallback target) and when the first token came.
  let servedEngine: string | undefined;
  let servedModel: string | undefined;
  let firstTokenAt: number | undefined;
  const clockStart = options.metrics ? performance.now() : 0;
  const record = (outcome: 'ok' | 'error' | 'canceled', failure?: SwitchyardError) => {
    if (!options.metrics) return;
    let recordEngine = servedEngine ?? engine;
    let recordModel = servedModel;
    if (recordModel === undefined) {
      const tried = lastAttempt(failure);
      recordEngine = tried?.engine ?? recordEngine;
      // An id the gateway does not know never becomes a label value (clients could create series at will).
      recordModel = tried?.model ?? (failure?.code === 'NO_SUCH_MODEL' ? UNROUTED_MODEL : spec.modelRef);
    }
    const elapsed = performance.now() - clockStart;
    options.metrics.recordRequest(spec.route ?? 'tasks', recordEngine, recordModel, outcome, elapsed, firstTokenAt === undefined ? undefined : firstTokenAt - clockStart, usage.inputTokens, usage.outputTokens ?? (tokensOut || undefined), usage.costUsd);
  };
  try {
    if (spec.stream) {
      for await (const part of orchestrator.stream(request, { signal: options.signal })) {
        if (options.isEnded()) break;
        if (part.type === 'delta') {
          if (part.kind === 'text' || part.kind === 'token') {
            if (skipTokens > 0) {
              skipTokens -= 1;
              tokensOut += 1;
              continue;
            }
            options.emit({ event: 'token', data: { t: part.text ?? '', i: tokensOut, ...(part.tokenId !== undefined ? { id: part.tokenId } : {}) } });
            if (firstTokenAt === undefined && options.metrics) firstTokenAt = performance.now();
            tokensOut += 1;
          } else options.emit({ event: 'delta', data: deltaFrameData(part) });
        } else if (part.type === 'metrics') options.emit({ event: 'metrics', data: { ...part.metrics, queue_depth: options.queueDepth() } });
        else if (part.type === 'finish') {
          usage = part.usage;
          finishReason = part.finishReason;
        } else if (part.type === 'tool-call-start') options.emit({ event: 'tool-call-start', data: { id: part.id, name: part.name, index: part.index } });
        else if (part.type === 'tool-call-delta') options.emit({ event: 'tool-call-delta', data: { id: part.id, arguments: part.argumentsDelta } });
        else if (part.type === 'tool-call-end') options.emit({ event: 'tool-call-end', data: { id: part.id } });
        else if (part.type === 'parameters-dropped') options.emit({ event: 'dropped', data: { parameters: part.parameters } });
        else if (part.type === 'routing') {
          engine = part.decision.engine;
          servedEngine = part.decision.engine;
          servedModel = part.decision.model;
        } else if (part.type === 'fallback') {
          const colon = part.to.indexOf(':');
          servedEngine = part.to.slice(0, colon);
          servedModel = part.to.slice(colon + 1);
        }
        else if (part.type === 'error') throw part.error;
      }
    } else {
      const result = await orchestrator.run(request, { signal: options.signal });
      engine = result.decision.engine;
      servedEngine = result.decision.engine;
      servedModel = result.decision.model;
      usage = result.usage;
      finishReason = result.finishReason;
      if (result.droppedParameters?.length) options.emit({ event: 'dropped', data: { parameters: result.droppedParameters } });
      options.observeStage?.('preprocess', result.timings.preprocessMs);
      options.observeStage?.('infer', result.timings.inferMs);
      options.observeStage?.('postprocess', result.timings.postprocessMs);
      options.emit({ event: 'delta', data: outputFrameData(result.output) });
    }
    if (options.isEnded()) {
      record('canceled');
      return undefined;
    }
    const decodeMs = now() - startedAt;
    tokensOut = usage.outputTokens ?? tokensOut;
    record('ok');
    options.emit({ event: 'metrics', data: { queue_depth: options.queueDepth(), queue_ms: queueMs, decode_ms: decodeMs, tokens_out: tokensOut, engine } });
    return { state: 'completed', frame: { event: 'end', data: { tokens_out: tokensOut, decode_ms: decodeMs, finish_reason: finishReason, usage: usageJson(usage) } }, engine, decodeMs, usage, tokensOut };
  } catch (error) {
    if (options.isEnded()) {
      record('canceled');
      return undefined;
    }
    const known = toSwitchyardError(error);
    record(known.code === 'ABORTED' ? 'canceled' : 'error', known);
    return { state: 'failed', frame: errorFrame(known), engine, decodeMs: now() - startedAt, usage, tokensOut, error: known, cause: error };
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
  if (usage.costUsd !== undefined) json.cost_usd = usage.costUsd;
  return json;
}
