import type { SessionView, Sessions } from '@switchyard/server';
import type { FrameLogRedis, RedisKeys } from './frame-log.js';

/**
 * Sessions of the distributed mode: one hash per session in Redis, so every API node counts the same turns, the
 * workers add the tokens of the tasks they finish, and a DELETE on any node cancels the session's tasks wherever
 * they were admitted (their ids are kept in a set beside the hash, with the same TTL).
 */
export class RedisSessions implements Sessions {
  constructor(
    private readonly redis: FrameLogRedis,
    private readonly keys: RedisKeys,
    private readonly limits: { readonly ttlMs: number; readonly maxTurns: number; readonly tokenBudget: number },
  ) {}

  async touch(id: string, now: number): Promise<{ exhausted?: 'turns' | 'budget' }> {
    const result = await this.redis.sySessionTouch(this.keys.session(id), String(now), String(this.limits.ttlMs), String(this.limits.maxTurns), String(this.limits.tokenBudget));
    return result === 1 ? { exhausted: 'turns' } : result === 2 ? { exhausted: 'budget' } : {};
  }

  async addTokens(id: string, tokens: number): Promise<void> {
    await this.redis.sySessionTokens(this.keys.session(id), String(tokens));
  }

  /** Remembers a task admitted for the session (any node's DELETE cancels it). */
  async addTask(id: string, taskId: string): Promise<void> {
    await this.redis.multi().sadd(this.keys.sessionTasks(id), taskId).pexpire(this.keys.sessionTasks(id), this.limits.ttlMs).exec();
  }

  tasks(id: string): Promise<string[]> {
    return this.redis.smembers(this.keys.sessionTasks(id));
  }

  async view(id: string, now: number): Promise<SessionView | undefined> {
    const session = await this.redis.hgetall(this.keys.session(id));
    if (!session.last_used_at) return undefined;
    return {
      session_id: id,
      ttl_ms_remaining: Math.max(0, Number(session.last_used_at) + this.limits.ttlMs - now),
      turns: Number(session.turns ?? 0),
      max_turns: this.limits.maxTurns,
      tokens_used: Number(session.tokens ?? 0),
      token_budget: this.limits.tokenBudget,
      created_at: new Date(Number(session.created_at ?? session.last_used_at)).toISOString(),
    };
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(this.keys.session(id), this.keys.sessionTasks(id))) > 0;
  }
}
