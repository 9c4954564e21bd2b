import type * as ort from 'onnxruntime-node';
import type { GenerationParameters } from '@switchyard/spec';
import type { WhisperDecoderMode } from './onnx-model-layout.js';
import type { DecoderLoopOptions } from './onnx-decoder-loop.js';
import { maxTokensFor, parseStopTokens, samplerFor } from './onnx-generation-parameters.js';

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
