import type * as ort from 'onnxruntime-node';
import { InvalidInputError } from '@switchyard/core';
import type { GenerationParameters, TensorMap } from '@switchyard/core';
import type { AutoregressiveMode, WhisperDecoderMode } from './onnx-model-layout.js';
import { createRandom, TokenSampler } from './onnx-sampling.js';
import type { DecoderLoopOptions } from './onnx-decoder-loop.js';
import { tensorToNumbers } from './onnx-tensor.js';

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

function samplerFor(parameters: GenerationParameters | undefined, repetitionPenalty: number | undefined, suppress?: readonly number[]): TokenSampler {
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

function maxTokensFor(parameters: GenerationParameters | undefined, modeMax: number, where: string): number {
  const max = parameters?.maxTokens ?? modeMax;
  if (!Number.isInteger(max) || max < 0) {
    throw new InvalidInputError({ message: `${where}: maxTokens must be an integer >= 0, found ${max}`, field: 'parameters.maxTokens', expected: 'integer >= 0', found: String(max) });
  }
  return max;
}

/** Autoregressive: the prompt is `input_ids` (int64/int32 [1, n]), or `[start_token_id]` when none is given. */
export function autoregressiveLoopOptions(
  mode: AutoregressiveMode,
  tensors: TensorMap,
  parameters: GenerationParameters | undefined,
  signal: AbortSignal,
  where: string,
): DecoderLoopOptions {
  const ids = tensors['input_ids'];
  let prompt: number[];
  if (ids) {
    if ((ids.type !== 'int64' && ids.type !== 'int32') || ids.dims.length !== 2 || ids.dims[0] !== 1) {
      throw new InvalidInputError({
        message: `${where}: input 'input_ids' must be int64 [1, n], found ${ids.type} [${ids.dims.join(', ')}]`,
        field: 'input_ids', expected: 'int64 [1, n]', found: `${ids.type} [${ids.dims.join(', ')}]`,
      });
    }
    prompt = tensorToNumbers(ids);
  } else if (mode.start_token_id !== undefined) {
    prompt = [mode.start_token_id];
  } else {
    throw new InvalidInputError({ message: `${where}: missing input 'input_ids' (int64 [1, n]) and the mode has no start_token_id`, field: 'input_ids', expected: 'int64 [1, n]', found: 'missing' });
  }
  const stop = new Set(parseStopTokens(parameters?.stop, where));
  if (mode.end_token_id !== undefined) stop.add(mode.end_token_id);
  return {
    prefix: prompt,
    history: [],
    maxTokens: maxTokensFor(parameters, mode.max_tokens, where),
    stopTokens: stop,
    sampler: samplerFor(parameters, parameters?.repetitionPenalty ?? mode.repetition_penalty),
    signal,
  };
}

/** WhisperDecoder: forced prefix [start, language?, task?, no_timestamps?], suppressed tokens, encoder outputs fed every step. */
export function whisperLoopOptions(
  mode: WhisperDecoderMode,
  encoderFeeds: Readonly<Record<string, ort.Tensor>>,
  parameters: GenerationParameters | undefined,
  signal: AbortSignal,
  where: string,
): DecoderLoopOptions {
  const prefix = [mode.start_token_id, mode.language_token_id, mode.task_token_id, mode.no_timestamps_token_id].filter(
    (t): t is number => t !== undefined,
  );
  const stop = new Set(parseStopTokens(parameters?.stop, where));
  stop.add(mode.end_token_id);
  return {
    prefix,
    extraFeeds: encoderFeeds,
    maxTokens: maxTokensFor(parameters, mode.max_tokens, where),
    stopTokens: stop,
    sampler: samplerFor(parameters, parameters?.repetitionPenalty ?? mode.repetition_penalty ?? 1.1, mode.suppress_tokens),
    signal,
  };
}
