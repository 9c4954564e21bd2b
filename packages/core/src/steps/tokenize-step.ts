import type { Tokenizer } from '@huggingface/tokenizers';
import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { int64Tensor } from './step-tensor.js';
import { STEP_SLOTS, type TokenizedText } from './step-values.js';
import { loadTokenizerFileWithSettings, padTokenId } from './tokenizer-file.js';

export interface TokenizeParams {
  /** tokenizer.json (any model type) or a WordPiece vocab.txt; a logical name from the model's files. */
  readonly vocab_file: string;
  readonly tokenizer_type: 'BPE' | 'WordPiece' | 'SentencePiece';
  /** Truncate to this many tokens, specials included (default: the tokenizer.json `truncation.max_length`). */
  readonly max_length?: number;
  /**
   * Our extension: add the model's special tokens ([CLS]/[SEP], <s>...); default true, as Hugging Face and
   * sentence-transformers do. xybrid encodes without them: set false for its behaviour.
   */
  readonly add_special_tokens?: boolean;
}

const MODEL_TYPES: Record<TokenizeParams['tokenizer_type'], readonly string[]> = {
  BPE: ['BPE'],
  WordPiece: ['WordPiece'],
  SentencePiece: ['Unigram', 'BPE'],
};

/**
 * Text (or a batch of texts) -> `{input_ids, attention_mask, token_type_ids}` int64 `[batch, width]`, with the
 * tokenizer.json's own `truncation` and `padding` applied as the Rust tokenizers crate does (content truncated so
 * the special tokens stay; padding to the longest row or to `Fixed` length, on the file's side, with its pad ids).
 * `max_length` overrides the file's truncation length. The attention mask is also stored in `frame.slots` for MeanPool.
 */
export async function createTokenizeStep(params: TokenizeParams, env: StepEnvironment): Promise<StepFunction<string | readonly string[], TokenizedText>> {
  if (typeof params.vocab_file !== 'string' || params.vocab_file.length === 0) throw stepFailure(env, 'vocab_file is required', undefined, { field: 'vocab_file' });
  if (!(params.tokenizer_type in MODEL_TYPES)) {
    throw stepFailure(env, `unknown tokenizer_type '${String(params.tokenizer_type)}'`, undefined, { field: 'tokenizer_type', expected: 'BPE | WordPiece | SentencePiece', found: params.tokenizer_type });
  }
  if (params.max_length !== undefined && (!Number.isInteger(params.max_length) || params.max_length < 1)) {
    throw stepFailure(env, 'max_length must be a positive integer', undefined, { field: 'max_length', found: params.max_length });
  }
  const { tokenizer, settings } = await loadTokenizerFileWithSettings(env, params.vocab_file, 'vocab_file');
  const modelType = (tokenizer as unknown as { model?: { config?: { type?: string } } }).model?.config?.type;
  if (modelType !== undefined && !MODEL_TYPES[params.tokenizer_type].includes(modelType)) {
    throw stepFailure(env, `tokenizer_type ${params.tokenizer_type} does not match the tokenizer file`, undefined, { field: 'tokenizer_type', expected: MODEL_TYPES[params.tokenizer_type].join(' or '), found: modelType });
  }
  const padId = settings.padding?.pad_id ?? padTokenId(tokenizer);
  const padTypeId = settings.padding?.pad_type_id ?? 0;
  const padLeft = settings.padding?.direction === 'Left';
  const strategy = settings.padding?.strategy;
  const fixed = typeof strategy === 'object' && strategy !== null && typeof strategy.Fixed === 'number' ? strategy.Fixed : undefined;
  const multiple = settings.padding?.pad_to_multiple_of ?? undefined;
  const maxLength = params.max_length ?? settings.truncation?.max_length;
  const truncateLeft = settings.truncation?.direction === 'Left';
  const addSpecial = params.add_special_tokens ?? true;

  return (input, frame) => {
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== 'string')) {
      throw stepInputError(env, 'expects text', { expected: 'a string or a non-empty array of strings', found: Array.isArray(input) ? 'array with non-strings' : typeof input });
    }
    const rows = texts.map((text) => encodeOne(tokenizer, text, addSpecial, maxLength, truncateLeft));
    let width = settings.padding ? Math.max(fixed ?? 0, ...rows.map((r) => r.ids.length)) : Math.max(...rows.map((r) => r.ids.length));
    if (multiple && multiple > 0 && width % multiple !== 0) width += multiple - (width % multiple);
    const ids: number[] = [], mask: number[] = [], types: number[] = [];
    for (const row of rows) {
      const pad = (value: number): number[] => new Array<number>(width - row.ids.length).fill(value);
      const ones = new Array<number>(row.ids.length).fill(1);
      if (padLeft) {
        ids.push(...pad(padId), ...row.ids);
        mask.push(...pad(0), ...ones);
        types.push(...pad(padTypeId), ...row.typeIds);
      } else {
        ids.push(...row.ids, ...pad(padId));
        mask.push(...ones, ...pad(0));
        types.push(...row.typeIds, ...pad(padTypeId));
      }
    }
    const dims = [rows.length, width];
    const attentionMask = int64Tensor(mask, dims);
    frame.slots.set(STEP_SLOTS.attentionMask, attentionMask);
    return { input_ids: int64Tensor(ids, dims), attention_mask: attentionMask, token_type_ids: int64Tensor(types, dims) };
  };
}

/**
 * Encodes one text; past maxLength the content is cut (from the right, or the left when the file says so) and the
 * special tokens around it are kept, as the tokenizers crate truncates before adding them.
 */
function encodeOne(tokenizer: Tokenizer, text: string, addSpecial: boolean, maxLength: number | undefined, fromLeft: boolean): { ids: number[]; typeIds: number[] } {
  const encoding = tokenizer.encode(text, { add_special_tokens: addSpecial, return_token_type_ids: true });
  const ids = encoding.ids;
  const typeIds = encoding.token_type_ids ?? new Array<number>(ids.length).fill(0);
  if (maxLength === undefined || ids.length <= maxLength) return { ids, typeIds };
  const content = addSpecial ? tokenizer.encode(text, { add_special_tokens: false }).ids : ids;
  const start = addSpecial ? contentOffset(ids, content) : 0;
  const specials = ids.length - content.length;
  const keep = Math.max(0, maxLength - specials);
  const [from, to] = fromLeft ? [start + content.length - keep, start + content.length] : [start, start + keep];
  const pick = <T>(all: readonly T[]): T[] => [...all.slice(0, start), ...all.slice(from, to), ...all.slice(start + content.length)];
  return { ids: pick(ids), typeIds: pick(typeIds) };
}

/** Where the content ids sit inside the ids with specials (after the leading special tokens). */
function contentOffset(withSpecials: readonly number[], content: readonly number[]): number {
  for (let offset = 0; offset + content.length <= withSpecials.length; offset++) {
    if (content.every((id, i) => withSpecials[offset + i] === id)) return offset;
  }
  return 0;
}
