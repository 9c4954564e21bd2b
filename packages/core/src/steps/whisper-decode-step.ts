import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { TokenIdsInput } from './step-values.js';
import { toIdArray } from './step-tensor.js';
import { loadTokenizerFile } from './tokenizer-file.js';

export interface WhisperDecodeParams {
  /** The Whisper tokenizer.json (its special tokens: <|startoftranscript|>, language, task, timestamps, <|endoftext|>). */
  readonly tokenizer_file: string;
}

/**
 * Generated Whisper token ids -> transcript text. Special tokens (start, language, task, timestamps, end) are
 * skipped and the text trimmed. A batch `[B, n]` gives one string per row.
 */
export async function createWhisperDecodeStep(params: WhisperDecodeParams, env: StepEnvironment): Promise<StepFunction<TokenIdsInput, string | string[]>> {
  const tokenizer = await loadTokenizerFile(env, params.tokenizer_file, 'tokenizer_file');
  // Timestamp tokens (<|0.00|>...) are added tokens but not always flagged special; skip every <|...|> token.
  const skip = new Set<number>();
  for (const [id, token] of tokenizer.get_added_tokens_decoder()) {
    if (token.special || /^<\|.*\|>$/.test(token.content)) skip.add(id);
  }
  const decodeRow = (ids: number[]): string => tokenizer.decode(ids.filter((id) => !skip.has(id)), { skip_special_tokens: true }).trim();
  return (input) => {
    const rows = toIdArray(input, env);
    return rows.length === 1 ? decodeRow(rows[0]!) : rows.map(decodeRow);
  };
}
