import { InvalidInputError } from '@switchyard/spec';
import type { GenerationParameters } from '@switchyard/spec';
import { createRandom, TokenSampler } from './onnx-sampling.js';

/**
 * `parameters.stop` holds strings; at the token level of the ONNX engine each entry is a token id in decimal
 * ("42"). Anything else is refused rather than ignored.
 */
export function parseStopTokens(stop: readonly string[] | undefined, where: string): number[] {
  return (stop ?? []).map((entry) => {
    if (!/^\d+$/.test(entry.trim())) {
      throw new InvalidInputError({
        message: `${where}: stop entries are token ids for ONNX generation (decimal integers), found '${entry}'`,
        field: 'parameters.stop', expected: 'decimal token id', found: entry,
      });
    }
    return Number(entry.trim());
  });
}

/** The sampler a request asks for (seeded; a random seed when none is given). */
export function samplerFor(parameters: GenerationParameters | undefined, repetitionPenalty: number | undefined, suppress?: readonly number[]): TokenSampler {
  const seed = parameters?.seed ?? Math.floor(Math.random() * 2 ** 32);
  return new TokenSampler(
    {
      ...(parameters?.temperature !== undefined ? { temperature: parameters.temperature } : {}),
      ...(parameters?.topK !== undefined ? { topK: parameters.topK } : {}),
      ...(parameters?.topP !== undefined ? { topP: parameters.topP } : {}),
      ...(repetitionPenalty !== undefined ? { repetitionPenalty } : {}),
      ...(suppress?.length ? { suppress: new Set(suppress) } : {}),
    },
    createRandom(seed),
  );
}

export function maxTokensFor(parameters: GenerationParameters | undefined, modeMax: number, where: string): number {
  const max = parameters?.maxTokens ?? modeMax;
  if (!Number.isInteger(max) || max < 0) {
    throw new InvalidInputError({ message: `${where}: maxTokens must be an integer >= 0, found ${max}`, field: 'parameters.maxTokens', expected: 'integer >= 0', found: String(max) });
  }
  return max;
}

