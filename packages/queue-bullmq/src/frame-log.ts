import { SwitchyardError } from '@switchyard/core';
import { Redis } from 'ioredis';
import { SESSION_TOKENS, SESSION_TOUCH } from './redis-session-scripts.js';

/** Redis key layout of one deployment (every API node and worker of it uses the same prefix). */
export class RedisKeys {
  constructor(readonly prefix: string) {}
  queue(engineKey: string): string {
    return `${this.prefix}-${engineKey.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  }
  task(id: string): string {
    return `${this.prefix}:task:{${id}}`;
  }
  frames(id: string): string {
    return `${this.prefix}:frames:{${id}}`;
  }
  depth(priority: 'interactive' | 'batch'): string {
    return `${this.prefix}:depth:${priority}`;
  }
  get workers(): string {
    return `${this.prefix}:workers`;
  }
  worker(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }
  service(engineKey: string): string {
    return `${this.prefix}:service:${engineKey}`;
  }
  session(id: string): string {
    return `${this.prefix}:session:{${id}}`;
  }
  sessionTasks(id: string): string {
    return `${this.prefix}:session-tasks:{${id}}`;
  }
  /** Every frame of the deployment, in order (task id, seq, frame): what API nodes follow. */
  get feed(): string {
    return `${this.prefix}:feed`;
  }
  get stats(): string {
    return `${this.prefix}:stats`;
  }
  get cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }
  get drainChannel(): string {
    return `${this.prefix}:drain`;
  }
}

/** How far back the feed stream reaches (an API node whose reader fell further behind catches up task by task). */
export const FEED_WINDOW_MS = 30_000;

/**
 * Appends a batch of frames (everything one writer produced in one event-loop turn) to a task's Redis Stream unless
 * the task is already terminal, atomically (Lua), in one round trip. The stream entry id is `0-<seq+1>`, so the SSE
 * id (seq) is the same on every API node and after a resume. Each frame is also added to the deployment's feed
 * stream (task id, seq, frame), which every API node follows with one blocking XREAD however many tasks it serves;
 * the feed keeps the last FEED_WINDOW_MS (Redis clock) and is only a notification path: the per-task stream stays
 * the record. A writer that names an `owner` (a worker attempt) is refused once another attempt owns the task, so a
 * stalled worker that comes back cannot add frames after its job was handed to another worker. `terminal` sets the
 * final state with the last frame of the batch. Returns the last frame's seq, or -1 when refused.
 * ARGV: owner, terminal, finishedAt, ttlMs, taskId, then event/data pairs.
 */
const APPEND = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == false or state == 'completed' or state == 'failed' or state == 'canceled' then return -1 end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return -1 end
local now = redis.call('TIME')
local minid = (tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)) - ${FEED_WINDOW_MS}
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local tokens = 0
for i = 6, #ARGV, 2 do
  redis.call('XADD', KEYS[2], '0-' .. (seq + 1), 'e', ARGV[i], 'd', ARGV[i + 1])
  redis.call('XADD', KEYS[3], 'MINID', '~', minid, '*', 't', ARGV[5], 's', seq, 'e', ARGV[i], 'd', ARGV[i + 1])
  if ARGV[i] == 'token' then tokens = tokens + 1 end
  seq = seq + 1
end
redis.call('HSET', KEYS[1], 'seq', seq)
if tokens > 0 then redis.call('HINCRBY', KEYS[1], 'tokens', tokens) end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'state', ARGV[2], 'finished_at', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return seq - 1
`;

/**
 * Takes a queued or running task for one attempt: `{attempt, tokens, idempotent, state, enqueued_at}` or nil when
 * terminal.
 */
const CLAIM = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == false or state == 'completed' or state == 'failed' or state == 'canceled' then return false end
local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'state', 'running', 'started_at', ARGV[2], 'worker', ARGV[3])
if state == 'queued' then redis.call('DECR', KEYS[2]) end
local fields = redis.call('HMGET', KEYS[1], 'tokens', 'idempotent', 'enqueued_at')
return { attempt, tonumber(fields[1] or '0'), fields[2] or '0', state, fields[3] or '' }
`;

/**
 * Admission in one round trip: refuses a task id in use (-1), counts the task against its priority's capacity
 * (0 = full) and creates the task's hash. Returns the depth after admission. ARGV: capacity, ttlMs, field/value pairs.
 */
const ADMIT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local depth = redis.call('INCR', KEYS[1])
if depth > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end
redis.call('HSET', KEYS[2], 'state', 'queued', unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return depth
`;

/** Service time per engine and per model (field `model:<ref>`): EWMAs shared by all workers (the API nodes' ETA). */
const SERVICE = `
local ms = tonumber(ARGV[2])
local values = redis.call('HMGET', KEYS[1], 'ewma_ms', ARGV[1])
local function ewma(previous)
  previous = tonumber(previous or '')
  if previous then return tostring(previous * 0.8 + ms * 0.2) end
  return tostring(ms)
end
redis.call('HSET', KEYS[1], 'ewma_ms', ewma(values[1]), ARGV[1], ewma(values[2]), 'samples', '1')
return 1
`;

export interface FrameLogRedis extends Redis {
  syAppend(meta: string, stream: string, feed: string, owner: string, terminal: string, finishedAt: string, ttlMs: string, taskId: string, ...frames: string[]): Promise<number>;
  syClaim(meta: string, depth: string, owner: string, startedAt: string, worker: string): Promise<[number, number, string, string, string] | null>;
  syAdmit(depth: string, meta: string, capacity: string, ttlMs: string, ...fields: string[]): Promise<number>;
  syService(key: string, modelField: string, ms: string): Promise<number>;
  sySessionTouch(key: string, now: string, ttlMs: string, maxTurns: string, tokenBudget: string): Promise<number>;
  sySessionTokens(key: string, tokens: string): Promise<number>;
}

/**
 * A Redis connection with our scripts. Its errors never reach ioredis' "Unhandled error event" printout (a stack per
 * reconnect attempt): each new one goes to `onError` once, until the connection is ready again.
 */
export function connectRedis(url: string, options: { failFast?: boolean; name?: string; autoPipeline?: boolean; onError?: (error: Error) => void } = {}): FrameLogRedis {
  const redis = new Redis(url, {
    // Commands issued in one event-loop turn go out in one write (not for connections that block).
    enableAutoPipelining: options.autoPipeline ?? false,
    // Request paths fail fast (503) while Redis is away; background loops wait for it to come back.
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableReadyCheck: true,
    lazyConnect: false,
    ...(options.name ? { connectionName: options.name } : {}),
  }) as FrameLogRedis;
  let reported: string | undefined;
  redis.on('error', (error: Error) => {
    if (error.message === reported) return;
    reported = error.message;
    options.onError?.(error);
  });
  redis.on('ready', () => {
    reported = undefined;
  });
  redis.defineCommand('syAppend', { numberOfKeys: 3, lua: APPEND });
  redis.defineCommand('syClaim', { numberOfKeys: 2, lua: CLAIM });
  redis.defineCommand('syAdmit', { numberOfKeys: 2, lua: ADMIT });
  redis.defineCommand('syService', { numberOfKeys: 1, lua: SERVICE });
  redis.defineCommand('sySessionTouch', { numberOfKeys: 1, lua: SESSION_TOUCH });
  redis.defineCommand('sySessionTokens', { numberOfKeys: 1, lua: SESSION_TOKENS });
  return redis;
}

/** `redis://host:port/db` -> BullMQ connection options (BullMQ opens its own connections). */
export function bullConnection(url: string): { host: string; port: number; db?: number; password?: string; username?: string; maxRetriesPerRequest: null } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') throw new Error(`queue.redis: expected a redis:// URL, got '${parsed.protocol}'`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    maxRetriesPerRequest: null,
  };
}

export const TERMINAL = new Set(['completed', 'failed', 'canceled']);

/** `queue.redis` could not be reached at start: one line naming the address (never its password) and what to do. */
export function redisUnreachableError(url: string, cause: unknown): SwitchyardError {
  let where = url;
  try {
    const parsed = new URL(url);
    where = `${parsed.protocol}//${parsed.host}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
  } catch {
    where = '<invalid URL>';
  }
  const why = cause instanceof Error ? cause.message : String(cause);
  return new SwitchyardError({
    code: 'CONNECTION_FAILED',
    message: `queue.redis: cannot reach Redis at ${where} (${why}); start redis-server (e.g. scripts/install-redis.sh) or fix queue.redis`,
    retriable: true,
    details: { field: 'queue.redis', found: where },
  });
}
