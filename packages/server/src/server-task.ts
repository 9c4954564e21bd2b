import { Cancellation, type EngineInput, type GenerationParameters, type Placement, type Workload } from '@switchyard/core';
import type { Priority } from './admission-queue.js';

export type TaskState = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';

export interface SseFrame {
  readonly event: 'started' | 'token' | 'delta' | 'tool-call-start' | 'tool-call-delta' | 'tool-call-end' | 'dropped' | 'metrics' | 'retry' | 'end' | 'error';
  readonly data: Record<string, unknown>;
}

/** What the HTTP layer hands the scheduler after validation. */
export interface TaskSpec {
  readonly taskId: string;
  readonly sessionId?: string;
  readonly workload: Workload;
  readonly modelRef: string;
  readonly priority: Priority;
  readonly input: EngineInput;
  readonly parameters?: GenerationParameters;
  readonly placement?: Placement;
  /** Relative budget from admission, in ms. */
  readonly deadlineMs?: number;
  readonly correlationId?: string;
  /** The HTTP route that admitted the task (the `route` label of the gateway metrics); default `tasks`. */
  readonly route?: string;
  /** The client's W3C trace context: the task's spans join that trace and cloud engines forward it upstream. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Stream tokens (completion) or run once and emit one `delta`. */
  readonly stream: boolean;
  /** Drop parameters the serving engine does not honour instead of failing (`drop_params`). */
  readonly dropUnsupportedParameters?: boolean;
  /** Store the SSE transcript as an artifact when the task ends (task API: yes; OpenAI face: no). */
  readonly keepTranscript?: boolean;
  /**
   * Safe to run again after a worker reset (a restart or a worker crash while it ran): retried once instead of
   * failing with WORKER_RESET. Default false (at-most-once).
   */
  readonly idempotent?: boolean;
}

/** Persists frames as they are produced (batched) and the terminal frame synchronously, before anyone sees it. */
export interface TaskJournal {
  frame(task: ServerTask, seq: number, frame: SseFrame): void;
  finish(task: ServerTask, seq: number, frame: SseFrame): void;
}

export type FrameListener = (frame: SseFrame) => void;

/** One admitted task: its state, the frames it produced (replayed to late SSE subscribers) and its abort handle. */
export class ServerTask {
  state: TaskState = 'queued';
  readonly frames: SseFrame[] = [];
  /** Cancels the run (DELETE, client gone, drain, shutdown); it makes an AbortSignal only if the engine needs one. */
  readonly cancellation = new Cancellation();
  readonly enqueuedAt: number;
  startedAt?: number;
  finishedAt?: number;
  transcriptArtifact?: string;
  forgetScheduled = false;
  /** 1 for the first run; a retry after WORKER_RESET is attempt 2. */
  attempt = 1;
  /** Token frames already delivered by earlier attempts (a retry skips that many, so none is repeated). */
  tokensDelivered = 0;
  journal: TaskJournal | undefined;
  private readonly listeners = new Set<FrameListener>();

  constructor(
    readonly spec: TaskSpec,
    readonly engineKey: string,
    now: number,
  ) {
    this.enqueuedAt = now;
  }

  /** A task read back from the state store (terminal or recovered), with its frames so far. */
  static restore(spec: TaskSpec, engineKey: string, fields: { state: TaskState; enqueuedAt: number; startedAt?: number; finishedAt?: number; transcriptArtifact?: string; frames: SseFrame[] }): ServerTask {
    const task = new ServerTask(spec, engineKey, fields.enqueuedAt);
    task.state = fields.state;
    task.frames.push(...fields.frames);
    if (fields.startedAt !== undefined) task.startedAt = fields.startedAt;
    if (fields.finishedAt !== undefined) task.finishedAt = fields.finishedAt;
    if (fields.transcriptArtifact !== undefined) task.transcriptArtifact = fields.transcriptArtifact;
    task.forgetScheduled = task.terminal;
    return task;
  }

  get id(): string {
    return this.spec.taskId;
  }

  get terminal(): boolean {
    return this.state === 'completed' || this.state === 'failed' || this.state === 'canceled';
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Appends a frame unless the task already ended; returns false when dropped (race-free cancel relies on this). */
  emit(frame: SseFrame): boolean {
    if (this.terminal) return false;
    this.frames.push(frame);
    this.journal?.frame(this, this.frames.length - 1, frame);
    for (const listener of this.listeners) listener(frame);
    return true;
  }

  /** Moves to a terminal state with its final frame, exactly once. */
  finish(state: 'completed' | 'failed' | 'canceled', frame: SseFrame, now: number): boolean {
    if (this.terminal) return false;
    this.frames.push(frame);
    this.state = state;
    this.finishedAt = now;
    this.journal?.finish(this, this.frames.length - 1, frame);
    for (const listener of this.listeners) listener(frame);
    this.listeners.clear();
    return true;
  }

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
