import { SwitchyardError, retryAfterMs, throwIfAborted } from '@switchyard/spec';
import type { ErrorCode } from '@switchyard/spec';

export interface PoolHttpOptions {
  readonly baseURL: string;
  readonly engineId: string;
  readonly timeoutMs: number;
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
  /** Correlation id (sent as `x-request-id`) and W3C trace context (`traceparent`/`tracestate`) of the caller. */
  readonly trace?: { readonly correlationId?: string; readonly traceparent?: string; readonly tracestate?: string };
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
    status === 429 ? 'RATE_LIMITED' : status === 401 || status === 403 ? 'PROVIDER_AUTH' : status === 503 || status === 502 || status === 504 ? 'POOL_UNAVAILABLE' : status >= 500 ? 'PROVIDER_ERROR' : request.refusalCode;
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
 * One pool HTTP call with a timeout. It never retries: failures come back typed (retriable for 429, 5xx, dropped
 * connections and timeouts, with `retryAfterMs` from Retry-After) and the orchestrator's retry loop decides.
 * The caller's signal aborts it with ABORTED.
 */
export async function poolFetch<T>(options: PoolHttpOptions, request: PoolRequest): Promise<T> {
  throwIfAborted(request.signal, `${options.engineId} ${request.what}`);
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
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(request.trace?.correlationId !== undefined ? { 'x-request-id': request.trace.correlationId } : {}),
        ...(request.trace?.traceparent !== undefined ? { traceparent: request.trace.traceparent } : {}),
        ...(request.trace?.tracestate !== undefined ? { tracestate: request.trace.tracestate } : {}),
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: controller.signal,
    });
    const text = await response.text();
    if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as T;
    throw errorForStatus(response.status, text, request, options.engineId, retryAfterMs(response.headers));
  } catch (error) {
    if (SwitchyardError.isInstance(error)) throw error;
    if (request.signal?.aborted) throw new SwitchyardError({ code: 'ABORTED', message: `${options.engineId}: ${request.what} was aborted`, cause: request.signal.reason });
    if (timedOut) {
      throw new SwitchyardError({ code: 'TIMEOUT', retriable: true, message: `${options.engineId}: ${request.what} timed out after ${options.timeoutMs} ms`, details: { engine: options.engineId, timeoutMs: options.timeoutMs } });
    }
    if (error instanceof SyntaxError) {
      throw new SwitchyardError({ code: 'PROVIDER_ERROR', message: `${options.engineId}: ${request.what}: the pool answered with invalid JSON`, details: { engine: options.engineId } });
    }
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new SwitchyardError({ code: 'CONNECTION_FAILED', retriable: true, message: `${options.engineId}: ${request.what} could not reach the pool: ${reason}`, details: { engine: options.engineId } });
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}
