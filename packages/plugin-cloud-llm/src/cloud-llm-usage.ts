import { costUsd, type Price, type Usage } from '@switchyard/spec';

/** Builds a Usage, adding costUsd when the price table has the model. */
export function usageWithCost(
  inputTokens: number | undefined,
  outputTokens: number | undefined,
  price: Price | undefined,
): Usage {
  const usage: { inputTokens?: number; outputTokens?: number; totalTokens?: number; costUsd?: number } = {};
  if (inputTokens !== undefined) usage.inputTokens = inputTokens;
  if (outputTokens !== undefined) usage.outputTokens = outputTokens;
  if (inputTokens !== undefined || outputTokens !== undefined) usage.totalTokens = (inputTokens ?? 0) + (outputTokens ?? 0);
  if (price && (inputTokens !== undefined || outputTokens !== undefined)) {
    usage.costUsd = costUsd(price, inputTokens, outputTokens);
  }
  return usage;
}
