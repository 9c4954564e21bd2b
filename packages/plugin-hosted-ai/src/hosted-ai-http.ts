import { SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type { ErrorCode } from '@switchyard/spec';
import type { HostedAiRetryOptions } from './hosted-ai-options.js';

export interface PoolHttpOptions {
  readonly baseURL: string;
  readonly engineId: string;
  readonly timeoutMs: number;
  readonly retry: Required<HostedAiRetryOptions>;
  readonly apiKey?: () => string | undefined;
}

export interface PoolRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  /** What the call is for, used in error messages ("allocate", "infer", "release"). */
  readonly what: string;
  /** Code for a 4xx the pool refuses with (e.g. ALLOCATION_FAILED for allocate). */
  readonly refusalCode: ErrorCode;
  readonly signal?: AbortSignal;
}

/** Backoff before try `attempt` (1-based retry count): base * 2^(attempt-1), capped. */
export function backoffDelayMs(attempt: number, retry: Required<HostedAiRetryOptions>): number {
  return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new SwitchyardError({ code: 'ABORTED', message: 'The call was aborted while backing off' }));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function errorForStatus(status: number, text: string, request: PoolRequest, engineId: string, retryAfterMs: number | undefined): SwitchyardError {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message ?? text);
  } catch {
    // not JSON: keep the text
  }
  const code: ErrorCode =
    status === 429 ? 'RATE_LIMITED' : status === 401 || status === 403 ? 'AUTHENTICATION_FAILED' : status === 503 || status === 502 || status === 504 ? 'POOL_UNAVAILABLE' : status >= 500 ? 'PROVIDER_ERROR' : request.refusalCode;
  const retriable = status === 429 || status >= 500;
  return new SwitchyardError({
    code,
    retriable,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    message: `${engineId}: ${request.what} failed: HTTP ${status}: ${message.slice(0, 500)}`,
    details: { engine: engineId, status, path: request.path },
  });
}

/**
 * One pool HTTP call with a per-try timeout and exponential-backoff retries on retriable failures
 * (429, 5xx, dropped connections, timeouts). The caller's signal aborts the whole thing with ABORTED.
 */
export async function poolFetch<T>(options: PoolHttpOptions, request: PoolRequest): Promise<T> {
  let lastError: SwitchyardError | undefined;
  for (let attempt = 1; attempt <= options.retry.attempts; attempt++) {
    throwIfAborted(request.signal, `${options.engineId} ${request.what}`);
    if (attempt > 1) {
      const wait = Math.max(backoffDelayMs(attempt - 1, options.retry), Math.min(lastError?.retryAfterMs ?? 0, options.retry.maxDelayMs));
      await sleep(wait, request.signal);
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    try {
      const key = options.apiKey?.();
      const response = await fetch(`${options.baseURL.replace(/\/$/, '')}${request.path}`, {
        method: request.method,
        headers: { accept: 'application/json', ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: controller.signal,
      });
      const text = await response.text();
      if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as T;
      lastError = errorForStatus(response.status, text, request, options.engineId, parseRetryAfter(response.headers.get('retry-after')));
      if (!lastError.retriable) throw lastError;
    } catch (error) {
      if (SwitchyardError.isInstance(error) && !error.retriable) throw error;
      if (request.signal?.aborted) throw new SwitchyardError({ code: 'ABORTED', message: `${options.engineId}: ${request.what} was aborted`, cause: request.signal.reason });
      if (timedOut) {
        lastError = new SwitchyardError({ code: 'TIMEOUT', retriable: true, message: `${options.engineId}: ${request.what} timed out after ${options.timeoutMs} ms`, details: { engine: options.engineId, timeoutMs: options.timeoutMs } });
      } else if (!SwitchyardError.isInstance(error)) {
        const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
        lastError = new SwitchyardError({ code: 'CONNECTION_FAILED', retriable: true, message: `${options.engineId}: ${request.what} could not reach the pool: ${reason}`, details: { engine: options.engineId } });
      } else {
        lastError = error;
      }
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }
  const final = lastError!;
  throw new SwitchyardError({
    code: final.code,
    retriable: final.retriable,
    ...(final.retryAfterMs !== undefined ? { retryAfterMs: final.retryAfterMs } : {}),
    message: `${final.message} (after ${options.retry.attempts} tries)`,
    details: { ...final.details, attempts: options.retry.attempts },
  });
}
