import { costUsd, type Usage } from '@switchyard/spec';
import type { TelemetryConfig } from './telemetry-config.js';

/** Adds `costUsd` from the configured price table (keyed `engine:model` first, then `model`). */
export function withCost(usage: Usage, engine: string, model: string, prices: TelemetryConfig['prices']): Usage {
  const price = prices?.[`${engine}:${model}`] ?? prices?.[model];
  if (!price || usage.costUsd !== undefined) return usage;
  return { ...usage, costUsd: costUsd(price, usage.inputTokens, usage.outputTokens, usage) };
}
