import { Redis } from 'ioredis';

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

/**
 * Appends one frame to a task's Redis Stream unless the task is already terminal, atomically (Lua). The stream
 * entry id is `0-<seq+1>`, so the SSE id (seq) is the same on every API node and after a resume. A writer that
 * names an `owner` (a worker attempt) is refused once another attempt owns the task, so a stalled worker that comes
 * back cannot add frames after its job was handed to another worker. `terminal` sets the final state; `running`
 * marks the start. Returns the frame's seq, or -1 when refused.
 */
const APPEND = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == false or state == 'completed' or state == 'failed' or state == 'canceled' then return -1 end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return -1 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1) - 1
redis.call('XADD', KEYS[2], '0-' .. (seq + 1), 'e', ARGV[2], 'd', ARGV[3])
if ARGV[2] == 'token' then redis.call('HINCRBY', KEYS[1], 'tokens', 1) end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'state', ARGV[4], 'finished_at', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
return seq
`;

/** Takes a queued or running task for one attempt: `{attempt, tokens, idempotent, state}` or nil when terminal. */
const CLAIM = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == false or state == 'completed' or state == 'failed' or state == 'canceled' then return false end
local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'state', 'running', 'started_at', ARGV[2], 'worker', ARGV[3])
if state == 'queued' then redis.call('DECR', KEYS[2]) end
return { attempt, tonumber(redis.call('HGET', KEYS[1], 'tokens') or '0'), redis.call('HGET', KEYS[1], 'idempotent') or '0', state }
`;

/** Admission: counts the task against its priority's capacity; 0 = full. */
const ADMIT = `
local depth = redis.call('INCR', KEYS[1])
if depth > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end
return depth
`;

export interface FrameLogRedis extends Redis {
  syAppend(meta: string, stream: string, owner: string, event: string, data: string, terminal: string, finishedAt: string, ttlMs: string): Promise<number>;
  syClaim(meta: string, depth: string, owner: string, startedAt: string, worker: string): Promise<[number, number, string, string] | null>;
  syAdmit(depth: string, capacity: string): Promise<number>;
}

export function connectRedis(url: string, options: { failFast?: boolean; name?: string } = {}): FrameLogRedis {
  const redis = new Redis(url, {
    // Request paths fail fast (503) while Redis is away; background loops wait for it to come back.
    maxRetriesPerRequest: options.failFast ? 1 : null,
    enableReadyCheck: true,
    lazyConnect: false,
    ...(options.name ? { connectionName: options.name } : {}),
  }) as FrameLogRedis;
  redis.defineCommand('syAppend', { numberOfKeys: 2, lua: APPEND });
  redis.defineCommand('syClaim', { numberOfKeys: 2, lua: CLAIM });
  redis.defineCommand('syAdmit', { numberOfKeys: 1, lua: ADMIT });
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
