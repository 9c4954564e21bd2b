import { httpError } from './http-error.js';
import type { ServerTask, TaskSpec } from './server-task.js';
import type { Sessions } from './session-store.js';

export interface AdmissionTicket {
  readonly task: ServerTask;
  readonly queuePosition: number;
  readonly predictedStartMs: number;
}

export type CancelReason = 'client' | 'disconnect' | 'shutdown' | 'drain' | 'session';

/** A worker process of the distributed mode, as it advertises itself in Redis. */
export interface WorkerInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly engines: readonly string[];
  readonly models: Readonly<Record<string, readonly string[]>>;
  readonly targets: readonly string[];
  readonly concurrency: Readonly<Record<string, number>>;
  readonly in_flight: number;
  readonly draining: boolean;
  readonly heartbeat_at: number;
}

/** Cluster-wide figures of the distributed mode (/metrics, /v2/pools). */
export interface ClusterStats {
  readonly workers: number;
  readonly inFlight: number;
  readonly queueDepth: { readonly interactive: number; readonly batch: number };
  readonly stalled: number;
  readonly requeued: number;
}

/**
 * Where admitted tasks wait and run. Two implementations with one contract (test/task-queue-contract.ts):
 * the embedded `TaskScheduler` (this process, durable through the state store) and the Redis one in
 * `@switchyard/queue-bullmq` (BullMQ queues, frames on Redis Streams, separate worker processes). Each returned
 * ServerTask is live: frames arrive on it as they are produced, wherever the task runs.
 */
export interface TaskQueue {
  readonly mode: 'embedded' | 'redis';
  readonly accepting: boolean;
  submit(spec: TaskSpec): AdmissionTicket | Promise<AdmissionTicket>;
  /** A task admitted anywhere (any API node), with its frames so far; undefined when unknown or expired. */
  lookup(taskId: string): ServerTask | undefined | Promise<ServerTask | undefined>;
  position(task: ServerTask): { queuePosition: number; predictedStartMs: number };
  /** Race-free: the terminal `error` frame (ABORTED) is written before the engine is aborted. */
  cancel(taskId: string, reason: CancelReason): boolean | Promise<boolean>;
  cancelSession(sessionId: string): number | Promise<number>;
  runningCount(engineKey?: string): number;
  queuedCount(engineKey?: string): number;
  isDraining(engineKey: string): boolean;
  drain(engineKey: string, deadlineMs: number): Promise<{ canceled: number }>;
  resume(engineKey: string): void;
  shutdown(deadlineMs: number): Promise<{ canceled: number }>;
  /** Embedded: finished tasks still queryable (kept by the state store within server.retention). */
  readonly retainedCount?: number;
  /** Distributed mode: the live workers and cluster figures; drain one worker by id. */
  workers?(): Promise<WorkerInfo[]>;
  clusterStats?(): Promise<ClusterStats>;
  drainWorker?(workerId: string): Promise<boolean>;
  /** Distributed mode: sessions kept in Redis, so every API node counts the same turns and tokens. */
  readonly sessions?: Sessions;
}

/**
 * POOL_UNAVAILABLE (retriable) while the queue shuts down or the pool `engineKey` drains: the gate of every request
 * that reaches an engine, queued (submit, on either queue) or not (count_tokens).
 */
export function assertAdmitting(queue: { readonly accepting: boolean; isDraining(engineKey: string): boolean }, engineKey: string): void {
  if (!queue.accepting) throw httpError('POOL_UNAVAILABLE', 'The server is shutting down and admits no new tasks', { retriable: true, retryAfterMs: 1000 });
  if (queue.isDraining(engineKey)) throw httpError('POOL_UNAVAILABLE', `Pool '${engineKey}' is draining`, { retriable: true, retryAfterMs: 1000, details: { engine: engineKey } });
}
