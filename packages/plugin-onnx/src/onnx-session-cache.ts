import type { InferenceSession } from 'onnxruntime-node';

/** What the cache needs from a session: onnxruntime's InferenceSession satisfies it. */
export type CachedSession = Pick<InferenceSession, 'release'>;

interface CacheEntry<S extends CachedSession> {
  readonly key: string;
  readonly session: Promise<S>;
  refs: number;
}

/** A lease on a cached session; `release()` it exactly once when done (unload). */
export interface SessionLease<S extends CachedSession> {
  readonly key: string;
  readonly session: S;
  release(): Promise<void>;
}

/**
 * LRU cache of onnxruntime sessions keyed by file + session options. Leased sessions are shared (a second load of
 * the same file with the same options reuses the session); when the cache holds more than `maxSize` sessions, idle
 * ones (no lease) are released least-recently-used first. Leased sessions are never released under a caller, so
 * the cache may exceed `maxSize` only while more than `maxSize` distinct sessions are leased at once.
 */
export class OnnxSessionCache<S extends CachedSession = InferenceSession> {
  // Map iteration order is insertion order: re-inserting on use keeps the least-recently-used entry first.
  private readonly entries = new Map<string, CacheEntry<S>>();
  private released = 0;

  constructor(private readonly maxSize: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** How many sessions the cache has released so far (evictions + clear). */
  get releasedCount(): number {
    return this.released;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Leases the session for `key`, creating it with `create` when it is not cached. */
  async acquire(key: string, create: () => Promise<S>): Promise<SessionLease<S>> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = { key, session: create(), refs: 0 };
      this.entries.set(key, entry);
      // A failed create must not stay cached.
      entry.session.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
    }
    entry.refs += 1;
    let session: S;
    try {
      session = await entry.session;
    } catch (error) {
      entry.refs -= 1;
      throw error;
    }
    await this.evictIdle();
    const leased = entry;
    let done = false;
    return {
      key,
      session,
      release: async () => {
        if (done) return;
        done = true;
        leased.refs -= 1;
        await this.evictIdle();
      },
    };
  }

  /** Releases every idle session (leased ones stay until their lease is released). */
  async clear(): Promise<void> {
    const idle = [...this.entries.values()].filter((e) => e.refs === 0);
    for (const entry of idle) await this.drop(entry);
  }

  private async evictIdle(): Promise<void> {
    if (this.entries.size <= this.maxSize) return;
    for (const entry of [...this.entries.values()]) {
      if (this.entries.size <= this.maxSize) return;
      if (entry.refs === 0) await this.drop(entry);
    }
  }

  private async drop(entry: CacheEntry<S>): Promise<void> {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    this.released += 1;
    const session = await entry.session.catch(() => undefined);
    await session?.release();
  }
}
