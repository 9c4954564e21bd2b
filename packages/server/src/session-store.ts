export interface SessionRecord {
  readonly id: string;
  readonly createdAt: number;
  lastUsedAt: number;
  turns: number;
  tokensUsed: number;
}

export interface SessionView {
  readonly session_id: string;
  readonly ttl_ms_remaining: number;
  readonly turns: number;
  readonly max_turns: number;
  readonly tokens_used: number;
  readonly token_budget: number;
  readonly created_at: string;
}

/** Sessions with a sliding TTL, a turn count and a token budget. */
export class SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly limits: { ttlMs: number; maxTurns: number; tokenBudget: number }) {}

  /** Returns the session (created on first use) or undefined when it is out of turns or budget. */
  touch(id: string, now: number): { session: SessionRecord; exhausted?: 'turns' | 'budget' } {
    this.evictExpired(now);
    let session = this.sessions.get(id);
    if (!session) {
      session = { id, createdAt: now, lastUsedAt: now, turns: 0, tokensUsed: 0 };
      this.sessions.set(id, session);
    }
    if (session.turns >= this.limits.maxTurns) return { session, exhausted: 'turns' };
    if (session.tokensUsed >= this.limits.tokenBudget) return { session, exhausted: 'budget' };
    session.lastUsedAt = now;
    session.turns += 1;
    return { session };
  }

  addTokens(id: string, tokens: number): void {
    const session = this.sessions.get(id);
    if (session) session.tokensUsed += tokens;
  }

  view(id: string, now: number): SessionView | undefined {
    this.evictExpired(now);
    const session = this.sessions.get(id);
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
    return this.sessions.delete(id);
  }

  private evictExpired(now: number): void {
    for (const [id, session] of this.sessions) {
      if (session.lastUsedAt + this.limits.ttlMs <= now) this.sessions.delete(id);
    }
  }
}
