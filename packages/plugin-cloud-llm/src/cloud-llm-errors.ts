import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { SwitchyardError, isAbortError, retryAfterMs } from '@switchyard/spec';
import type { ErrorCode } from '@switchyard/spec';

export interface ErrorContext {
  readonly engineId: string;
  readonly model?: string;
  readonly signal?: AbortSignal;
  /** Secrets to scrub from any text copied out of a provider response. */
  readonly secrets?: readonly (string | undefined)[];
}

type ApiErrorLike = { status?: number; headers?: Headers; error?: unknown; message: string };

const CONTEXT_PATTERN = /context[_ ]length|context window|maximum context|prompt is too long|too many tokens|exceeds the (?:maximum|model)/i;

function isApiError(error: unknown): error is ApiErrorLike {
  return error instanceof OpenAI.APIError || error instanceof Anthropic.APIError;
}

/** The one Retry-After parser (spec), re-exported for this package's callers. */
export { retryAfterMs };

/** `{error:{message,type,param,code}}` (OpenAI) or `{type:'error', error:{type,message}}` (Anthropic) -> fields. */
function providerErrorFields(body: unknown): { type?: string; code?: string; message?: string; param?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const inner = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : record;
  const pick = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { type: pick(inner.type), code: pick(inner.code) ?? (typeof inner.code === 'number' ? String(inner.code) : undefined), message: pick(inner.message), param: pick(inner.param) };
}

/** The upstream request fields this plugin fills from a GenerationParameters key (OpenAI's and Anthropic's names). */
const PARAMETER_FOR_UPSTREAM_FIELD: Readonly<Record<string, string>> = {
  max_tokens: 'maxTokens',
  max_completion_tokens: 'maxTokens',
  top_p: 'topP',
  top_k: 'topK',
  stop_sequences: 'stop',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
  logit_bias: 'logitBias',
  tool_choice: 'toolChoice',
  parallel_tool_calls: 'parallelToolCalls',
  response_format: 'responseFormat',
  reasoning_effort: 'reasoningEffort',
  service_tier: 'serviceTier',
  'metadata.user_id': 'user',
};

/** A field path as providers write one (`temperature`, `messages[0].content`): anything else is not echoed. */
const FIELD_PATH = /^[A-Za-z_]\w{0,63}(?:\.[A-Za-z_]\w{0,63}|\[\d{1,6}\])*$/;
const MAX_FIELD_CHARS = 200;

/**
 * The provider's `param` as `details.field`: a parameter this plugin sent is named by its GenerationParameters key
 * (each server face turns that into the field its caller sent: `maxTokens` -> `max_output_tokens`), any other path
 * (`messages[2].content`) as the provider wrote it. A param that is not a plain field path, or quotes a secret, is dropped.
 */
function fieldOfProviderParam(param: string | undefined, secrets: readonly (string | undefined)[] = []): string | undefined {
  if (param === undefined || param.length > MAX_FIELD_CHARS || !FIELD_PATH.test(param) || scrub(param, secrets) !== param) return undefined;
  return PARAMETER_FOR_UPSTREAM_FIELD[param] ?? param;
}

function scrub(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

function codeForStatus(status: number, fields: { type?: string; code?: string; message?: string }): { code: ErrorCode; retriable: boolean } {
  const text = `${fields.type ?? ''} ${fields.code ?? ''} ${fields.message ?? ''}`;
  if (status === 429) return { code: 'RATE_LIMITED', retriable: true };
  if (status === 529 || status === 503 || fields.type === 'overloaded_error') return { code: 'OVERLOADED', retriable: true };
  if (status === 401 || status === 403) return { code: 'PROVIDER_AUTH', retriable: false };
  if (CONTEXT_PATTERN.test(text)) return { code: 'CONTEXT_WINDOW_EXCEEDED', retriable: false };
  if (status === 404 && /model/i.test(text)) return { code: 'NO_SUCH_MODEL', retriable: false };
  if (status === 400 || status === 422) return { code: 'INVALID_INPUT', retriable: false };
  if (status === 408) return { code: 'TIMEOUT', retriable: true };
  return { code: 'PROVIDER_ERROR', retriable: status >= 500 };
}

function isDroppedConnection(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (e.message === 'terminated' || code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE') return true;
  }
  return false;
}

/**
 * Maps whatever an SDK call threw to a SwitchyardError. Provider text is scrubbed of secrets and the raw
 * SDK error is not attached to API errors (it can carry request data); status, type, code and the field named by
 * the provider's `param` go in details.
 */
export function toCloudLlmError(error: unknown, context: ErrorContext): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  const where = `${context.engineId}${context.model ? ` (model '${context.model}')` : ''}`;
  const base = { engine: context.engineId, ...(context.model ? { model: context.model } : {}) };
  if (context.signal?.aborted || error instanceof OpenAI.APIUserAbortError || error instanceof Anthropic.APIUserAbortError || isAbortError(error)) {
    return new SwitchyardError({ code: 'ABORTED', message: `${where}: the call was aborted`, details: base });
  }
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof Anthropic.APIConnectionTimeoutError) {
    return new SwitchyardError({ code: 'TIMEOUT', retriable: true, message: `${where}: the provider did not answer in time`, details: base });
  }
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError || isDroppedConnection(error)) {
    const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    return new SwitchyardError({ code: 'CONNECTION_FAILED', retriable: true, message: `${where}: connection failed: ${scrub(reason, context.secrets)}`, details: base });
  }
  if (isApiError(error) && typeof error.status === 'number') {
    const fields = providerErrorFields(error.error);
    const { code, retriable } = codeForStatus(error.status, fields);
    const wait = retryAfterMs(error.headers);
    const providerMessage = scrub(fields.message ?? error.message, context.secrets);
    const field = fieldOfProviderParam(fields.param, context.secrets);
    return new SwitchyardError({
      code,
      retriable,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      message: `${where}: HTTP ${error.status}${fields.type ? ` ${fields.type}` : ''}: ${providerMessage}`,
      details: {
        ...base,
        status: error.status,
        ...(fields.type ? { type: fields.type } : {}),
        ...(fields.code ? { providerCode: fields.code } : {}),
        ...(field !== undefined ? { field } : {}),
        ...(error.headers?.get('x-request-id') ? { requestId: error.headers.get('x-request-id') } : {}),
        ...(error.headers?.get('request-id') ? { requestId: error.headers.get('request-id') } : {}),
      },
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SwitchyardError({ code: 'PROVIDER_ERROR', message: `${where}: ${scrub(message, context.secrets)}`, details: base });
}
