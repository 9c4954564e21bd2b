import type { Usage } from '@switchyard/spec';
import type { TelemetryConfig } from './telemetry-config.js';

/** Adds `costUsd` from the configured price table (keyed `engine:model` first, then `model`). */
export function withCost(usage: Usage, engine: string, model: string, prices: TelemetryConfig['prices']): Usage {
  const price = prices?.[`${engine}:${model}`] ?? prices?.[model];
  if (!price || usage.costUsd !== undefined) return usage;
  const cost = ((usage.inputTokens ?? 0) * price.inputPer1k + (usage.outputTokens ?? 0) * price.outputPer1k) / 1000;
  return { ...usage, costUsd: Math.round(cost * 1e8) / 1e8 };
}
