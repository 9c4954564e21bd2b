export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * What a breaker reports now (metrics, pools): 'cooling-down' while a 429 cooldown runs (not a failure trip), and an
 * open period that has run out as the 'half-open' it becomes on the next call (so a gauge is never stale).
 */
export type BreakerReport = CircuitState | 'cooling-down';

/** What `admit()` lets a call do: run normally, run as the half-open trial, or nothing (the circuit is open). */
export type Admission = 'pass' | 'trial' | 'open';

export interface CircuitBreakerHooks {
  onOpen?(): void;
  onClose?(): void;
}

/**
 * Consecutive-failure circuit breaker with a synchronous, allocation-free API for the per-attempt hot path:
 * `admit()` before a call, `recordSuccess`/`recordFailure` after it. Semantics follow cockatiel's ConsecutiveBreaker
 * policy, which it replaces: `consecutiveFailures` counted failures open the circuit; after `cooldownMs` the next
 * call is a single trial (calls arriving meanwhile wait for it); its success closes the circuit, its counted failure
 * re-opens it, an error that does not count (`counts(error)` false) closes it.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  /** How long the current open period lasts: cooldownMs after failures, Retry-After after a 429. */
  private openForMs = 0;
  /** True while the open period is a rate-limit cooldown (not a failure trip). */
  private cooling = false;
  private trialDone?: Promise<void>;
  private endTrial?: () => void;

  constructor(
    private readonly consecutiveFailures: number,
    private readonly cooldownMs: number,
    private readonly counts: (error: unknown) => boolean,
    private readonly hooks: CircuitBreakerHooks = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** 'open' stays 'open' after the cooldown until a call arrives and becomes the trial (as cockatiel reports it). */
  get state(): CircuitState {
    return this.current;
  }

  /** The state as of now, for reporting (the breaker itself moves only when a call arrives). */
  get report(): BreakerReport {
    if (this.current !== 'open') return this.current;
    if (this.now() - this.openedAt >= this.openForMs) return 'half-open';
    return this.cooling ? 'cooling-down' : 'open';
  }

  /** Closed with no failures counted: nothing would be lost by forgetting this breaker. */
  get idle(): boolean {
    return this.current === 'closed' && this.failures === 0;
  }

  /** Whether a call may run now; while a trial runs, a promise that settles when it is over (ask again then). */
  admit(): Admission | Promise<void> {
    if (this.current === 'closed') return 'pass';
    if (this.current === 'half-open') return this.trialDone!;
    if (this.now() - this.openedAt < this.openForMs) return 'open';
    this.current = 'half-open';
    this.trialDone = new Promise<void>((resolve) => (this.endTrial = resolve));
    return 'trial';
  }

  /** An admitted call succeeded. */
  recordSuccess(admission: Admission): void {
    if (admission === 'trial') this.endTrialWith(false);
    else this.failures = 0;
  }

  /** An admitted call failed with `error` (which counts only if `counts(error)`). */
  recordFailure(admission: Admission, error: unknown): void {
    const counted = this.counts(error);
    if (admission === 'trial') this.endTrialWith(counted);
    else if (counted && ++this.failures >= this.consecutiveFailures && this.current === 'closed') this.open();
  }

  /**
   * A 429: the deployment is left alone for `ms` (then one trial call), without counting as a failure.
   * A circuit already open for longer keeps its longer period.
   */
  coolDown(ms: number): void {
    if (this.current === 'half-open') return;
    const remaining = this.current === 'open' ? this.openForMs - (this.now() - this.openedAt) : 0;
    if (remaining >= ms) return;
    this.current = 'open';
    this.openedAt = this.now();
    this.openForMs = ms;
    this.cooling = true;
  }

  /** While open: ms until the next trial call may run, and whether it is a rate-limit cooldown. */
  openRemaining(): { ms: number; coolingDown: boolean } {
    return { ms: Math.max(0, this.openForMs - (this.now() - this.openedAt)), coolingDown: this.cooling };
  }

  private endTrialWith(failed: boolean): void {
    if (failed) this.open();
    else this.close();
    const end = this.endTrial!;
    this.trialDone = this.endTrial = undefined;
    end();
  }

  private open(): void {
    this.current = 'open';
    this.openedAt = this.now();
    this.openForMs = this.cooldownMs;
    this.cooling = false;
    this.hooks.onOpen?.();
  }

  private close(): void {
    this.cooling = false;
    this.current = 'closed';
    this.failures = 0;
    this.hooks.onClose?.();
  }
}
