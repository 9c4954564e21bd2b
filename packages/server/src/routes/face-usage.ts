import type { SseFrame } from '../server-task.js';

/**
 * The usage of an `end` frame in each face's shape: one mapping from the engine's Usage (the frame's `usage`)
 * for every /v1 face. Only counts the engine reported are used; nothing is counted from the stream.
 */
interface ReportedUsage {
  readonly input?: number;
  readonly output?: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
  readonly reasoning?: number;
}

const count = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

function reported(frame: SseFrame): ReportedUsage {
  const usage = frame.data.usage as Record<string, unknown> | undefined;
  if (!usage) return {};
  return {
    input: count(usage.input_tokens),
    output: count(usage.output_tokens),
    cacheRead: count(usage.cache_read_tokens),
    cacheWrite: count(usage.cache_write_tokens),
    reasoning: count(usage.reasoning_tokens),
  };
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

/** Chat and legacy completions: absent (the face allows it) unless the engine reported both input and output counts. */
export function chatUsage(frame: SseFrame): ChatUsage | undefined {
  const { input, output, cacheRead, cacheWrite, reasoning } = reported(frame);
  if (input === undefined || output === undefined) return undefined;
  const usage: ChatUsage = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
  if (cacheRead !== undefined || cacheWrite !== undefined) {
    usage.prompt_tokens_details = { ...(cacheRead !== undefined ? { cached_tokens: cacheRead } : {}), ...(cacheWrite !== undefined ? { cache_write_tokens: cacheWrite } : {}) };
  }
  if (reasoning !== undefined) usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return usage;
}

/** Responses: `null` unless both counts were reported; the details the type requires are 0 when not reported. */
export function responsesUsage(frame: SseFrame) {
  const { input, output, cacheRead, cacheWrite, reasoning } = reported(frame);
  if (input === undefined || output === undefined) return null;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cacheRead ?? 0, ...(cacheWrite !== undefined ? { cache_write_tokens: cacheWrite } : {}) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning ?? 0 },
    total_tokens: input + output,
  };
}

/**
 * Anthropic Messages: `input_tokens` leaves out the cache reads and writes, as Anthropic counts them. The face
 * requires both counts, so one the engine did not report is 0; cache counts not reported are null.
 */
export function messagesUsage(frame: SseFrame) {
  const { input, output, cacheRead, cacheWrite } = reported(frame);
  return {
    input_tokens: input === undefined ? 0 : Math.max(0, input - (cacheRead ?? 0) - (cacheWrite ?? 0)),
    output_tokens: output ?? 0,
    cache_creation_input_tokens: cacheWrite ?? null,
    cache_read_input_tokens: cacheRead ?? null,
  };
}

/** Embeddings: the face requires the count; 0 when the engine reported none. */
export function embeddingsUsage(frame: SseFrame): { prompt_tokens: number; total_tokens: number } {
  const input = reported(frame).input ?? 0;
  return { prompt_tokens: input, total_tokens: input };
}
