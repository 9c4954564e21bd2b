import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { toSwitchyardError, SwitchyardError, type CallSignal } from '@switchyard/spec';
import { CircuitBreaker, type Admission, type BreakerReport } from './circuit-breaker.js';
import { AttemptDeadlines, AttemptTimeout, GuardedAttempt, linkToParent, unlinkFromParent, type AttemptOwner } from './guarded-attempt.js';
import type { ResolvedResilience } from './resilience-config.js';

/** Errors that count against an engine's circuit: its own failures, not the caller's bad input or cancellation. */
export function countsAgainstEngine(error: unknown): boolean {
  if (!SwitchyardError.isInstance(error)) return true;
  switch (error.code) {
    case 'ABORTED':
    case 'INVALID_INPUT':
    case 'POLICY_DENIED':
    case 'CONTEXT_WINDOW_EXCEEDED':
    case 'UNSUPPORTED':
    case 'NO_SUCH_MODEL':
    case 'BULKHEAD_FULL':
    // A 429 cools the deployment down for its Retry-After instead (EngineGuard), it does not trip the breaker.
    case 'RATE_LIMITED':
      return false;
    default:
      return true;
  }
}

export interface GuardHooks {
  onCircuitOpen?(model: string): void;
  onCircuitClose?(model: string): void;
  /** A 429 started a cooldown of `ms` on `model`'s deployment. */
  onCooldown?(model: string, ms: number): void;
}

interface SlotWaiter {
  readonly signal: CallSignal;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Longest 429 cooldown (a provider's Retry-After beyond this is capped); the default when it sends none. */
const MAX_COOLDOWN_MS = 60_000;
const DEFAULT_COOLDOWN_MS = 1_000;
/** Breakers kept per engine; idle ones beyond this are forgotten, least recently used first. */
export const MAX_DEPLOYMENTS = 1024;

const SEVERITY: Record<BreakerReport, number> = { closed: 0, 'half-open': 1, 'cooling-down': 2, open: 3 };

interface Ticket {
  readonly model: string;
  readonly breaker: CircuitBreaker;
  readonly admission: Admission;
}

interface Deployment {
  readonly model: string;
  readonly breaker: CircuitBreaker;
  readonly tickets: { readonly pass: Ticket; readonly trial: Ticket };
}

/**
 * Per-engine protection for one attempt: bulkhead (max concurrent + bounded FIFO queue) -> circuit breaker ->
 * timeout, with SwitchyardErrors (BULKHEAD_FULL, CIRCUIT_OPEN, TIMEOUT, ABORTED).
 *
 * Hot path (a free slot, a closed circuit): everything is synchronous bookkeeping — a counter, the breaker's
 * `admit()`, one GuardedAttempt (its AbortController only if someone reads its `signal`), a place in the guard's
 * shared deadline list (one timer per guard, not per call) and in the caller signal's link (one abort listener per
 * caller signal, not per call).
 */
export class EngineGuard implements AttemptOwner {
  private readonly deployments = new Map<string, Deployment>();
  private readonly hooks: GuardHooks;
  private readonly deadlines = new AttemptDeadlines();
  /** Slots held (attempts and streams). */
  private running = 0;
  private readonly queue: SlotWaiter[] = [];
  private queueHead = 0;

  constructor(
    readonly engineId: string,
    readonly settings: ResolvedResilience,
    hooks: GuardHooks = {},
  ) {
    this.hooks = hooks;
  }

  /** The worst state now over this engine's deployments (open > cooling-down > half-open > closed). */
  get circuitState(): BreakerReport {
    let worst: BreakerReport = 'closed';
    for (const deployment of this.deployments.values()) {
      const state = deployment.breaker.report;
      if (SEVERITY[state] > SEVERITY[worst]) worst = state;
    }
    return worst;
  }

  /** State now per model (deployment) this guard keeps a breaker for. */
  circuitStates(): Record<string, BreakerReport> {
    return Object.fromEntries([...this.deployments].map(([model, deployment]) => [model, deployment.breaker.report]));
  }

  /**
   * One breaker per (engine, model): one model's failures or 429s never block another model of the same engine.
   * Kept in least-recently-used order and bounded (MAX_DEPLOYMENTS): past the bound the least recently used idle
   * breaker (closed, nothing counted) is forgotten, so distinct model names cannot grow memory without bound.
   */
  private deployment(model = ''): Deployment {
    let deployment = this.deployments.get(model);
    if (deployment) {
      this.deployments.delete(model);
      this.deployments.set(model, deployment);
    } else {
      if (this.deployments.size >= MAX_DEPLOYMENTS) this.evictIdle();
      const breaker = new CircuitBreaker(this.settings.circuitBreaker.consecutiveFailures, this.settings.circuitBreaker.cooldownMs, countsAgainstEngine, {
        onOpen: () => this.hooks.onCircuitOpen?.(model),
        onClose: () => this.hooks.onCircuitClose?.(model),
      });
      // Tickets are allocated once per deployment, so an attempt carries its breaker without a per-call object.
      deployment = { model, breaker, tickets: { pass: { model, breaker, admission: 'pass' }, trial: { model, breaker, admission: 'trial' } } };
      this.deployments.set(model, deployment);
    }
    return deployment;
  }

  private evictIdle(): void {
    for (const [model, deployment] of this.deployments) {
      if (deployment.breaker.idle) {
        this.deployments.delete(model);
        return;
      }
    }
  }

  /** Calls in flight or queued on this engine (for least-busy routing). */
  get load(): number {
    return this.running + this.queued;
  }

  private get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Runs one attempt on `model`'s deployment. `fn` gets a signal that fires on caller abort or on timeout. */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal: CallSignal, timeoutMs?: number, model?: string): Promise<T> {
    const attempt = this.tryEnter(signal, timeoutMs, model) ?? (await this.enter(signal, timeoutMs, model));
    let pending: Promise<T>;
    try {
      pending = fn(attempt.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return attempt.settle(pending);
  }

  /**
   * The synchronous fast path of `execute`: with a free slot and a closed circuit, the started attempt (run the
   * work on `attempt.signal`, then `attempt.settle(work)`); otherwise undefined (use `enter`). Throws ABORTED or
   * CIRCUIT_OPEN.
   */
  tryEnter(signal: CallSignal, timeoutMs?: number, model?: string): GuardedAttempt | undefined {
    if (signal.aborted) throw this.translate(signal.reason, signal, 0);
    if (this.running >= this.settings.bulkhead.maxConcurrent || this.queued > 0) return undefined;
    const deployment = this.deployment(model);
    const admission = deployment.breaker.admit();
    if (typeof admission !== 'string') return undefined;
    if (admission === 'open') throw this.openError(deployment);
    this.running++;
    return this.start(signal, timeoutMs, deployment.tickets[admission]);
  }

  /** The general path: waits for a slot (bounded queue) and for a running half-open trial, then starts. */
  async enter(signal: CallSignal, timeoutMs?: number, model?: string): Promise<GuardedAttempt> {
    return this.start(signal, timeoutMs, await this.acquire(signal, this.deployment(model)));
  }

  /**
   * Holds a bulkhead slot and checks the circuit for the duration of a stream; `release(error?)` records the outcome.
   */
  async acquireStreamSlot(signal: CallSignal, model?: string): Promise<(error?: unknown) => void> {
    const ticket = await this.acquire(signal, this.deployment(model));
    let released = false;
    return (error?: unknown) => {
      if (released) return;
      released = true;
      this.record(ticket, error !== undefined, error);
      this.releaseSlot();
    };
  }

  /** The outcome on the deployment's breaker; a 429 cools the deployment down for its Retry-After (capped). */
  private record(ticket: Ticket, failed: boolean, error: unknown): void {
    if (!failed) return ticket.breaker.recordSuccess(ticket.admission);
    ticket.breaker.recordFailure(ticket.admission, error);
    if (SwitchyardError.hasCode(error, 'RATE_LIMITED')) {
      const ms = Math.min(error.retryAfterMs ?? DEFAULT_COOLDOWN_MS, MAX_COOLDOWN_MS);
      ticket.breaker.coolDown(ms);
      this.hooks.onCooldown?.(ticket.model, ms);
    }
  }

  /** CIRCUIT_OPEN after failures, RATE_LIMITED (retriable, with the time left) while a 429 cooldown runs. */
  private openError(deployment: Deployment): SwitchyardError {
    const { ms, coolingDown } = deployment.breaker.openRemaining();
    const where = deployment.model ? `'${this.engineId}:${deployment.model}'` : `engine '${this.engineId}'`;
    if (coolingDown) {
      return new SwitchyardError({
        code: 'RATE_LIMITED',
        retriable: true,
        retryAfterMs: ms,
        message: `Deployment ${where} is cooling down after a 429 for another ${ms} ms`,
        details: { engine: this.engineId, model: deployment.model, deploymentOpen: true },
      });
    }
    return new SwitchyardError({
      code: 'CIRCUIT_OPEN',
      retriable: true,
      retryAfterMs: ms,
      message: `Circuit for ${where} is open; retry after ${ms} ms`,
      details: { engine: this.engineId, model: deployment.model, deploymentOpen: true },
    });
  }

  /** @internal Called by a GuardedAttempt when it settles: returns the error the caller sees. */
  finish(attempt: GuardedAttempt, error: unknown, failed: boolean): SwitchyardError | undefined {
    this.deadlines.remove(attempt);
    unlinkFromParent(attempt);
    this.record(attempt.ticket as Ticket, failed, error);
    this.releaseSlot();
    return failed ? this.translate(error, attempt.caller, attempt.limitMs) : undefined;
  }

  private start(signal: CallSignal, timeoutMs: number | undefined, ticket: Ticket): GuardedAttempt {
    const attempt = new GuardedAttempt(this, signal, timeoutMs ?? this.settings.timeoutMs, ticket);
    linkToParent(attempt, signal);
    this.deadlines.add(attempt);
    return attempt;
  }

  /** A slot (queued FIFO when all are taken) and the circuit's admission; the slot is held on return. */
  private async acquire(signal: CallSignal, deployment: Deployment): Promise<Ticket> {
    if (signal.aborted) throw this.translate(signal.reason, signal, 0);
    if (this.running < this.settings.bulkhead.maxConcurrent && this.queued === 0) this.running++;
    else if (this.queued >= this.settings.bulkhead.maxQueue) throw this.translate(new BulkheadRejectedError(this.settings.bulkhead.maxConcurrent, this.settings.bulkhead.maxQueue), signal, 0);
    else await new Promise<void>((resolve, reject) => this.queue.push({ signal, resolve, reject }));
    try {
      for (;;) {
        if (signal.aborted) throw this.translate(signal.reason, signal, 0);
        const admission = deployment.breaker.admit();
        if (admission === 'open') throw this.openError(deployment);
        if (typeof admission === 'string') return deployment.tickets[admission];
        await admission;
      }
    } catch (error) {
      this.releaseSlot();
      throw error;
    }
  }

  /** Hands the slot to the first queued caller that is still waiting, or frees it. */
  private releaseSlot(): void {
    while (this.queued > 0) {
      const waiter = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as never;
      if (this.queueHead > 64 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      if (waiter.signal.aborted) {
        waiter.reject(this.translate(waiter.signal.reason, waiter.signal, 0));
        continue;
      }
      waiter.resolve();
      return;
    }
    this.running--;
  }

  private translate(error: unknown, signal: CallSignal, limit: number): SwitchyardError {
    if (signal.aborted) {
      return SwitchyardError.hasCode(error, 'ABORTED')
        ? error
        : new SwitchyardError({ code: 'ABORTED', message: `Call to engine '${this.engineId}' was aborted`, cause: signal.reason });
    }
    if (error instanceof AttemptTimeout) {
      return new SwitchyardError({
        code: 'TIMEOUT',
        message: `Engine '${this.engineId}' did not answer within ${limit} ms`,
        retriable: true,
        details: { engine: this.engineId, timeoutMs: limit },
      });
    }
    if (error instanceof BrokenCircuitError) {
      return new SwitchyardError({
        code: 'CIRCUIT_OPEN',
        message: `Circuit for engine '${this.engineId}' is open; retry after ${this.settings.circuitBreaker.cooldownMs} ms`,
        retriable: true,
        retryAfterMs: this.settings.circuitBreaker.cooldownMs,
        details: { engine: this.engineId, deploymentOpen: true },
      });
    }
    if (error instanceof BulkheadRejectedError) {
      return new SwitchyardError({
        code: 'BULKHEAD_FULL',
        message: `Engine '${this.engineId}' is at its concurrency limit (${this.settings.bulkhead.maxConcurrent}) and its queue is full`,
        retriable: true,
        // The queue drains at the engine's pace; a second is a fair first wait (Retry-After on the gateway's 429).
        retryAfterMs: 1000,
        details: { engine: this.engineId },
      });
    }
    return toSwitchyardError(error, 'INTERNAL');
  }
}
