import { createHash } from 'node:crypto';
import type { OrchestratorApi, Placement } from '@switchyard/core';
import type { StateStore } from '@switchyard/store';
import { AdmissionQueue } from './admission-queue.js';
import { httpError } from './http-error.js';
import type { ServerMetrics } from './server-metrics.js';
import { ServerTask, type SseFrame, type TaskJournal, type TaskSpec } from './server-task.js';
import type { ServiceTimeEstimator } from './service-time-estimator.js';
import type { SessionStore } from './session-store.js';
import { errorFrame, jsonReplacer, serializeFrame } from './task-frames.js';
import { assertAdmitting } from './task-queue.js';
import { runTaskSpec } from './task-runner.js';
import type { AdmissionTicket, CancelReason, TaskQueue } from './task-queue.js';

export interface TaskSchedulerOptions {
  readonly orchestrator: OrchestratorApi;
  readonly queue: AdmissionQueue<ServerTask>;
  readonly estimator: ServiceTimeEstimator;
  readonly metrics: ServerMetrics;
  readonly sessions: SessionStore;
  readonly concurrencyFor: (engineKey: string) => number;
  readonly engineKeyFor: (modelRef: string, placement?: Placement) => string;
  /** Durable (or in-memory) task records and frame transcripts; finished tasks are read back from here. */
  readonly state: StateStore;
  readonly now?: () => number;
  /** Called for failures that reach clients as a generic INTERNAL (so they can be logged with the correlation id). */
  readonly onInternalError?: (task: ServerTask, error: unknown) => void;
}

export type { AdmissionTicket, CancelReason } from './task-queue.js';

/**
 * Admission, dispatch and execution of tasks. Tasks wait in the AdmissionQueue until their engine has a free
 * slot, run through the Orchestrator and publish SSE frames on their ServerTask. Cancel is race-free: the
 * terminal frame is written synchronously before the AbortSignal fires, and frames after it are dropped.
 */
export class TaskScheduler implements TaskQueue {
  readonly mode = 'embedded' as const;
  /** Live (queued or running) tasks; finished ones live in the state store only. */
  private readonly tasks = new Map<string, ServerTask>();
  private readonly journal: TaskJournal;
  private readonly running = new Map<string, number>();
  private readonly draining = new Set<string>();
  private admitting = true;
  private dispatching = true;
  private readonly now: () => number;
  /** Queue depths last written to the queue-depth gauge (-1: never). */
  private readonly gaugedDepth = { interactive: -1, batch: -1 };
  // Built once, not per task: what every run reads from the scheduler.
  private readonly queueSize = () => this.options.queue.size;
  private readonly observeStage = (stage: string, ms: number) => this.options.metrics.observeStage(stage, ms);
  private readonly hasFreeSlot = (task: ServerTask) => this.runningCount(task.engineKey) < this.options.concurrencyFor(task.engineKey);

  constructor(private readonly options: TaskSchedulerOptions) {
    this.now = options.now ?? Date.now;
    const { state } = options;
    this.journal = {
      frame: (task, seq, frame) => state.appendFrame(task.id, seq, frame.event, JSON.stringify(frame.data, jsonReplacer)),
      finish: (task, seq, frame) => {
        // The terminal state commits before any listener sees the last frame. The transcript is not stored twice:
        // its id (sha256 of the SSE text) goes on the task; GET /v2/artifacts/<id> renders it from the frames.
        task.transcriptArtifact = createHash('sha256').update(task.frames.map(serializeFrame).join('')).digest('hex');
        const error = frame.event === 'error' ? (frame.data as { code?: string; message?: string }) : undefined;
        state.finish(task.id, task.state as 'completed' | 'failed' | 'canceled', task.finishedAt ?? this.now(), { seq, event: frame.event, data: JSON.stringify(frame.data, jsonReplacer) }, error ? { code: String(error.code), message: String(error.message ?? '') } : undefined, task.transcriptArtifact);
      },
    };
  }

  /**
   * After a restart: queued tasks are queued again in their priority order; tasks that were running are failed
   * with WORKER_RESET, or (idempotent ones, first attempt) announced with a `retry` frame and queued again.
   */
  recover(): { requeued: number; retried: number; reset: number } {
    const { state } = this.options;
    const counts = { requeued: 0, retried: 0, reset: 0 };
    for (const stored of state.openTasks()) {
      const spec = stored.spec as TaskSpec | undefined;
      if (!spec) continue;
      const frames = state.frames(stored.id).map((frame) => ({ event: frame.event, data: JSON.parse(frame.data) }) as SseFrame);
      const task = ServerTask.restore(spec, stored.engineKey, { state: 'queued', enqueuedAt: stored.enqueuedAt, frames });
      task.journal = this.journal;
      task.attempt = stored.attempts + 1;
      task.tokensDelivered = frames.filter((frame) => frame.event === 'token').length;
      this.tasks.set(task.id, task);
      if (stored.state === 'running') {
        const reset = httpError('WORKER_RESET', `The server restarted while task '${task.id}' was running (attempt ${stored.attempts})`, { retriable: true, details: { attempt: stored.attempts } });
        if (!stored.idempotent || stored.attempts >= 2) {
          task.state = 'running';
          task.finish('failed', errorFrame(reset), this.now());
          this.options.metrics.tasksFinished.inc({ outcome: 'failed' });
          this.afterTerminal(task);
          counts.reset += 1;
          continue;
        }
        state.requeue(task.id, this.now(), { code: 'WORKER_RESET', message: reset.message });
        task.emit({ event: 'retry', data: { attempt: task.attempt, code: 'WORKER_RESET', tokens_delivered: task.tokensDelivered } });
        this.options.metrics.tasksRequeued.inc({ reason: 'restart' });
        counts.retried += 1;
      } else counts.requeued += 1;
      this.options.queue.offer(task, spec.priority, { force: true });
    }
    this.pump();
    return counts;
  }

  get accepting(): boolean {
    return this.admitting;
  }

  lookup(taskId: string): ServerTask | undefined {
    return this.get(taskId);
  }

  /** A live task, or a finished one read back from the state store. */
  get(taskId: string): ServerTask | undefined {
    const live = this.tasks.get(taskId);
    if (live) return live;
    const { state } = this.options;
    const stored = state.getTask(taskId, true);
    if (!stored || !stored.spec) return undefined;
    const frames = state.frames(taskId).map((frame) => ({ event: frame.event, data: JSON.parse(frame.data) }) as SseFrame);
    return ServerTask.restore(stored.spec as TaskSpec, stored.engineKey, {
      state: stored.state,
      enqueuedAt: stored.enqueuedAt,
      ...(stored.startedAt !== undefined ? { startedAt: stored.startedAt } : {}),
      ...(stored.finishedAt !== undefined ? { finishedAt: stored.finishedAt } : {}),
      ...(stored.transcriptArtifact !== undefined ? { transcriptArtifact: stored.transcriptArtifact } : {}),
      frames,
    });
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
    const engineKey = this.options.engineKeyFor(spec.modelRef, spec.placement);
    assertAdmitting(this, engineKey);
    if (this.tasks.has(spec.taskId) || (spec.keepTranscript !== false && this.options.state.has(spec.taskId))) throw httpError('INVALID_PARAMS', `task_id '${spec.taskId}' is already in use`, { details: { field: 'task_id' } });
    const concurrency = this.options.concurrencyFor(engineKey);
    const ahead = this.countAhead(engineKey, spec.priority === 'interactive' ? 'interactive' : 'all');
    const running = this.runningCount(engineKey);
    const predictedStartMs = ahead + running < concurrency ? 0 : estimator.predictStartMs(engineKey, ahead, running, concurrency, this.occupantServiceMs(engineKey));
    if (spec.deadlineMs !== undefined) {
      const serviceMs = estimator.measured(engineKey, spec.modelRef) ? estimator.estimate(engineKey, spec.modelRef) : 0;
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
    // Admission and, when a slot is free, the start of the run commit as one transaction (one commit per task
    // instead of two); the engine is called only after it. A task that is not kept (the OpenAI face) writes
    // nothing at admission, so it opens no transaction.
    if (spec.keepTranscript === false) return this.admit(task, spec);
    return this.options.state.batch(() => this.admit(task, spec));
  }

  private admit(task: ServerTask, spec: TaskSpec): AdmissionTicket {
    const { queue, estimator, metrics } = this.options;
    const engineKey = task.engineKey;
    const outcome = queue.offer(task, spec.priority);
    if (!outcome.admitted) {
      metrics.tasksRejected.inc({ reason: 'queue-full' });
      const backoffMs = Math.max(1000, Math.round(estimator.estimate(engineKey, spec.modelRef)));
      throw httpError('ADMISSION_REJECT', `The ${spec.priority} queue is full (policy reject)`, {
        retriable: true,
        retryAfterMs: backoffMs,
        details: { policy_label: 'reject', engine: engineKey },
      });
    }
    if (spec.keepTranscript !== false) {
      // Durable from here: a restart runs it (OpenAI-face tasks die with their HTTP request and are not stored).
      try {
        this.options.state.admit({ id: task.id, kind: 'task', priority: spec.priority, engineKey, idempotent: spec.idempotent === true, spec, at: task.enqueuedAt });
      } catch (error) {
        queue.remove(task);
        throw error;
      }
      task.journal = this.journal;
    }
    this.tasks.set(task.id, task);
    metrics.tasksEnqueued.at(spec.priority).value += 1;
    if (outcome.dropped) this.dropForSpace(outcome.dropped);
    this.pump();
    const { queuePosition, predictedStartMs } = this.position(task);
    return { task, queuePosition, predictedStartMs };
  }

  /** Current queue position (0 when running) and predicted start for a task. */
  position(task: ServerTask): { queuePosition: number; predictedStartMs: number } {
    const { queue } = this.options;
    const queuePosition = queue.positionOf(task);
    if (queuePosition < 0) return { queuePosition: 0, predictedStartMs: 0 };
    const ahead = sameEngineAhead(task.engineKey, [queue.items('interactive'), queue.items('batch')], task);
    const running = this.runningCount(task.engineKey);
    const concurrency = this.options.concurrencyFor(task.engineKey);
    const predictedStartMs = ahead + running < concurrency ? 0 : this.options.estimator.predictStartMs(task.engineKey, ahead, running, concurrency, this.occupantServiceMs(task.engineKey, task));
    return { queuePosition, predictedStartMs };
  }

  cancel(taskId: string, reason: CancelReason): boolean {
    const task = this.tasks.get(taskId);
    if (!task || task.terminal) return false;
    const wasQueued = this.options.queue.remove(task);
    const frame = errorFrame(httpError('ABORTED', `Task canceled (${reason})`));
    task.finish('canceled', frame, this.now());
    task.cancellation.cancel(new Error(`canceled: ${reason}`));
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
    if (this.options.state.durable) {
      // Durable: queued tasks stay queued in the store and run after the next start; only running work is waited for.
      this.dispatching = false;
      const idle = await this.waitUntil(() => this.runningCount() === 0, deadlineMs);
      let canceled = 0;
      if (!idle) for (const task of [...this.tasks.values()]) if (task.state === 'running' && this.cancel(task.id, 'shutdown')) canceled += 1;
      return { canceled };
    }
    const idle = await this.waitUntil(() => this.runningCount() === 0 && this.options.queue.size === 0, deadlineMs);
    let canceled = 0;
    if (!idle) for (const task of [...this.tasks.values()]) if (this.cancel(task.id, 'shutdown')) canceled += 1;
    return { canceled };
  }

  /**
   * Mean per-model service estimate of the tasks occupying an engine (running, and queued ahead of `before` when
   * given, else all queued): the length of one wave in the ETA. A model never measured counts as its engine's average.
   */
  private occupantServiceMs(engineKey: string, before?: ServerTask): number {
    const { estimator } = this.options;
    let total = 0;
    let count = 0;
    for (const task of this.tasks.values()) {
      if (task.state === 'running' && task.engineKey === engineKey) {
        total += estimator.estimate(engineKey, task.spec.modelRef);
        count += 1;
      }
    }
    for (const task of this.options.queue.ordered()) {
      if (task === before) break;
      if (task.engineKey !== engineKey) continue;
      total += estimator.estimate(engineKey, task.spec.modelRef);
      count += 1;
    }
    return count === 0 ? estimator.estimate(engineKey) : total / count;
  }

  private countAhead(engineKey: string, scope: 'interactive' | 'all'): number {
    const { queue } = this.options;
    return sameEngineAhead(engineKey, scope === 'all' ? [queue.items('interactive'), queue.items('batch')] : [queue.items('interactive')]);
  }

  private dropForSpace(dropped: ServerTask): void {
    const error = httpError('QUEUE_FULL_DROP_LRU', `Task dropped from the full ${dropped.spec.priority} queue to admit a newer task (policy drop-lru)`, {
      retriable: true,
      retryAfterMs: Math.max(1000, Math.round(this.options.estimator.estimate(dropped.engineKey, dropped.spec.modelRef))),
      details: { policy_label: 'drop-lru' },
    });
    dropped.finish('failed', errorFrame(error), this.now());
    this.options.metrics.tasksRejected.inc({ reason: 'drop-lru' });
    this.afterTerminal(dropped);
  }

  private pump(): void {
    for (;;) {
      if (!this.dispatching) break;
      const next = this.options.queue.takeFirst(this.hasFreeSlot);
      if (!next) break;
      this.running.set(next.engineKey, this.runningCount(next.engineKey) + 1);
      // queued -> running is committed before the engine is called, so a crash after this never reruns silently.
      const startedAt = this.now();
      if (next.journal) this.options.state.markRunning(next.id, startedAt);
      next.state = 'running';
      next.startedAt = startedAt;
      this.options.state.whenCommitted(() => void this.execute(next));
    }
    this.updateQueueGauge();
  }

  /** The gauge is set when a depth changed (twice per task otherwise: each set hashes its label object). */
  private updateQueueGauge(): void {
    const { metrics, queue } = this.options;
    const interactive = queue.depth('interactive');
    const batch = queue.depth('batch');
    if (interactive !== this.gaugedDepth.interactive) metrics.queueDepth.set({ priority: 'interactive' }, (this.gaugedDepth.interactive = interactive));
    if (batch !== this.gaugedDepth.batch) metrics.queueDepth.set({ priority: 'batch' }, (this.gaugedDepth.batch = batch));
  }

  private async execute(task: ServerTask): Promise<void> {
    const { metrics, orchestrator } = this.options;
    const startedAt = task.startedAt ?? this.now();
    if (task.terminal) {
      // Canceled between the start's commit and this call (same tick): nothing to run.
      this.running.set(task.engineKey, Math.max(0, this.runningCount(task.engineKey) - 1));
      this.pump();
      return;
    }
    const queueMs = startedAt - task.enqueuedAt;
    metrics.tasksStarted.at(task.engineKey).value += 1;
    metrics.observeStage('queue', queueMs);
    try {
      const outcome = await runTaskSpec(orchestrator, task.spec, {
        signal: task.cancellation,
        queueMs,
        skipTokens: task.tokensDelivered,
        engineKey: task.engineKey,
        queueDepth: this.queueSize,
        emit: (frame) => task.emit(frame),
        isEnded: () => task.terminal,
        observeStage: this.observeStage,
        now: this.now,
        metrics: metrics.gateway,
      });
      if (!outcome || task.terminal) return;
      if (outcome.state === 'completed') {
        task.finish('completed', outcome.frame, this.now());
        this.options.estimator.record(task.engineKey, outcome.decodeMs, task.spec.modelRef);
        metrics.observeStage('total', this.now() - task.enqueuedAt);
        if (task.spec.sessionId !== undefined) this.options.sessions.addTokens(task.spec.sessionId, (outcome.usage.inputTokens ?? 0) + outcome.tokensOut);
        metrics.tasksFinished.at('completed').value += 1;
      } else {
        if (outcome.error?.code === 'INTERNAL') this.options.onInternalError?.(task, outcome.cause);
        metrics.engineErrors.inc({ engine: outcome.engine, code: outcome.error?.code ?? 'INTERNAL' });
        metrics.tasksFinished.inc({ outcome: 'failed' });
        task.finish('failed', outcome.frame, this.now());
      }
    } finally {
      this.running.set(task.engineKey, Math.max(0, this.runningCount(task.engineKey) - 1));
      this.afterTerminal(task);
      this.pump();
    }
  }

  /**
   * Forgets a finished task in memory: its record and transcript (frames + content-addressed artifact) are in
   * the state store (committed by the journal) and stay queryable there until retention deletes them.
   * OpenAI-face tasks are not addressable afterwards.
   */
  private afterTerminal(task: ServerTask): void {
    if (!task.terminal || task.forgetScheduled) return;
    task.forgetScheduled = true;
    this.tasks.delete(task.id);
  }

  /** Finished tasks still queryable, i.e. kept by the state store within server.retention (tests, memory bound). */
  get retainedCount(): number {
    return this.options.state.finishedCount;
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

/** Tasks of `engineKey` queued in front of `before` (all of them without it), in service order over `queues`. */
function sameEngineAhead(engineKey: string, queues: readonly (readonly ServerTask[])[], before?: ServerTask): number {
  let ahead = 0;
  for (const tasks of queues) {
    for (const task of tasks) {
      if (task === before) return ahead;
      if (task.engineKey === engineKey) ahead += 1;
    }
  }
  return ahead;
}
