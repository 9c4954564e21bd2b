import type { InferenceRequest, OrchestratorApi, Usage } from '@switchyard/core';
import { toSwitchyardError } from '@switchyard/core';
import { AdmissionQueue } from './admission-queue.js';
import type { ArtifactStore } from './artifact-store.js';
import { httpError } from './http-error.js';
import type { ServerMetrics } from './server-metrics.js';
import { ServerTask, type SseFrame, type TaskSpec } from './server-task.js';
import type { ServiceTimeEstimator } from './service-time-estimator.js';
import type { SessionStore } from './session-store.js';
import { deltaFrameData, errorFrame, outputFrameData, serializeFrame } from './task-frames.js';

export interface TaskSchedulerOptions {
  readonly orchestrator: OrchestratorApi;
  readonly queue: AdmissionQueue<ServerTask>;
  readonly estimator: ServiceTimeEstimator;
  readonly metrics: ServerMetrics;
  readonly artifacts: ArtifactStore;
  readonly sessions: SessionStore;
  readonly concurrencyFor: (engineKey: string) => number;
  readonly engineKeyFor: (modelRef: string) => string;
  readonly retentionMs: number;
  /** Finished tasks kept at most (oldest forgotten first), and their transcripts' bytes at most. */
  readonly retentionMaxTasks?: number;
  readonly retentionMaxBytes?: number;
  readonly now?: () => number;
  /** Called for failures that reach clients as a generic INTERNAL (so they can be logged with the correlation id). */
  readonly onInternalError?: (task: ServerTask, error: unknown) => void;
}

export interface AdmissionTicket {
  readonly task: ServerTask;
  readonly queuePosition: number;
  readonly predictedStartMs: number;
}

export type CancelReason = 'client' | 'disconnect' | 'shutdown' | 'drain' | 'session';

/**
 * Admission, dispatch and execution of tasks. Tasks wait in the AdmissionQueue until their engine has a free
 * slot, run through the Orchestrator and publish SSE frames on their ServerTask. Cancel is race-free: the
 * terminal frame is written synchronously before the AbortSignal fires, and frames after it are dropped.
 */
export class TaskScheduler {
  private readonly tasks = new Map<string, ServerTask>();
  /** Finished, still-queryable tasks in finishing order, with their transcript size. */
  private readonly retained = new Map<string, number>();
  private retainedBytes = 0;
  private readonly running = new Map<string, number>();
  private readonly draining = new Set<string>();
  private admitting = true;
  private readonly now: () => number;

  constructor(private readonly options: TaskSchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  get accepting(): boolean {
    return this.admitting;
  }

  get(taskId: string): ServerTask | undefined {
    return this.tasks.get(taskId);
  }

  runningCount(engineKey?: string): number {
    if (engineKey !== undefined) return this.running.get(engineKey) ?? 0;
    let total = 0;
    for (const count of this.running.values()) total += count;
    return total;
  }

  queuedCount(engineKey?: string): number {
    let count = 0;
    for (const task of this.options.queue.ordered()) if (engineKey === undefined || task.engineKey === engineKey) count += 1;
    return count;
  }

  isDraining(engineKey: string): boolean {
    return this.draining.has(engineKey);
  }

  submit(spec: TaskSpec): AdmissionTicket {
    const { queue, estimator, metrics } = this.options;
    if (!this.admitting) throw httpError('POOL_UNAVAILABLE', 'The server is shutting down and admits no new tasks', { retriable: true, retryAfterMs: 1000 });
    if (this.tasks.has(spec.taskId)) throw httpError('INVALID_PARAMS', `task_id '${spec.taskId}' is already in use`, { details: { field: 'task_id' } });
    const engineKey = this.options.engineKeyFor(spec.modelRef);
    if (this.draining.has(engineKey)) {
      throw httpError('POOL_UNAVAILABLE', `Pool '${engineKey}' is draining`, { retriable: true, retryAfterMs: 1000, details: { engine: engineKey } });
    }
    const concurrency = this.options.concurrencyFor(engineKey);
    const ahead = this.countAhead(engineKey, spec.priority === 'interactive' ? 'interactive' : 'all');
    const predictedStartMs = estimator.predictStartMs(engineKey, ahead, this.runningCount(engineKey), concurrency);
    if (spec.deadlineMs !== undefined) {
      const serviceMs = estimator.measured(engineKey) ? estimator.estimate(engineKey) : 0;
      if (predictedStartMs + serviceMs > spec.deadlineMs) {
        metrics.tasksRejected.inc({ reason: 'deadline' });
        throw httpError('DEADLINE_UNMET', `deadline_ms ${spec.deadlineMs} cannot be met: predicted start in ${predictedStartMs} ms plus ~${Math.round(serviceMs)} ms service time`, {
          details: { field: 'deadline_ms', expected: `>= ${Math.ceil(predictedStartMs + serviceMs)}`, found: spec.deadlineMs },
        });
      }
    }
    if (spec.sessionId !== undefined) {
      const { exhausted } = this.options.sessions.touch(spec.sessionId, this.now());
      if (exhausted) {
        metrics.tasksRejected.inc({ reason: `session-${exhausted}` });
        throw httpError('ADMISSION_REJECT', `Session '${spec.sessionId}' has used its ${exhausted === 'turns' ? 'turn limit' : 'token budget'}; start a new session`, {
          details: { policy_label: `session-${exhausted}`, field: 'session_id' },
        });
      }
    }
    const task = new ServerTask(spec, engineKey, this.now());
    const outcome = queue.offer(task, spec.priority);
    if (!outcome.admitted) {
      metrics.tasksRejected.inc({ reason: 'queue-full' });
      const backoffMs = Math.max(1000, Math.round(estimator.estimate(engineKey)));
      throw httpError('ADMISSION_REJECT', `The ${spec.priority} queue is full (policy reject)`, {
        retriable: true,
        retryAfterMs: backoffMs,
        details: { policy_label: 'reject', engine: engineKey },
      });
    }
    this.tasks.set(task.id, task);
    metrics.tasksEnqueued.inc({ priority: spec.priority });
    if (outcome.dropped) this.dropForSpace(outcome.dropped);
    this.pump();
    return { task, ...this.position(task) };
  }

  /** Current queue position (0 when running) and predicted start for a task. */
  position(task: ServerTask): { queuePosition: number; predictedStartMs: number } {
    const queuePosition = this.options.queue.positionOf(task);
    if (queuePosition < 0) return { queuePosition: 0, predictedStartMs: 0 };
    let ahead = 0;
    for (const other of this.options.queue.ordered()) {
      if (other === task) break;
      if (other.engineKey === task.engineKey) ahead += 1;
    }
    const predictedStartMs = this.options.estimator.predictStartMs(task.engineKey, ahead, this.runningCount(task.engineKey), this.options.concurrencyFor(task.engineKey));
    return { queuePosition, predictedStartMs };
  }

  cancel(taskId: string, reason: CancelReason): boolean {
    const task = this.tasks.get(taskId);
    if (!task || task.terminal) return false;
    const wasQueued = this.options.queue.remove(task);
    const frame = errorFrame(httpError('ABORTED', `Task canceled (${reason})`));
    task.finish('canceled', frame, this.now());
    task.controller.abort(new Error(`canceled: ${reason}`));
    this.options.metrics.tasksCanceled.inc({ reason });
    this.afterTerminal(task);
    if (wasQueued) this.updateQueueGauge();
    return true;
  }

  cancelSession(sessionId: string): number {
    let canceled = 0;
    for (const task of this.tasks.values()) if (task.spec.sessionId === sessionId && this.cancel(task.id, 'session')) canceled += 1;
    return canceled;
  }

  /** Stops admitting for one engine, lets its in-flight and queued tasks finish until the deadline, cancels the rest. */
  async drain(engineKey: string, deadlineMs: number): Promise<{ canceled: number }> {
    this.draining.add(engineKey);
    const idle = await this.waitUntil(() => this.runningCount(engineKey) === 0 && this.queuedCount(engineKey) === 0, deadlineMs);
    let canceled = 0;
    if (!idle) for (const task of [...this.tasks.values()]) if (task.engineKey === engineKey && this.cancel(task.id, 'drain')) canceled += 1;
    return { canceled };
  }

  resume(engineKey: string): void {
    this.draining.delete(engineKey);
  }

  /** Graceful shutdown: stop admitting, let in-flight work finish until the deadline, cancel what is left. */
  async shutdown(deadlineMs: number): Promise<{ canceled: number }> {
    this.admitting = false;
    const idle = await this.waitUntil(() => this.runningCount() === 0 && this.options.queue.size === 0, deadlineMs);
    let canceled = 0;
    if (!idle) for (const task of [...this.tasks.values()]) if (this.cancel(task.id, 'shutdown')) canceled += 1;
    return { canceled };
  }

  private countAhead(engineKey: string, scope: 'interactive' | 'all'): number {
    let ahead = 0;
    for (const task of this.options.queue.ordered()) {
      if (scope === 'interactive' && task.spec.priority !== 'interactive') break;
      if (task.engineKey === engineKey) ahead += 1;
    }
    return ahead;
  }

  private dropForSpace(dropped: ServerTask): void {
    const error = httpError('QUEUE_FULL_DROP_LRU', `Task dropped from the full ${dropped.spec.priority} queue to admit a newer task (policy drop-lru)`, {
      retriable: true,
      retryAfterMs: Math.max(1000, Math.round(this.options.estimator.estimate(dropped.engineKey))),
      details: { policy_label: 'drop-lru' },
    });
    dropped.finish('failed', errorFrame(error), this.now());
    this.options.metrics.tasksRejected.inc({ reason: 'drop-lru' });
    this.afterTerminal(dropped);
  }

  private pump(): void {
    for (;;) {
      const next = this.options.queue.takeFirst((task) => this.runningCount(task.engineKey) < this.options.concurrencyFor(task.engineKey));
      if (!next) break;
      this.running.set(next.engineKey, this.runningCount(next.engineKey) + 1);
      void this.execute(next);
    }
    this.updateQueueGauge();
  }

  private updateQueueGauge(): void {
    this.options.metrics.queueDepth.set({ priority: 'interactive' }, this.options.queue.depth('interactive'));
    this.options.metrics.queueDepth.set({ priority: 'batch' }, this.options.queue.depth('batch'));
  }

  private async execute(task: ServerTask): Promise<void> {
    const { metrics, orchestrator } = this.options;
    const startedAt = this.now();
    task.state = 'running';
    task.startedAt = startedAt;
    const queueMs = startedAt - task.enqueuedAt;
    metrics.tasksStarted.inc({ engine: task.engineKey });
    metrics.observeStage('queue', queueMs);
    const { spec } = task;
    const request: InferenceRequest = {
      model: spec.modelRef,
      workload: spec.workload,
      input: spec.input,
      ...(spec.parameters ? { parameters: spec.parameters } : {}),
      ...(spec.placement ? { placement: spec.placement } : {}),
      ...(spec.correlationId ? { correlationId: spec.correlationId } : {}),
      ...(spec.deadlineMs !== undefined ? { timeoutMs: Math.max(1, spec.deadlineMs - queueMs) } : {}),
      ...(spec.dropUnsupportedParameters ? { dropUnsupportedParameters: true } : {}),
    };
    let engine = task.engineKey;
    let tokensOut = 0;
    let usage: Usage = {};
    let finishReason = 'stop';
    try {
      if (spec.stream) {
        for await (const part of orchestrator.stream(request, { signal: task.controller.signal })) {
          if (task.terminal) break;
          if (part.type === 'delta') {
            if (part.kind === 'text' || part.kind === 'token') {
              task.emit({ event: 'token', data: { t: part.text ?? '', i: tokensOut, ...(part.tokenId !== undefined ? { id: part.tokenId } : {}) } });
              tokensOut += 1;
            } else task.emit({ event: 'delta', data: deltaFrameData(part) });
          } else if (part.type === 'metrics') task.emit({ event: 'metrics', data: { ...part.metrics, queue_depth: this.options.queue.size } });
          else if (part.type === 'finish') {
            usage = part.usage;
            finishReason = part.finishReason;
          } else if (part.type === 'tool-call-start') task.emit({ event: 'tool-call-start', data: { id: part.id, name: part.name, index: part.index } });
          else if (part.type === 'tool-call-delta') task.emit({ event: 'tool-call-delta', data: { id: part.id, arguments: part.argumentsDelta } });
          else if (part.type === 'tool-call-end') task.emit({ event: 'tool-call-end', data: { id: part.id } });
          else if (part.type === 'parameters-dropped') task.emit({ event: 'dropped', data: { parameters: part.parameters } });
          else if (part.type === 'routing') engine = part.decision.engine;
          else if (part.type === 'error') throw part.error;
        }
      } else {
        const result = await orchestrator.run(request, { signal: task.controller.signal });
        engine = result.decision.engine;
        usage = result.usage;
        finishReason = result.finishReason;
        if (result.droppedParameters?.length) task.emit({ event: 'dropped', data: { parameters: result.droppedParameters } });
        metrics.observeStage('preprocess', result.timings.preprocessMs);
        metrics.observeStage('infer', result.timings.inferMs);
        metrics.observeStage('postprocess', result.timings.postprocessMs);
        task.emit({ event: 'delta', data: outputFrameData(result.output) });
      }
      if (task.terminal) return;
      const decodeMs = this.now() - startedAt;
      tokensOut = usage.outputTokens ?? tokensOut;
      task.emit({ event: 'metrics', data: { queue_depth: this.options.queue.size, queue_ms: queueMs, decode_ms: decodeMs, tokens_out: tokensOut, engine } });
      task.finish('completed', { event: 'end', data: { tokens_out: tokensOut, decode_ms: decodeMs, finish_reason: finishReason, usage: usageJson(usage) } }, this.now());
      this.options.estimator.record(task.engineKey, decodeMs);
      metrics.observeStage('total', this.now() - task.enqueuedAt);
      if (spec.sessionId !== undefined) this.options.sessions.addTokens(spec.sessionId, (usage.inputTokens ?? 0) + tokensOut);
      metrics.tasksFinished.inc({ outcome: 'completed' });
    } catch (error) {
      if (task.terminal) return;
      const known = toSwitchyardError(error);
      if (known.code === 'INTERNAL') this.options.onInternalError?.(task, error);
      metrics.engineErrors.inc({ engine, code: known.code });
      metrics.tasksFinished.inc({ outcome: 'failed' });
      task.finish('failed', errorFrame(known), this.now());
    } finally {
      this.running.set(task.engineKey, Math.max(0, this.runningCount(task.engineKey) - 1));
      this.afterTerminal(task);
      this.pump();
    }
  }

  /** Stores the SSE transcript (content-addressed) and forgets the task after the retention period. */
  private afterTerminal(task: ServerTask): void {
    if (!task.terminal || task.forgetScheduled) return;
    task.forgetScheduled = true;
    let bytes = 0;
    if (task.spec.keepTranscript !== false) {
      const transcript = Buffer.from(task.frames.map(serializeFrame).join(''));
      bytes = transcript.length;
      task.transcriptArtifact = this.options.artifacts.put(transcript, 'text/event-stream', this.now()).id;
    }
    // OpenAI-face tasks are not addressable afterwards; task-API tasks stay queryable for the retention period,
    // within the count and byte caps (the oldest finished ones go first).
    if (task.spec.keepTranscript === false) {
      this.tasks.delete(task.id);
      return;
    }
    this.retained.set(task.id, bytes);
    this.retainedBytes += bytes;
    const id = task.id; // the timer must not keep the whole task alive
    setTimeout(() => this.forget(id), this.options.retentionMs).unref();
    const maxTasks = this.options.retentionMaxTasks ?? Infinity;
    const maxBytes = this.options.retentionMaxBytes ?? Infinity;
    for (const oldest of this.retained.keys()) {
      if (this.retained.size <= maxTasks && this.retainedBytes <= maxBytes) break;
      this.forget(oldest);
    }
  }

  private forget(taskId: string): void {
    const bytes = this.retained.get(taskId);
    if (bytes === undefined) return;
    this.retained.delete(taskId);
    this.retainedBytes -= bytes;
    this.tasks.delete(taskId);
  }

  /** Finished tasks still queryable (for tests and the memory bound). */
  get retainedCount(): number {
    return this.retained.size;
  }

  private async waitUntil(condition: () => boolean, deadlineMs: number): Promise<boolean> {
    const end = Date.now() + deadlineMs;
    while (!condition()) {
      if (Date.now() >= end) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  }
}

function usageJson(usage: Usage): Record<string, number> {
  const json: Record<string, number> = {};
  if (usage.inputTokens !== undefined) json.input_tokens = usage.inputTokens;
  if (usage.outputTokens !== undefined) json.output_tokens = usage.outputTokens;
  if (usage.totalTokens !== undefined) json.total_tokens = usage.totalTokens;
  if (usage.costUsd !== undefined) json.cost_usd = usage.costUsd;
  return json;
}
