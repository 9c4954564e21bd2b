import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from 'cockatiel';
import { SwitchyardError } from '@switchyard/spec';

/**
 * Exponential backoff with full jitter that honours a server's `retryAfterMs` (from Retry-After) when the failed
 * attempt carried one: the wait is then at least that long.
 */
export class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly initialDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const exponential = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.max(0, context.attempt - 1));
    const jittered = exponential / 2 + this.random() * (exponential / 2);
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfter = SwitchyardError.isInstance(error) ? error.retryAfterMs : undefined;
    const duration = retryAfter !== undefined ? Math.max(retryAfter, jittered) : jittered;
    return { duration: Math.round(duration), next: (ctx) => this.next(ctx) };
  }
}

/** Retriable = the error says so, or it is a timeout; never an abort. */
export function isRetriable(error: unknown): boolean {
  if (!SwitchyardError.isInstance(error)) return false;
  if (error.code === 'ABORTED') return false;
  return error.retriable || error.code === 'TIMEOUT';
}

/**
 * Worth another try on the same target: retriable, and not the guard's own fast refusal of an open circuit or a
 * 429 cooldown with more time left than the retry policy would ever wait (`maxDelayMs`): sleeping that out would
 * hold the request for seconds, so the chain moves on instead, and the caller still sees `retriable` with the
 * time left. A refusal with only a moment left (a timer that fired a hair early) is retried after it.
 */
export function retriesOnSameTarget(error: unknown, maxDelayMs: number): boolean {
  if (!isRetriable(error)) return false;
  const typed = error as SwitchyardError;
  return typed.details.deploymentOpen !== true || (typed.retryAfterMs ?? Number.POSITIVE_INFINITY) <= maxDelayMs;
}
