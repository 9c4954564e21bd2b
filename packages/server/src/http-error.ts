import { SwitchyardError, noSuchModelError, toSwitchyardError, type ErrorCode } from '@switchyard/core';
import { redactPaths } from './redaction.js';

/** The JSON body of every 4xx/5xx and of SSE `error` frames. */
export interface ErrorEnvelope {
  code: string;
  message: string;
  retriable?: boolean;
  retry_after_ms?: number;
  policy_label?: string;
  engine?: string;
  details?: Record<string, unknown>;
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_PARAMS: 400,
  INVALID_INPUT: 400,
  DEADLINE_UNMET: 400,
  UNSUPPORTED: 400,
  CONTEXT_WINDOW_EXCEEDED: 400,
  UNTRUSTED_ARTIFACT: 400,
  METADATA_INVALID: 400,
  BUNDLE_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  POLICY_DENIED: 403,
  NOT_FOUND: 404,
  NO_SUCH_MODEL: 404,
  NO_SUCH_ENGINE: 404,
  ARTIFACT_NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  ADMISSION_REJECT: 429,
  QUEUE_FULL_DROP_LRU: 429,
  RATE_LIMITED: 429,
  BULKHEAD_FULL: 429,
  MODEL_LOAD_FAILED: 502,
  PROVIDER_AUTH: 502,
  OUTPUT_INVALID: 502,
  PROVIDER_ERROR: 502,
  CONNECTION_FAILED: 502,
  POOL_UNAVAILABLE: 503,
  WORKER_RESET: 503,
  POOL_UNREADY: 503,
  ENGINE_UNAVAILABLE: 503,
  CIRCUIT_OPEN: 503,
  ROUTE_UNAVAILABLE: 503,
  OVERLOADED: 503,
  TIMEOUT: 504,
};

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code as ErrorCode] ?? 500;
}

/** Detail keys that are safe to return (never causes, stacks, headers or paths outside the request). */
const PUBLIC_DETAIL_KEYS = ['field', 'pointer', 'expected', 'found', 'modelId', 'engineId', 'taskId', 'limitBytes', 'step', 'rule_id', 'available', 'closeMatches'];

/** Error texts quote what the client sent (a key, a type, an id): a megabyte of it is never echoed back whole. */
const MAX_MESSAGE_CHARS = 2048;
const MAX_DETAIL_CHARS = 512;

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/**
 * Turns anything thrown into the public envelope. Unknown failures become INTERNAL with a generic message:
 * their text may carry paths or secrets, so it only goes to the log (keyed by correlation id).
 */
export function toErrorEnvelope(error: unknown): ErrorEnvelope {
  const known = toSwitchyardError(error);
  if (known.code === 'INTERNAL') {
    return { code: 'INTERNAL', message: 'Internal error; see the server log for this correlation id', retriable: false };
  }
  const envelope: ErrorEnvelope = { code: known.code, message: bounded(redactPaths(known.message), MAX_MESSAGE_CHARS), retriable: known.retriable };
  if (known.retryAfterMs !== undefined) envelope.retry_after_ms = known.retryAfterMs;
  const policyLabel = known.details.policy_label;
  if (typeof policyLabel === 'string') envelope.policy_label = policyLabel;
  const engine = known.details.engine ?? known.details.engineId;
  if (typeof engine === 'string') envelope.engine = engine;
  const details: Record<string, unknown> = {};
  for (const key of PUBLIC_DETAIL_KEYS) {
    const value = known.details[key];
    if (value !== undefined) details[key] = typeof value === 'string' ? bounded(redactPaths(value), MAX_DETAIL_CHARS) : value;
  }
  if (Object.keys(details).length > 0) envelope.details = details;
  return envelope;
}

/** Request parts the schema validator names as `details.field`; the field itself is then in `details.pointer`. */
const REQUEST_PARTS = new Set(['body', 'querystring', 'params', 'headers', 'url', 'request']);

/**
 * OpenAI's `error.param`: the request field an error is about, in OpenAI's notation (`messages[0].content`), from
 * `details.field` (already a wire name) or, for schema errors, the JSON pointer; null when it names no field.
 */
export function openAiParam(details: Record<string, unknown> | undefined): string | null {
  const field = typeof details?.field === 'string' ? details.field : undefined;
  if (field !== undefined && !REQUEST_PARTS.has(field)) return field;
  const pointer = typeof details?.pointer === 'string' ? details.pointer : '';
  if (field !== 'body' || pointer === '') return null;
  const segments = pointer.split('/').slice(1).map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  return segments.reduce((param, segment) => (/^\d+$/.test(segment) ? `${param}[${segment}]` : param === '' ? segment : `${param}.${segment}`), '');
}

/**
 * The `error` object of an OpenAI-style stream chunk for an `error` frame: the envelope plus OpenAI's type and
 * param (`wireField` turns an engine parameter name into the face's field name).
 */
export function openAiStreamError(envelope: Record<string, unknown>, wireField: (field: string) => string): Record<string, unknown> {
  const details = envelope.details as Record<string, unknown> | undefined;
  const field = typeof details?.field === 'string' ? wireField(details.field) : undefined;
  return { ...envelope, type: 'server_error', param: openAiParam(field !== undefined ? { ...details, field } : details) };
}

/** Anthropic's `error.type` for an HTTP status (docs.anthropic.com/en/api/errors); any other 5xx is `api_error`. */
const ANTHROPIC_ERROR_TYPE: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
};

export function anthropicErrorType(status: number): string {
  return ANTHROPIC_ERROR_TYPE[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function httpError(code: ErrorCode, message: string, extra: { retriable?: boolean; retryAfterMs?: number; details?: Record<string, unknown> } = {}): SwitchyardError {
  return new SwitchyardError({ code, message, retriable: extra.retriable, retryAfterMs: extra.retryAfterMs, details: extra.details });
}

/** NO_SUCH_MODEL (404) for a lookup of one model (`/v1/models/{id}`, `/v2/catalog/models/{id}`): core's, with its close matches. */
export const noSuchModel = (message: string, modelId: string, known: Iterable<string>): SwitchyardError => noSuchModelError(message, modelId, known);
