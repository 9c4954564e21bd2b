import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  bulkhead,
  circuitBreaker,
  handleWhen,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { SwitchyardError, toSwitchyardError } from '../errors/switchyard-error.js';
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
      return false;
    default:
      return true;
  }
}

export interface GuardHooks {
  onCircuitOpen?(): void;
  onCircuitClose?(): void;
}

/**
 * Per-engine protection for one attempt: bulkhead (max concurrent + bounded queue) -> circuit breaker -> timeout.
 * Cockatiel errors are translated to SwitchyardErrors (BULKHEAD_FULL, CIRCUIT_OPEN, TIMEOUT, ABORTED).
 */
export class EngineGuard {
  readonly bulkhead: BulkheadPolicy;
  readonly breaker: CircuitBreakerPolicy;
  private active = 0;

  constructor(
    readonly engineId: string,
    readonly settings: ResolvedResilience,
    hooks: GuardHooks = {},
  ) {
    this.bulkhead = bulkhead(settings.bulkhead.maxConcurrent, settings.bulkhead.maxQueue);
    this.breaker = circuitBreaker(handleWhen(countsAgainstEngine), {
      halfOpenAfter: settings.circuitBreaker.cooldownMs,
      breaker: new ConsecutiveBreaker(settings.circuitBreaker.consecutiveFailures),
    });
    this.breaker.onBreak(() => hooks.onCircuitOpen?.());
    this.breaker.onReset(() => hooks.onCircuitClose?.());
  }

  get circuitState(): 'closed' | 'open' | 'half-open' {
    const state = this.breaker.state;
    if (state === CircuitState.Closed) return 'closed';
    if (state === CircuitState.HalfOpen) return 'half-open';
    return 'open';
  }

  /** Calls in flight or queued on this engine (for least-busy routing). */
  get load(): number {
    return this.active;
  }

  /** Runs one attempt. `fn` gets a signal that fires on caller abort or on timeout. */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, timeoutMs?: number): Promise<T> {
    const limit = timeoutMs ?? this.settings.timeoutMs;
    this.active++;
    try {
      return await this.bulkhead.execute(() => this.breaker.execute(() => withTimeout(fn, signal, limit)), signal);
    } catch (error) {
      throw this.translate(error, signal, limit);
    } finally {
      this.active--;
    }
  }

  /**
   * Holds a bulkhead slot and checks the circuit for the duration of a stream; `release(error?)` records the outcome.
   */
  async acquireStreamSlot(signal: AbortSignal): Promise<(error?: unknown) => void> {
    if (this.breaker.state === CircuitState.Open || this.breaker.state === CircuitState.Isolated) {
      throw this.translate(new BrokenCircuitError(), signal, 0);
    }
    let releaseSlot!: () => void;
    let acquired!: () => void;
    const held = new Promise<void>((resolve) => (releaseSlot = resolve));
    const ready = new Promise<void>((resolve, reject) => {
      acquired = resolve;
      this.bulkhead.execute(() => (acquired(), held), signal).catch(reject);
    });
    try {
      await ready;
    } catch (error) {
      throw this.translate(error, signal, 0);
    }
    this.active++;
    let released = false;
    return (error?: unknown) => {
      if (released) return;
      released = true;
      this.active--;
      releaseSlot();
      // Record the stream's outcome on the breaker without running anything through it twice.
      void this.breaker
        .execute(() => {
          if (error !== undefined && countsAgainstEngine(error)) throw error;
        })
        .catch(() => {});
    };
  }

  private translate(error: unknown, signal: AbortSignal, limit: number): SwitchyardError {
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
        details: { engine: this.engineId },
      });
    }
    if (error instanceof BulkheadRejectedError) {
      return new SwitchyardError({
        code: 'BULKHEAD_FULL',
        message: `Engine '${this.engineId}' is at its concurrency limit (${this.settings.bulkhead.maxConcurrent}) and its queue is full`,
        retriable: true,
        details: { engine: this.engineId },
      });
    }
    return toSwitchyardError(error, 'INTERNAL');
  }
}

/** Marks an attempt that hit its timeout (translated to TIMEOUT; counts against the circuit). */
class AttemptTimeout extends Error {}

/**
 * Aggressive per-attempt timeout: rejects at the deadline even if the engine ignores its signal, and aborts the
 * engine's signal. Hand-rolled instead of cockatiel's TimeoutPolicy, whose AbortSignal wiring costs ~80 µs per call
 * on Node 20 (bench/src/orchestrator-overhead.bench.ts); bulkhead, circuit breaker and retry stay cockatiel.
 * Each attempt gets a fresh AbortController (never pooled): an engine may keep its signal past the call.
 */
function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, parent: AbortSignal, limitMs: number): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    };
    const timer = Number.isFinite(limitMs)
      ? setTimeout(() => {
          if (settled) return;
          finish();
          controller.abort(new AttemptTimeout());
          reject(new AttemptTimeout());
        }, limitMs)
      : undefined;
    let pending: Promise<T>;
    try {
      pending = fn(controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        finish();
        reject(error);
      },
    );
  });
}
