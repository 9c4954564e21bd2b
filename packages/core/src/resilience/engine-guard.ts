import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  timeout,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { SwitchyardError, isAbortError, toSwitchyardError } from '../errors/switchyard-error.js';
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
    const timer = timeout(limit, TimeoutStrategy.Aggressive);
    this.active++;
    try {
      return await this.bulkhead.execute(
        () => this.breaker.execute(() => timer.execute(({ signal: inner }) => wrapEngineCall(fn, inner), signal), signal),
        signal,
      );
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
    if (error instanceof TaskCancelledError) {
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

async function wrapEngineCall<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return await fn(signal);
  } catch (error) {
    // An engine that reacts to our timeout abort surfaces an AbortError; cockatiel reports TaskCancelledError itself.
    if (signal.aborted && isAbortError(error)) throw new TaskCancelledError();
    throw error;
  }
}
