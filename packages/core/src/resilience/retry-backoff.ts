import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from 'cockatiel';
import { SwitchyardError } from '@switchyard/spec';

/** What bounds a retry on the same target: the policy's longest wait, the request's deadline, the rest of the chain. */
export interface RetryWindow {
  readonly maxDelayMs: number;
  /** `performance.now()` at which the request's `timeoutMs` runs out (undefined: no deadline). */
  readonly deadlineAt?: number;
  /** Another target follows this one in the chain. */
  readonly hasNextTarget: boolean;
}

/**
 * Exponential backoff with full jitter that honours a server's `retryAfterMs` (from Retry-After) when the failed
 * attempt carried one: the wait is then at least that long. Never longer than `maxDelayMs` nor past the deadline
 * (`retriesOnSameTarget` refuses a retry whose Retry-After does not fit, so the cap only trims the jitter).
 */
export class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly initialDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly random: () => number = Math.random,
    private readonly deadlineAt?: number,
  ) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const exponential = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.max(0, context.attempt - 1));
    const jittered = exponential / 2 + this.random() * (exponential / 2);
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfter = SwitchyardError.isInstance(error) ? error.retryAfterMs : undefined;
    const wanted = retryAfter !== undefined ? Math.max(retryAfter, jittered) : jittered;
    const left = this.deadlineAt !== undefined ? Math.max(0, this.deadlineAt - performance.now()) : Number.POSITIVE_INFINITY;
    return { duration: Math.round(Math.min(wanted, this.maxDelayMs, left)), next: (ctx) => this.next(ctx) };
  }
}

/** Retriable = the error says so, or it is a timeout; never an abort. */
export function isRetriable(error: unknown): boolean {
  if (!SwitchyardError.isInstance(error)) return false;
  if (error.code === 'ABORTED') return false;
  return error.retriable || error.code === 'TIMEOUT';
}

/**
 * Worth another try on the same target. A cooled-down or open deployment (an upstream 429, the guard's refusal
 * during a 429 cooldown, an open circuit), or any error naming a wait (`retryAfterMs`, e.g. a 503 with Retry-After),
 * is never slept out while another target can take the request: the chain
 * moves on at once. On the last target it is retried only when its wait (`retryAfterMs`, for any error that names
 * one) fits within `maxDelayMs` and ends before the request's deadline; otherwise the caller gets the error at once,
 * `retriable` with the time left, and decides (the server sends it as Retry-After).
 */
export function retriesOnSameTarget(error: unknown, window: RetryWindow): boolean {
  if (!isRetriable(error)) return false;
  const typed = error as SwitchyardError;
  // Any error naming a wait (a 503 with Retry-After too) is waited out only by the last target.
  const coolingDown = typed.code === 'RATE_LIMITED' || typed.details.deploymentOpen === true || typed.retryAfterMs !== undefined;
  if (coolingDown && window.hasNextTarget) return false;
  const wait = typed.retryAfterMs ?? 0;
  if (wait > window.maxDelayMs) return false;
  return window.deadlineAt === undefined || performance.now() + wait < window.deadlineAt;
}
