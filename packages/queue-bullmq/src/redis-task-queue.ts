import { serialize, deserialize } from 'node:v8';
import { Queue } from 'bullmq';
import { SwitchyardError } from '@switchyard/core';
import {
  ServerTask,
  assertAdmitting,
  errorFrame,
  httpError,
  jsonReplacer,
  type AdmissionTicket,
  type CancelReason,
  type ClusterStats,
  type RedisTaskQueueOptions,
  type SseFrame,
  type TaskQueue,
  type TaskSpec,
  type WorkerInfo,
} from '@switchyard/server';
import { FEED_WINDOW_MS, RedisKeys, TERMINAL, bullConnection, connectRedis, type FrameLogRedis, redisUnreachableError } from './frame-log.js';
import { RedisSessions } from './redis-sessions.js';
import type { WorkerJobData } from './task-worker.js';

const PRIORITY = { interactive: 1, batch: 2 } as const;

/**
 * The distributed TaskQueue of an API node: admission on one BullMQ queue per engine key (interactive jobs at
 * BullMQ priority 1, batch at 2), capacities counted in Redis, frames read from each task's Redis Stream. Any API
 * node can serve any task: ServerTasks here are mirrors fed by one blocking stream reader.
 */
export class RedisTaskQueue implements TaskQueue {
  readonly mode = 'redis' as const;
  private readonly keys: RedisKeys;
  /** Sessions in Redis: the same turns and tokens on every API node. */
  readonly sessions: RedisSessions;
  private readonly redis: FrameLogRedis;
  private readonly reader: FrameLogRedis;
  private readonly queues = new Map<string, Queue<WorkerJobData>>();
  /** Mirrors of tasks someone on this node is following (or that were admitted here), until they end. */
  private readonly live = new Map<string, ServerTask>();
  private readonly draining = new Set<string>();
  private admitting = true;
  /** Last feed entry this node has read. */
  private feedId = '0-0';
  private lagging = false;
  private closed = false;
  private snapshot: ClusterStats & { serviceMs: Record<string, number>; modelServiceMs: Record<string, Record<string, number>>; capacity: number } = {
    workers: 0,
    inFlight: 0,
    queueDepth: { interactive: 0, batch: 0 },
    stalled: 0,
    requeued: 0,
    serviceMs: {},
    modelServiceMs: {},
    capacity: 1,
  };
  private refresher: NodeJS.Timeout | undefined;
  private lastRedisError: Error | undefined;

  constructor(private readonly options: RedisTaskQueueOptions) {
    this.keys = new RedisKeys(options.queue.prefix ?? 'switchyard');
    // The last connection error: a failed start names it (ECONNREFUSED...), not ioredis' retry-limit message.
    const onError = (error: Error) => {
      this.lastRedisError = error;
    };
    this.redis = connectRedis(options.queue.redis, { name: 'sy-api', failFast: true, autoPipeline: true, onError });
    this.reader = connectRedis(options.queue.redis, { name: 'sy-api-reader', onError });
    this.sessions = new RedisSessions(this.redis, this.keys, options.sessions);
  }

  async start(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (error) {
      // Nothing is running yet: stop reconnecting, and say which address and what to do in one line.
      this.redis.disconnect();
      this.reader.disconnect();
      throw redisUnreachableError(this.options.queue.redis, this.lastRedisError ?? error);
    }
    // Read the feed from its current end: tasks admitted here join before their first frame exists.
    const last = await this.redis.xrevrange(this.keys.feed, '+', '-', 'COUNT', 1);
    this.feedId = last[0]?.[0] ?? '0-0';
    this.reader.on('reconnecting', () => (this.lagging = true));
    this.readFeed();
    await this.refresh();
    this.refresher = setInterval(() => void this.refresh().catch(() => undefined), 250);
    this.refresher.unref();
    this.options.metrics.attachCluster(() => this.clusterStats());
  }

  get accepting(): boolean {
    return this.admitting;
  }

  private queue(engineKey: string): Queue<WorkerJobData> {
    let queue = this.queues.get(engineKey);
    if (!queue) {
      queue = new Queue<WorkerJobData>(this.keys.queue(engineKey), { connection: bullConnection(this.options.queue.redis) });
      this.queues.set(engineKey, queue);
    }
    return queue;
  }

  async submit(spec: TaskSpec): Promise<AdmissionTicket> {
    try {
      return await this.admit(spec);
    } catch (error) {
      if (SwitchyardError.isInstance(error)) throw error;
      throw httpError('POOL_UNAVAILABLE', `The task queue (Redis) is unavailable: ${(error as Error).message}`, { retriable: true, retryAfterMs: 1000 });
    }
  }

  private async admit(spec: TaskSpec): Promise<AdmissionTicket> {
    const { admission, metrics } = this.options;
    const engineKey = this.options.engineKeyFor(spec.modelRef, spec.placement);
    assertAdmitting(this, engineKey);
    const predictedStartMs = this.predictStart(engineKey, spec.priority, spec.modelRef);
    if (spec.deadlineMs !== undefined) {
      const serviceMs = this.serviceMsOf(engineKey, spec.modelRef) ?? 0;
      if (predictedStartMs + serviceMs > spec.deadlineMs) {
        metrics.tasksRejected.inc({ reason: 'deadline' });
        throw httpError('DEADLINE_UNMET', `deadline_ms ${spec.deadlineMs} cannot be met: predicted start in ${predictedStartMs} ms plus ~${Math.round(serviceMs)} ms service time`, {
          details: { field: 'deadline_ms', expected: `>= ${Math.ceil(predictedStartMs + serviceMs)}`, found: spec.deadlineMs },
        });
      }
    }
    if (spec.sessionId !== undefined) {
      const { exhausted } = await this.sessions.touch(spec.sessionId, this.options.now());
      if (exhausted) {
        metrics.tasksRejected.inc({ reason: `session-${exhausted}` });
        throw httpError('ADMISSION_REJECT', `Session '${spec.sessionId}' has used its ${exhausted === 'turns' ? 'turn limit' : 'token budget'}; start a new session`, {
          details: { policy_label: `session-${exhausted}`, field: 'session_id' },
        });
      }
    }
    const capacity = spec.priority === 'interactive' ? admission.interactiveCapacity : admission.batchCapacity;
    const now = this.options.now();
    const specB64 = Buffer.from(serialize(spec)).toString('base64');
    const admit = () =>
      this.redis.syAdmit(this.keys.depth(spec.priority), this.keys.task(spec.taskId), String(capacity), String(this.options.retentionMs + 24 * 3_600_000),
        'engine_key', engineKey, 'priority', spec.priority, 'idempotent', spec.idempotent ? '1' : '0', 'enqueued_at', String(now), 'seq', '0', 'tokens', '0', 'attempts', '0', 'spec', specB64);
    let depth = await admit();
    if (depth === 0 && admission.policy === 'drop-lru' && (await this.dropOldest(engineKey))) depth = await admit();
    if (depth === -1) throw httpError('INVALID_PARAMS', `task_id '${spec.taskId}' is already in use`, { details: { field: 'task_id' } });
    if (depth === 0) {
      metrics.tasksRejected.inc({ reason: 'queue-full' });
      throw httpError('ADMISSION_REJECT', `The ${spec.priority} queue is full (policy ${admission.policy})`, {
        retriable: true,
        retryAfterMs: Math.max(1000, Math.round(this.serviceMsOf(engineKey, spec.modelRef) ?? 1000)),
        details: { policy_label: admission.policy, engine: engineKey },
      });
    }
    const task = new ServerTask(spec, engineKey, now);
    this.live.set(task.id, task);
    if (spec.sessionId !== undefined) await this.sessions.addTask(spec.sessionId, spec.taskId);
    try {
      await this.queue(engineKey).add('task', { taskId: spec.taskId, spec: specB64 }, { jobId: spec.taskId, priority: PRIORITY[spec.priority], removeOnComplete: true, removeOnFail: 1000 });
    } catch (error) {
      await this.finishRemote(task.id, errorFrame(httpError('POOL_UNAVAILABLE', `Redis refused the job: ${(error as Error).message}`, { retriable: true, retryAfterMs: 1000 })), 'failed');
    }
    metrics.tasksEnqueued.inc({ priority: spec.priority });
    return { task, queuePosition: Math.max(0, depth - 1), predictedStartMs };
  }

  async lookup(taskId: string): Promise<ServerTask | undefined> {
    const live = this.live.get(taskId);
    if (live) {
      // A running task shows no frame until its engine emits one: take the state the worker's claim wrote.
      if (live.state === 'queued' && (await this.redis.hget(this.keys.task(taskId), 'state')) === 'running' && live.state === 'queued') live.state = 'running';
      return live;
    }
    // One round trip: the hash is read before the stream, so a terminal state comes with its terminal frame.
    const [meta, entries] = await Promise.all([this.redis.hgetall(this.keys.task(taskId)), this.redis.xrange(this.keys.frames(taskId), '-', '+')]);
    if (!meta.state || !meta.spec) return undefined;
    const spec = deserialize(Buffer.from(meta.spec, 'base64')) as TaskSpec;
    const frames = entries.map(([, fields]) => toFrame(fields));
    const terminal = TERMINAL.has(meta.state);
    const task = ServerTask.restore(spec, meta.engine_key ?? '', {
      state: terminal ? (meta.state as 'completed') : meta.state === 'running' ? 'running' : 'queued',
      enqueuedAt: Number(meta.enqueued_at ?? 0),
      ...(meta.finished_at ? { finishedAt: Number(meta.finished_at) } : {}),
      frames: terminal ? frames : [],
    });
    if (!terminal) {
      // Feed the mirror through emit/finish (as the feed reader will), so followers attached now see every later frame.
      if (this.live.has(taskId)) return this.live.get(taskId);
      this.live.set(taskId, task);
      for (const [id, fields] of entries) this.apply(task, id, fields);
      // Frames appended between the XRANGE and joining `live` passed the feed reader unseen: read them once more
      // (applied in seq order whenever they come, so nobody waits for it).
      void this.catchUp(task).catch(() => undefined);
    }
    return task;
  }

  position(task: ServerTask): { queuePosition: number; predictedStartMs: number } {
    if (task.state !== 'queued') return { queuePosition: 0, predictedStartMs: 0 };
    const depth = task.spec.priority === 'interactive' ? this.snapshot.queueDepth.interactive : this.snapshot.queueDepth.interactive + this.snapshot.queueDepth.batch;
    return { queuePosition: Math.max(0, depth - 1), predictedStartMs: this.predictStart(task.engineKey, task.spec.priority, task.spec.modelRef) };
  }

  async cancel(taskId: string, reason: CancelReason): Promise<boolean> {
    const [before, engineKeyField, priorityField] = await this.redis.hmget(this.keys.task(taskId), 'state', 'engine_key', 'priority');
    const engineKey = engineKeyField ?? '';
    const priority = (priorityField ?? 'batch') as 'interactive' | 'batch';
    if (!before || TERMINAL.has(before)) return false;
    // The terminal frame goes first, then the worker running the task is told (any node's cancel reaches it): in
    // that order on one connection, in one round trip. A refused frame (it ended meanwhile) stops nothing real.
    const [seq] = await Promise.all([this.finishRemote(taskId, errorFrame(httpError('ABORTED', `Task canceled (${reason})`)), 'canceled'), this.redis.publish(this.keys.cancelChannel, taskId)]);
    if (seq < 0) return false;
    if (before === 'queued') {
      const removed = await this.queue(engineKey).remove(taskId).catch(() => 0);
      if (removed === 1) await this.redis.decr(this.keys.depth(priority));
    }
    this.options.metrics.tasksCanceled.inc({ reason });
    const live = this.live.get(taskId);
    if (live) await this.catchUp(live);
    return true;
  }

  /** Cancels the session's tasks admitted on any API node. */
  async cancelSession(sessionId: string): Promise<number> {
    let canceled = 0;
    for (const taskId of await this.sessions.tasks(sessionId)) if (await this.cancel(taskId, 'session')) canceled += 1;
    return canceled;
  }

  runningCount(): number {
    return this.snapshot.inFlight;
  }

  queuedCount(): number {
    return this.snapshot.queueDepth.interactive + this.snapshot.queueDepth.batch;
  }

  isDraining(engineKey: string): boolean {
    return this.draining.has(engineKey);
  }

  /** Stops this node admitting for an engine (workers keep serving other nodes); drain workers with drainWorker. */
  async drain(engineKey: string): Promise<{ canceled: number }> {
    this.draining.add(engineKey);
    return { canceled: 0 };
  }

  resume(engineKey: string): void {
    this.draining.delete(engineKey);
  }

  /** Stops admitting, waits for the tasks followed here until the deadline, then detaches: the work goes on on the workers. */
  async shutdown(deadlineMs: number): Promise<{ canceled: number }> {
    this.admitting = false;
    const end = Date.now() + deadlineMs;
    while (this.live.size > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
    this.closed = true;
    if (this.refresher) clearInterval(this.refresher);
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.reader.disconnect();
    await this.redis.quit().catch(() => undefined);
    return { canceled: 0 };
  }

  async workers(): Promise<WorkerInfo[]> {
    const now = Date.now();
    const ids = await this.redis.zrangebyscore(this.keys.workers, now, '+inf');
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    return values.filter((value): value is string => value !== null).map((value) => JSON.parse(value) as WorkerInfo);
  }

  async clusterStats(): Promise<ClusterStats> {
    const workers = await this.workers();
    const [interactive, batch, stats] = await Promise.all([this.redis.get(this.keys.depth('interactive')), this.redis.get(this.keys.depth('batch')), this.redis.hgetall(this.keys.stats)]);
    return {
      workers: workers.length,
      inFlight: workers.reduce((sum, worker) => sum + worker.in_flight, 0),
      queueDepth: { interactive: Math.max(0, Number(interactive ?? 0)), batch: Math.max(0, Number(batch ?? 0)) },
      stalled: Number(stats.stalled ?? 0),
      requeued: Number(stats.requeued ?? 0),
    };
  }

  async drainWorker(workerId: string): Promise<boolean> {
    const exists = (await this.redis.zscore(this.keys.workers, workerId)) !== null;
    if (exists) await this.redis.publish(this.keys.drainChannel, workerId);
    return exists;
  }

  /** The model's measured service time on the workers, else its engine's; undefined while neither was measured. */
  private serviceMsOf(engineKey: string, modelRef: string): number | undefined {
    return this.snapshot.modelServiceMs[engineKey]?.[modelRef] ?? this.snapshot.serviceMs[engineKey];
  }

  private predictStart(engineKey: string, priority: 'interactive' | 'batch', modelRef: string): number {
    const ahead = priority === 'interactive' ? this.snapshot.queueDepth.interactive : this.snapshot.queueDepth.interactive + this.snapshot.queueDepth.batch;
    const serviceMs = this.serviceMsOf(engineKey, modelRef) ?? this.options.admission.initialServiceMs;
    const slots = Math.max(1, this.snapshot.capacity);
    const busy = this.snapshot.inFlight >= slots ? 1 : 0;
    return Math.round(Math.floor(ahead / slots + busy) * serviceMs);
  }

  private async refresh(): Promise<void> {
    if (this.closed) return;
    const stats = await this.clusterStats();
    const workers = await this.workers();
    const capacity = workers.reduce((sum, worker) => sum + Object.values(worker.concurrency).reduce((a, b) => a + b, 0), 0);
    const engines = new Set(workers.flatMap((worker) => worker.engines));
    const serviceMs: Record<string, number> = {};
    const modelServiceMs: Record<string, Record<string, number>> = {};
    for (const engine of engines) {
      const fields = await this.redis.hgetall(this.keys.service(engine));
      if (fields.ewma_ms !== undefined) serviceMs[engine] = Number(fields.ewma_ms);
      const models: Record<string, number> = {};
      for (const [field, value] of Object.entries(fields)) if (field.startsWith('model:')) models[field.slice('model:'.length)] = Number(value);
      modelServiceMs[engine] = models;
    }
    this.snapshot = { ...stats, serviceMs, modelServiceMs, capacity };
  }

  /** Drop-lru: removes the oldest waiting batch job (else the oldest interactive one) of the engine's queue. */
  private async dropOldest(engineKey: string): Promise<boolean> {
    const queue = this.queue(engineKey);
    const candidates = [...(await queue.getPrioritized(0, 200))].sort((a, b) => (b.opts.priority ?? 0) - (a.opts.priority ?? 0) || a.timestamp - b.timestamp);
    for (const job of candidates) {
      if (!job.id) continue;
      const removed = await queue.remove(job.id).catch(() => 0);
      if (removed !== 1) continue;
      const priority = job.opts.priority === 1 ? 'interactive' : 'batch';
      await this.redis.decr(this.keys.depth(priority));
      const error = httpError('QUEUE_FULL_DROP_LRU', `Task dropped from the full ${priority} queue to admit a newer task (policy drop-lru)`, {
        retriable: true,
        retryAfterMs: 1000,
        details: { policy_label: 'drop-lru' },
      });
      await this.finishRemote(job.id, errorFrame(error), 'failed');
      this.options.metrics.tasksRejected.inc({ reason: 'drop-lru' });
      return true;
    }
    return false;
  }

  private finishRemote(taskId: string, frame: SseFrame, state: 'completed' | 'failed' | 'canceled'): Promise<number> {
    return this.redis.syAppend(this.keys.task(taskId), this.keys.frames(taskId), this.keys.feed, '', state, String(Date.now()), String(this.options.retentionMs), taskId, frame.event, JSON.stringify(frame.data, jsonReplacer));
  }

  /** Applies stream entries after what the mirror has (used right after a cancel so the caller sees it ended). */
  private async catchUp(task: ServerTask): Promise<void> {
    const entries = await this.redis.xrange(this.keys.frames(task.id), `0-${task.frames.length + 1}`, '+');
    for (const [id, fields] of entries) this.apply(task, id, fields);
  }

  /** A frame from the feed: applied in order; a gap (the feed window passed, or the task joined late) reads the task's stream. */
  private fromFeed(fields: string[]): void {
    const record = fieldsOf(fields);
    const task = this.live.get(record.t ?? '');
    if (!task) return;
    const seq = Number(record.s);
    if (seq < task.frames.length) return;
    if (seq > task.frames.length) {
      void this.catchUp(task).catch(() => undefined);
      return;
    }
    this.applyFrame(task, { event: record.e as SseFrame['event'], data: JSON.parse(record.d ?? '{}') as Record<string, unknown> });
  }

  private apply(task: ServerTask, id: string, fields: string[]): void {
    const seq = Number(id.slice(2)) - 1;
    if (seq !== task.frames.length) return;
    this.applyFrame(task, toFrame(fields));
  }

  private applyFrame(task: ServerTask, frame: SseFrame): void {
    if (frame.event === 'end') task.finish('completed', frame, Date.now());
    else if (frame.event === 'error') task.finish((frame.data as { code?: string }).code === 'ABORTED' ? 'canceled' : 'failed', frame, Date.now());
    else {
      if (task.state === 'queued' && frame.event !== 'retry') task.state = 'running';
      task.emit(frame);
    }
    if (task.terminal) {
      this.live.delete(task.id);
      if (frame.event === 'end') this.options.metrics.tasksFinished.inc({ outcome: 'completed' });
      else this.options.metrics.tasksFinished.inc({ outcome: 'failed' });
    }
  }

  /**
   * One blocking XREAD on the deployment's feed stream per API node, however many tasks it follows: frames of tasks
   * not followed here are skipped. After the reader reconnects (or falls behind the feed window) every followed task
   * catches up from its own stream.
   */
  private readFeed(): void {
    void (async () => {
      while (!this.closed) {
        const before = Date.now();
        const result = (await this.reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.keys.feed, this.feedId).catch(() => null)) as [string, [string, string[]][]][] | null;
        if (this.closed) break;
        if (result) for (const [, entries] of result) for (const [id, fields] of entries) {
          this.feedId = id;
          this.fromFeed(fields);
        }
        if (this.lagging || Date.now() - before > FEED_WINDOW_MS / 2) {
          this.lagging = false;
          for (const task of [...this.live.values()]) void this.catchUp(task).catch(() => undefined);
        }
        if (!result && Date.now() - before < 900) await new Promise((resolve) => setTimeout(resolve, 100)); // an error, not a timeout
      }
    })();
  }
}

function fieldsOf(fields: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
  return record;
}

function toFrame(fields: string[]): SseFrame {
  const record = fieldsOf(fields);
  return { event: record.e as SseFrame['event'], data: JSON.parse(record.d ?? '{}') as Record<string, unknown> };
}

export async function createRedisTaskQueue(options: RedisTaskQueueOptions): Promise<TaskQueue> {
  const queue = new RedisTaskQueue(options);
  await queue.start();
  return queue;
}
