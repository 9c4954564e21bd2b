import { createSeededRandom } from '@switchyard/core';
/** Token selection for the decoder loops: greedy, or seeded sampling with temperature / top-k / top-p. */

export interface SamplingOptions {
  /** 0 or undefined = greedy. */
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  /** > 0 and != 1 penalises tokens already in the sequence (Hugging Face rule: logit / p if > 0, else logit * p). */
  readonly repetitionPenalty?: number;
  /** Token ids that can never be chosen. */
  readonly suppress?: ReadonlySet<number>;
}

/** A seed reproduces a sampled sequence exactly (the same PRNG as core's TemperatureSample step). */
export const createRandom: (seed: number) => () => number = createSeededRandom;

export function applyRepetitionPenalty(logits: Float32Array, previous: Iterable<number>, penalty: number): void {
  if (!(penalty > 0) || penalty === 1) return;
  const seen = new Set(previous);
  for (const token of seen) {
    if (token < 0 || token >= logits.length) continue;
    const v = logits[token]!;
    logits[token] = v > 0 ? v / penalty : v * penalty;
  }
}

export class TokenSampler {
  constructor(
    private readonly options: SamplingOptions,
    private readonly random: () => number,
  ) {}

  /** Picks the next token from one position's logits (the array is modified in place). */
  next(logits: Float32Array, previous: readonly number[]): number {
    const { suppress, repetitionPenalty, temperature } = this.options;
    if (suppress) for (const token of suppress) if (token >= 0 && token < logits.length) logits[token] = -Infinity;
    if (repetitionPenalty !== undefined) applyRepetitionPenalty(logits, previous, repetitionPenalty);
    if (!temperature || temperature <= 0) return argmax(logits);
    return this.sample(logits, temperature);
  }

  private sample(logits: Float32Array, temperature: number): number {
    const order = Array.from(logits.keys()).filter((i) => logits[i] !== -Infinity);
    order.sort((a, b) => logits[b]! - logits[a]! || a - b);
    const topK = this.options.topK;
    const kept = topK !== undefined && topK > 0 ? order.slice(0, topK) : order;
    const max = logits[kept[0]!]!;
    const weights = kept.map((i) => Math.exp((logits[i]! - max) / temperature));
    const total = weights.reduce((a, b) => a + b, 0);
    let count = kept.length;
    const topP = this.options.topP;
    if (topP !== undefined && topP > 0 && topP < 1) {
      let cumulative = 0;
      for (let i = 0; i < kept.length; i++) {
        cumulative += weights[i]! / total;
        if (cumulative >= topP) {
          count = i + 1;
          break;
        }
      }
    }
    const mass = weights.slice(0, count).reduce((a, b) => a + b, 0);
    let r = this.random() * mass;
    for (let i = 0; i < count; i++) {
      r -= weights[i]!;
      if (r <= 0) return kept[i]!;
    }
    return kept[count - 1]!;
  }
}

export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
