import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { deserialize } from 'node:v8';
import { Worker, type Job } from 'bullmq';
import { Cancellation, type EngineV1, type OrchestratorApi } from '@switchyard/core';
import { errorFrame, httpError, jsonReplacer, runTaskSpec, type GatewayMetrics, type SseFrame, type TaskSpec } from '@switchyard/server';
import { RedisKeys, bullConnection, connectRedis, type FrameLogRedis } from './frame-log.js';

export interface TaskWorkerOptions {
  readonly redis: string;
  readonly orchestrator: OrchestratorApi;
  readonly engines: readonly EngineV1[];
  /** Concurrent tasks per engine key this worker serves. */
  readonly concurrency: Readonly<Record<string, number>>;
  /** Models each engine serves (advertised; informational for /v2/pools). */
  readonly models?: Readonly<Record<string, readonly string[]>>;
  readonly prefix?: string;
  /** Capabilities expire this long after the last heartbeat (heartbeats every ttl/3). */
  readonly heartbeatTtlMs?: number;
  /** BullMQ lock: a worker silent for this long is considered crashed and its jobs are requeued. */
  readonly lockDurationMs?: number;
  /** How long finished tasks stay readable in Redis. */
  readonly retentionMs?: number;
  readonly id?: string;
  readonly log?: (line: string) => void;
  /**
   * Per-request series (requests, tokens, cost, latencies) of the tasks this worker runs, on a registry the worker
   * process exposes; `metrics.follow(orchestrator.events)` adds retries, fallbacks, upstream errors and cooldowns.
   */
  readonly metrics?: GatewayMetrics;
}

export interface WorkerJobData {
  readonly taskId: string;
  /** v8-serialized TaskSpec, base64. */
  readonly spec: string;
}

/**
 * A worker process's part: one BullMQ Worker per engine key it can serve (so it only takes jobs it can run),
 * capabilities in Redis with a TTL heartbeat, cancel and drain over pub/sub, frames to each task's Redis Stream.
 */
export class TaskWorker {
  readonly id: string;
  private readonly keys: RedisKeys;
  private readonly redis: FrameLogRedis;
  private readonly subscriber: FrameLogRedis;
  private readonly workers: Worker[] = [];
  private readonly running = new Map<string, Cancellation>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly ttlMs: number;
  private readonly retentionMs: number;
  private stopping: Promise<void> | undefined;
  private onDrained: (() => void) | undefined;

  constructor(private readonly options: TaskWorkerOptions) {
    this.id = options.id ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.keys = new RedisKeys(options.prefix ?? 'switchyard');
    // A worker waits for Redis to come (back): each new connection error is one log line, not a stack per retry.
    const onError = (error: Error) => this.options.log?.(`worker ${this.id}: redis: ${error.message}`);
    this.redis = connectRedis(options.redis, { name: `sy-worker-${this.id}`, autoPipeline: true, onError });
    this.subscriber = connectRedis(options.redis, { name: `sy-worker-sub-${this.id}`, onError });
    this.ttlMs = options.heartbeatTtlMs ?? 3000;
    this.retentionMs = options.retentionMs ?? 24 * 3_600_000;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Engine keys this worker serves. */
  get engineKeys(): string[] {
    return Object.keys(this.options.concurrency);
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.keys.cancelChannel, this.keys.drainChannel);
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.cancelChannel) this.running.get(message)?.cancel(new Error('canceled'));
      else if (channel === this.keys.drainChannel && (message === this.id || message === '*')) void this.drain();
    });
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), Math.max(100, Math.floor(this.ttlMs / 3)));
    // BullMQ keeps its own connections (sharing this one measured more worker CPU per task with several workers).
    const connection = bullConnection(this.options.redis);
    const lockDuration = this.options.lockDurationMs ?? 4000;
    for (const [engineKey, concurrency] of Object.entries(this.options.concurrency)) {
      const worker = new Worker<WorkerJobData>(this.keys.queue(engineKey), (job) => this.process(job, engineKey), {
        connection,
        concurrency,
        lockDuration,
        stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
        // Our own attempt counter decides between retry and WORKER_RESET; BullMQ only has to hand the job on.
        maxStalledCount: 5,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 1000 },
      });
      worker.on('error', (error) => this.options.log?.(`worker ${this.id}: ${error.message}`));
      worker.on('stalled', () => void this.redis.hincrby(this.keys.stats, 'stalled', 1).catch(() => undefined));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  /** Finishes in-flight work, takes no more jobs, leaves the capability registry. */
  drain(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(this.workers.map((worker) => worker.close()));
      await this.leave();
      this.onDrained?.();
    })();
    return this.stopping;
  }

  /** Resolves once drained (by SIGTERM, /v2/pools/:id/drain or drain()). */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping) void this.stopping.then(resolve);
      else this.onDrained = resolve;
    });
  }

  /** Hard stop (tests): closes connections without waiting for jobs. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close(true)));
    await this.leave();
  }

  private async leave(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.redis.multi().zrem(this.keys.workers, this.id).del(this.keys.worker(this.id)).exec().catch(() => undefined);
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => undefined);
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    const capabilities = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      engines: this.engineKeys,
      models: this.options.models ?? {},
      targets: [...new Set(this.options.engines.filter((engine) => engine.id in this.options.concurrency).flatMap((engine) => engine.capabilities.targets))],
      concurrency: this.options.concurrency,
      in_flight: this.running.size,
      draining: this.stopping !== undefined,
      heartbeat_at: now,
    };
    await this.redis
      .multi()
      .set(this.keys.worker(this.id), JSON.stringify(capabilities), 'PX', this.ttlMs)
      .zadd(this.keys.workers, now + this.ttlMs, this.id)
      .zremrangebyscore(this.keys.workers, '-inf', now)
      .exec();
  }

  /** One script call for a batch of frames; `terminal` ends the task with the batch's last frame. */
  private append(taskId: string, owner: string, frames: readonly SseFrame[], terminal = ''): Promise<number> {
    const pairs = frames.flatMap((frame) => [frame.event, JSON.stringify(frame.data, jsonReplacer)]);
    return this.redis.syAppend(this.keys.task(taskId), this.keys.frames(taskId), this.keys.feed, owner, terminal, String(Date.now()), String(this.retentionMs), taskId, ...pairs);
  }

  private async process(job: Job<WorkerJobData>, engineKey: string): Promise<void> {
    const { taskId } = job.data;
    const owner = `${this.id}:${randomUUID().slice(0, 8)}`;
    const startedAt = Date.now();
    const claim = await this.redis.syClaim(this.keys.task(taskId), this.keys.depth(priorityOf(job)), owner, String(startedAt), this.id);
    if (!claim) return; // canceled (or dropped) while queued
    const [attempt, tokensDelivered, idempotent, , enqueuedAt] = claim;
    if (attempt > 1) {
      // The previous attempt's worker died (BullMQ found the job stalled and handed it here).
      void this.redis.hincrby(this.keys.stats, 'requeued', 1).catch(() => undefined);
      if (idempotent !== '1' || attempt > 2) {
        const reset = httpError('WORKER_RESET', `The worker running task '${taskId}' stopped (attempt ${attempt - 1}); the task is not idempotent, so it is not run again`, { retriable: true, details: { attempt: attempt - 1 } });
        await this.append(taskId, owner, [errorFrame(reset)], 'failed');
        return;
      }
    }
    const spec = deserialize(Buffer.from(job.data.spec, 'base64')) as TaskSpec;
    // An AbortSignal is made only if the engine needs one (see Cancellation).
    const cancellation = new Cancellation();
    this.running.set(taskId, cancellation);
    const frames = new AttemptFrames((batch, terminal) => this.append(taskId, owner, batch, terminal), () => cancellation.cancel(new Error('task ended elsewhere')));
    if (attempt > 1) frames.push({ event: 'retry', data: { attempt, code: 'WORKER_RESET', tokens_delivered: tokensDelivered } });
    try {
      const outcome = await runTaskSpec(this.options.orchestrator, spec, {
        signal: cancellation,
        queueMs: startedAt - (enqueuedAt ? Number(enqueuedAt) : startedAt),
        skipTokens: tokensDelivered,
        engineKey,
        queueDepth: () => 0,
        isEnded: () => frames.refused || cancellation.aborted,
        ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
        emit: (frame) => frames.push(frame),
      });
      if (outcome && !frames.refused) {
        // The terminal frame goes out with the frames still buffered and the service time beside it: one round
        // trip. It is written before BullMQ marks the job completed, so a crash in between leaves a stalled job.
        frames.end(outcome.frame, outcome.state);
        if (outcome.state === 'completed') {
          void this.redis.syService(this.keys.service(engineKey), `model:${spec.modelRef}`, String(outcome.decodeMs)).catch(() => undefined);
          if (spec.sessionId !== undefined) void this.redis.sySessionTokens(this.keys.session(spec.sessionId), String((outcome.usage.inputTokens ?? 0) + outcome.tokensOut)).catch(() => undefined);
        }
      }
      await frames.settled();
    } finally {
      this.running.delete(taskId);
    }
  }
}

/**
 * The frames of one attempt on their way to Redis: what the engine emits in one event-loop turn is sent as one
 * batch (one script call), batches leave in order on one connection, and the first refusal (the task ended
 * elsewhere: canceled, or handed to another attempt) stops the run.
 */
class AttemptFrames {
  refused = false;
  private batch: SseFrame[] = [];
  private scheduled = false;
  private readonly inFlight: Promise<void>[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly send: (frames: readonly SseFrame[], terminal: string) => Promise<number>,
    private readonly onRefused: () => void,
  ) {}

  push(frame: SseFrame): boolean {
    this.batch.push(frame);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush(''));
    }
    return true;
  }

  end(frame: SseFrame, state: string): void {
    this.batch.push(frame);
    this.flush(state);
  }

  /** Resolves when every batch is written; rejects with the first write error (Redis away), failing the job. */
  async settled(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private flush(terminal: string): void {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const frames = this.batch;
    this.batch = [];
    this.inFlight.push(
      this.send(frames, terminal).then(
        (seq) => {
          if (seq < 0 && !this.refused) {
            this.refused = true;
            this.onRefused();
          }
        },
        (error: unknown) => {
          this.failure ??= error instanceof Error ? error : new Error(String(error));
        },
      ),
    );
  }
}

function priorityOf(job: Job): 'interactive' | 'batch' {
  return job.opts.priority === 1 ? 'interactive' : 'batch';
}
