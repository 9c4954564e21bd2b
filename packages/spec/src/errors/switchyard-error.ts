import type { ErrorCode } from './error-codes.js';

const MARKER = Symbol.for('switchyard.error');

export interface SwitchyardErrorOptions {
  readonly message: string;
  readonly code: ErrorCode;
  readonly retriable?: boolean;
  /** Server-suggested wait before retrying (from Retry-After etc.). */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
  /** Structured, secret-free context: file, pointer, plugin, engine, model, step... */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Base of every error Switchyard throws. `isInstance` uses a global Symbol marker so that two installed
 * copies of @switchyard/spec recognise each other's errors (instanceof would not).
 */
export class SwitchyardError extends Error {
  private readonly [MARKER] = true;
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly retryAfterMs?: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(options: SwitchyardErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchyardError';
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
  }

  /** True for any SwitchyardError, including subclasses and errors from another copy of this package. */
  static isInstance(error: unknown): error is SwitchyardError {
    return SwitchyardError.hasMarker(error, MARKER);
  }

  /**
   * True when `error` carries `marker`. A subclass declares `private readonly [MY_MARKER] = true` with
   * `const MY_MARKER: unique symbol = Symbol.for('switchyard.error.MyError')` and builds its own `isInstance` on it.
   */
  protected static hasMarker(error: unknown, marker: symbol): boolean {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /** Checks the marker and the code in one go. */
  static hasCode<C extends ErrorCode>(error: unknown, code: C): error is SwitchyardError & { code: C } {
    return SwitchyardError.isInstance(error) && error.code === code;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retriable: this.retriable,
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      details: this.details,
    };
  }
}

/** Wraps anything thrown into a SwitchyardError (keeping an existing one as is). */
export function toSwitchyardError(error: unknown, fallbackCode: ErrorCode = 'INTERNAL'): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  if (isAbortError(error)) {
    return new SwitchyardError({ code: 'ABORTED', message: 'The operation was aborted', cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SwitchyardError({ code: fallbackCode, message, cause: error });
}

export function isAbortError(error: unknown): boolean {
  return (
    (SwitchyardError.isInstance(error) && error.code === 'ABORTED') ||
    (error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR'))
  );
}

/** Throws ABORTED if the signal has fired; call between steps. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) {
    throw new SwitchyardError({ code: 'ABORTED', message: `The ${what} was aborted`, cause: signal.reason });
  }
}
