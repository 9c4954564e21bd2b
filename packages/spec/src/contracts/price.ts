/** USD per one million tokens, as providers publish prices. The one price unit of Switchyard. */
export interface Price {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  /** Input tokens read from the provider's prompt cache (default: `inputPerMillion`). */
  readonly cacheReadPerMillion?: number;
  /** Input tokens written to the provider's prompt cache (default: `inputPerMillion`). */
  readonly cacheWritePerMillion?: number;
}

/** The cached parts of an input count (Usage's `cacheReadTokens` / `cacheWriteTokens`, both inside `inputTokens`). */
export interface CachedInputTokens {
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
}

/** A price table keyed by model id (core's `telemetry.prices` also accepts `engine:model` keys). */
export type PriceTable = Readonly<Record<string, Price>>;

/** JSON Schema of one {@link Price} entry (used by the config schema and plugin option schemas). */
export const PRICE_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['inputPerMillion', 'outputPerMillion'],
  properties: {
    inputPerMillion: { type: 'number', minimum: 0 },
    outputPerMillion: { type: 'number', minimum: 0 },
    cacheReadPerMillion: { type: 'number', minimum: 0 },
    cacheWritePerMillion: { type: 'number', minimum: 0 },
  },
} as const;

/**
 * The one cost computation: USD for the given token counts, rounded to 1e-8. `inputTokens` counts every input
 * token; the cached parts of it are priced at the cache prices when the price has them, else at `inputPerMillion`.
 */
export function costUsd(price: Price, inputTokens: number | undefined, outputTokens: number | undefined, cached: CachedInputTokens = {}): number {
  const read = cached.cacheReadTokens ?? 0;
  const write = cached.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, (inputTokens ?? 0) - read - write);
  const input = uncached * price.inputPerMillion + read * (price.cacheReadPerMillion ?? price.inputPerMillion) + write * (price.cacheWritePerMillion ?? price.inputPerMillion);
  const cost = (input + (outputTokens ?? 0) * price.outputPerMillion) / 1_000_000;
  return Math.round(cost * 1e8) / 1e8;
}
