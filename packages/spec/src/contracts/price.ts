/** USD per one million tokens, as providers publish prices. The one price unit of Switchyard. */
export interface Price {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/** A price table keyed by model id (core's `telemetry.prices` also accepts `engine:model` keys). */
export type PriceTable = Readonly<Record<string, Price>>;

/** JSON Schema of one {@link Price} entry (used by the config schema and plugin option schemas). */
export const PRICE_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['inputPerMillion', 'outputPerMillion'],
  properties: { inputPerMillion: { type: 'number', minimum: 0 }, outputPerMillion: { type: 'number', minimum: 0 } },
} as const;

/** The one cost computation: USD for the given token counts, rounded to 1e-8. */
export function costUsd(price: Price, inputTokens: number | undefined, outputTokens: number | undefined): number {
  const cost = ((inputTokens ?? 0) * price.inputPerMillion + (outputTokens ?? 0) * price.outputPerMillion) / 1_000_000;
  return Math.round(cost * 1e8) / 1e8;
}
