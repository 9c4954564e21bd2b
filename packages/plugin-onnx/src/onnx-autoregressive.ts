import { InvalidInputError } from '@switchyard/spec';
import type { GenerationParameters, TensorMap } from '@switchyard/spec';
import type { AutoregressiveMode } from './onnx-model-layout.js';
import type { DecoderLoopOptions } from './onnx-decoder-loop.js';
import { maxTokensFor, parseStopTokens, samplerFor } from './onnx-generation-parameters.js';
import { tensorToNumbers } from './onnx-tensor.js';

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
