import { costUsd, type Price, type Usage } from '@switchyard/spec';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The token counts a provider reported; absent = not reported (never taken as 0). */
export type UsageCounts = Pick<Usage, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'reasoningTokens'>;

/** Builds a Usage from the counts the provider reported, adding costUsd when the price table has the model. */
export function usageWithCost(counts: UsageCounts, price: Price | undefined): Usage {
  const { inputTokens, outputTokens } = counts;
  const usage: Mutable<Usage> = {};
  if (inputTokens !== undefined) usage.inputTokens = inputTokens;
  if (outputTokens !== undefined) usage.outputTokens = outputTokens;
  if (inputTokens !== undefined || outputTokens !== undefined) usage.totalTokens = (inputTokens ?? 0) + (outputTokens ?? 0);
  if (counts.cacheReadTokens !== undefined) usage.cacheReadTokens = counts.cacheReadTokens;
  if (counts.cacheWriteTokens !== undefined) usage.cacheWriteTokens = counts.cacheWriteTokens;
  if (counts.reasoningTokens !== undefined) usage.reasoningTokens = counts.reasoningTokens;
  if (price && (inputTokens !== undefined || outputTokens !== undefined)) usage.costUsd = costUsd(price, inputTokens, outputTokens, counts);
  return usage;
}

/** OpenAI's `usage` object (chat completions and embeddings); `prompt_tokens` already counts the cached tokens. */
export interface OpenAiWireUsage {
  readonly prompt_tokens?: number | null;
  readonly completion_tokens?: number | null;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number | null } | null;
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number | null } | null;
}

export function openAiUsageCounts(usage: OpenAiWireUsage | null | undefined): UsageCounts {
  if (!usage) return {};
  const counts: Mutable<UsageCounts> = {};
  if (typeof usage.prompt_tokens === 'number') counts.inputTokens = usage.prompt_tokens;
  if (typeof usage.completion_tokens === 'number') counts.outputTokens = usage.completion_tokens;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') counts.cacheReadTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') counts.reasoningTokens = reasoning;
  return counts;
}

/** Anthropic's `usage`: `input_tokens` leaves out the cache reads and writes, which are counted apart. */
export interface AnthropicWireUsage {
  readonly input_tokens?: number | null;
  readonly output_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  readonly cache_creation_input_tokens?: number | null;
}

/** Anthropic usage as Usage counts: inputTokens is every input token (uncached + cache reads + cache writes). */
export function anthropicUsageCounts(usage: AnthropicWireUsage): UsageCounts {
  const counts: Mutable<UsageCounts> = {};
  const read = typeof usage.cache_read_input_tokens === 'number' ? usage.cache_read_input_tokens : undefined;
  const write = typeof usage.cache_creation_input_tokens === 'number' ? usage.cache_creation_input_tokens : undefined;
  if (typeof usage.input_tokens === 'number') counts.inputTokens = usage.input_tokens + (read ?? 0) + (write ?? 0);
  if (typeof usage.output_tokens === 'number') counts.outputTokens = usage.output_tokens;
  if (read !== undefined) counts.cacheReadTokens = read;
  if (write !== undefined) counts.cacheWriteTokens = write;
  return counts;
}
