import type { StateStore, StoredSession } from '@switchyard/store';
import { httpError } from './http-error.js';

/** Live sessions kept at most (docs/server.md#limits): distinct session ids cannot grow the store without bound. */
export const MAX_SESSIONS = 100_000;

export interface SessionView {
  readonly session_id: string;
  readonly ttl_ms_remaining: number;
  readonly turns: number;
  readonly max_turns: number;
  readonly tokens_used: number;
  readonly token_budget: number;
  readonly created_at: string;
}

/**
 * Where sessions live: this process's state store (embedded) or Redis, shared by every API node (distributed
 * mode: `TaskQueue.sessions`). One set of rules: a sliding TTL, a turn limit and a token budget.
 */
export interface Sessions {
  /** Counts a turn (creating the session on first use) unless it is out of turns or budget. */
  touch(id: string, now: number): { exhausted?: 'turns' | 'budget' } | Promise<{ exhausted?: 'turns' | 'budget' }>;
  addTokens(id: string, tokens: number): void | Promise<void>;
  view(id: string, now: number): SessionView | undefined | Promise<SessionView | undefined>;
  delete(id: string): boolean | Promise<boolean>;
}

/** Sessions with a sliding TTL, a turn count and a token budget, kept by the state store (survive a restart). */
export class SessionStore implements Sessions {
  private lastExpiry = 0;

  constructor(
    private readonly limits: { ttlMs: number; maxTurns: number; tokenBudget: number },
    private readonly state: StateStore,
    private readonly maxSessions = MAX_SESSIONS,
  ) {}

  /** Counts a turn (creating the session on first use) unless it is out of turns or budget. */
  touch(id: string, now: number): { session: StoredSession; exhausted?: 'turns' | 'budget' } {
    this.evictExpired(now);
    const live = this.live(id, now);
    if (!live && this.state.sessionCount >= this.maxSessions) {
      this.evictExpired(now, true);
      if (this.state.sessionCount >= this.maxSessions) {
        throw httpError('ADMISSION_REJECT', `The server holds ${this.maxSessions} live sessions (the limit); reuse a session or retry after one expires`, {
          retriable: true,
          retryAfterMs: 1000,
          details: { policy_label: 'session-capacity', field: 'session_id' },
        });
      }
    }
    const session = live ?? { id, createdAt: now, lastUsedAt: now, turns: 0, tokensUsed: 0 };
    if (session.turns >= this.limits.maxTurns) return { session, exhausted: 'turns' };
    if (session.tokensUsed >= this.limits.tokenBudget) return { session, exhausted: 'budget' };
    const next = { ...session, lastUsedAt: now, turns: session.turns + 1 };
    this.state.putSession(next);
    return { session: next };
  }

  addTokens(id: string, tokens: number): void {
    const session = this.state.getSession(id);
    if (session) this.state.putSession({ ...session, tokensUsed: session.tokensUsed + tokens });
  }

  view(id: string, now: number): SessionView | undefined {
    const session = this.live(id, now);
    if (!session) return undefined;
    return {
      session_id: session.id,
      ttl_ms_remaining: Math.max(0, session.lastUsedAt + this.limits.ttlMs - now),
      turns: session.turns,
      max_turns: this.limits.maxTurns,
      tokens_used: session.tokensUsed,
      token_budget: this.limits.tokenBudget,
      created_at: new Date(session.createdAt).toISOString(),
    };
  }

  delete(id: string): boolean {
    return this.state.deleteSession(id);
  }

  private live(id: string, now: number): StoredSession | undefined {
    const session = this.state.getSession(id);
    return session && session.lastUsedAt + this.limits.ttlMs > now ? session : undefined;
  }

  private evictExpired(now: number, force = false): void {
    if (!force && now - this.lastExpiry < 1000) return;
    this.lastExpiry = now;
    this.state.expireSessions(now - this.limits.ttlMs);
  }
}
