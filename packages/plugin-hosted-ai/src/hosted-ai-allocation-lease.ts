import { SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type { PluginLogger } from '@switchyard/spec';
import { poolFetch } from './hosted-ai-http.js';
import type { PoolHttpOptions } from './hosted-ai-http.js';
import { allocationRequirements } from './hosted-ai-options.js';
import type { HostedAiPoolOptions } from './hosted-ai-options.js';

export interface PoolAllocation {
  readonly id: string;
  readonly assignedGpu: unknown;
  readonly status: string;
  /** Epoch ms; undefined when the pool gave no expiry. */
  readonly expiresAt?: number;
}

interface AllocationResponse {
  allocation_id?: unknown;
  assigned_gpu?: unknown;
  status?: unknown;
  expires_at?: unknown;
}

/** Stop reusing an allocation this long before it expires, so a call never lands on an expired one. */
const EXPIRY_MARGIN_MS = 5000;

/**
 * The pool allocation one engine holds: allocated on first use, shared by concurrent calls, reused until
 * it nears expiry, released after `idleReleaseMs` without calls and on close. Allocation runs on the
 * lease's own signal (not a caller's), so an aborted caller never strands an allocation it started.
 */
export class HostedAiAllocationLease {
  readonly #http: PoolHttpOptions;
  readonly #pool: HostedAiPoolOptions;
  readonly #logger: PluginLogger | undefined;
  readonly #lifetime = new AbortController();
  #current: PoolAllocation | undefined;
  #pending: Promise<PoolAllocation> | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #inFlight = 0;
  readonly #background = new Set<Promise<void>>();
  #closed = false;

  constructor(http: PoolHttpOptions, pool: HostedAiPoolOptions, logger?: PluginLogger) {
    this.#http = http;
    this.#pool = pool;
    this.#logger = logger;
  }

  get current(): PoolAllocation | undefined {
    return this.#current;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A usable allocation; pair every successful acquire with `done()`. */
  async acquire(signal: AbortSignal): Promise<PoolAllocation> {
    this.#assertOpen();
    throwIfAborted(signal, `${this.#pool.id} allocation`);
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#inFlight++;
    try {
      const current = this.#current;
      if (current && (current.expiresAt === undefined || current.expiresAt - EXPIRY_MARGIN_MS > Date.now())) return current;
      if (current) this.#releaseInBackground(current);
      this.#current = undefined;
      this.#pending ??= this.#allocate().finally(() => {
        this.#pending = undefined;
      });
      return await raceAbort(this.#pending, signal, `${this.#pool.id} allocation`);
    } catch (error) {
      this.done();
      throw error;
    }
  }

  /** Marks one acquired call finished; arms the idle release when none is left. */
  done(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#inFlight > 0 || this.#closed || !this.#current) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#inFlight === 0) void this.release();
    }, this.#pool.idleReleaseMs ?? 60_000);
    this.#idleTimer.unref();
  }

  /** Forgets an allocation the pool no longer knows (404/410 on inference); no DELETE is sent. */
  invalidate(id: string): void {
    if (this.#current?.id === id) this.#current = undefined;
  }

  /** Releases the current allocation, if any. */
  async release(): Promise<void> {
    const allocation = this.#current;
    this.#current = undefined;
    if (allocation) await this.#delete(allocation);
  }

  /** Stops allocating, waits for an allocation in progress, and releases whatever is held. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#pending) await this.#pending.catch(() => undefined);
    this.#lifetime.abort();
    await this.release();
    await Promise.all([...this.#background]);
  }

  async #allocate(): Promise<PoolAllocation> {
    const response = await poolFetch<AllocationResponse>(this.#http, {
      method: 'POST',
      path: '/v1/allocations',
      what: 'allocate',
      refusalCode: 'ALLOCATION_FAILED',
      signal: this.#lifetime.signal,
      body: {
        pool_id: this.#pool.poolId,
        requirements: allocationRequirements(this.#pool.requirements),
        duration_seconds: this.#pool.durationSeconds ?? 600,
        preemptible: this.#pool.preemptible ?? false,
        metadata: { client: 'switchyard', engine: this.#pool.id, ...this.#pool.metadata },
      },
    });
    if (typeof response?.allocation_id !== 'string' || response.allocation_id === '') {
      throw new SwitchyardError({
        code: 'ALLOCATION_FAILED',
        message: `${this.#pool.id}: the pool answered the allocation without an allocation_id (found ${JSON.stringify(response?.allocation_id)})`,
        details: { engine: this.#pool.id, field: 'allocation_id' },
      });
    }
    const expires = typeof response.expires_at === 'string' ? Date.parse(response.expires_at) : undefined;
    const allocation: PoolAllocation = {
      id: response.allocation_id,
      assignedGpu: response.assigned_gpu,
      status: typeof response.status === 'string' ? response.status : 'unknown',
      ...(expires !== undefined && !Number.isNaN(expires) ? { expiresAt: expires } : {}),
    };
    if (this.#closed) {
      await this.#delete(allocation);
      throw new SwitchyardError({ code: 'ENGINE_UNAVAILABLE', message: `${this.#pool.id}: the engine was shut down while allocating` });
    }
    this.#current = allocation;
    this.#logger?.info({ engine: this.#pool.id, allocation: allocation.id, gpu: allocation.assignedGpu }, 'hosted GPU allocated');
    return allocation;
  }

  async #delete(allocation: PoolAllocation): Promise<void> {
    try {
      await poolFetch(this.#http, { method: 'DELETE', path: `/v1/allocations/${encodeURIComponent(allocation.id)}`, what: 'release', refusalCode: 'PROVIDER_ERROR' });
      this.#logger?.info({ engine: this.#pool.id, allocation: allocation.id }, 'hosted GPU released');
    } catch (error) {
      // 404 means the pool already dropped it; anything else is logged (the lease expires server-side).
      if (SwitchyardError.isInstance(error) && error.details.status === 404) return;
      this.#logger?.warn({ engine: this.#pool.id, allocation: allocation.id, err: error instanceof Error ? error.message : String(error) }, 'hosted GPU release failed');
    }
  }

  #releaseInBackground(allocation: PoolAllocation): void {
    const release = this.#delete(allocation).finally(() => this.#background.delete(release));
    this.#background.add(release);
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new SwitchyardError({ code: 'ENGINE_UNAVAILABLE', message: `${this.#pool.id}: the engine has been shut down`, details: { engine: this.#pool.id } });
    }
  }
}

/** Waits for a shared promise, but lets one caller stop waiting when its own signal fires. */
async function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new SwitchyardError({ code: 'ABORTED', message: `The ${what} was aborted`, cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
