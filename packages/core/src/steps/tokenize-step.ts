import type { Tokenizer } from '@huggingface/tokenizers';
import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { int64Tensor } from './step-tensor.js';
import { STEP_SLOTS, type TokenizedText } from './step-values.js';
import { loadTokenizerFile, padTokenId } from './tokenizer-file.js';

export interface TokenizeParams {
  /** tokenizer.json (any model type) or a WordPiece vocab.txt; a logical name from the model's files. */
  readonly vocab_file: string;
  readonly tokenizer_type: 'BPE' | 'WordPiece' | 'SentencePiece';
  readonly max_length?: number;
  /** Our extension: add the model's special tokens ([CLS]/[SEP], <s>...); default true. */
  readonly add_special_tokens?: boolean;
}

const MODEL_TYPES: Record<TokenizeParams['tokenizer_type'], readonly string[]> = {
  BPE: ['BPE'],
  WordPiece: ['WordPiece'],
  SentencePiece: ['Unigram', 'BPE'],
};

/**
 * Text (or a batch of texts) -> `{input_ids, attention_mask, token_type_ids}` int64 `[batch, longest]`, padded
 * with the pad token and truncated to max_length (keeping a trailing special token such as [SEP]). The
 * attention mask is also stored in `frame.slots` for MeanPool.
 */
export async function createTokenizeStep(params: TokenizeParams, env: StepEnvironment): Promise<StepFunction<string | readonly string[], TokenizedText>> {
  if (typeof params.vocab_file !== 'string' || params.vocab_file.length === 0) throw stepFailure(env, 'vocab_file is required', undefined, { field: 'vocab_file' });
  if (!(params.tokenizer_type in MODEL_TYPES)) {
    throw stepFailure(env, `unknown tokenizer_type '${String(params.tokenizer_type)}'`, undefined, { field: 'tokenizer_type', expected: 'BPE | WordPiece | SentencePiece', found: params.tokenizer_type });
  }
  if (params.max_length !== undefined && (!Number.isInteger(params.max_length) || params.max_length < 1)) {
    throw stepFailure(env, 'max_length must be a positive integer', undefined, { field: 'max_length', found: params.max_length });
  }
  const tokenizer = await loadTokenizerFile(env, params.vocab_file, 'vocab_file');
  const modelType = (tokenizer as unknown as { model?: { config?: { type?: string } } }).model?.config?.type;
  if (modelType !== undefined && !MODEL_TYPES[params.tokenizer_type].includes(modelType)) {
    throw stepFailure(env, `tokenizer_type ${params.tokenizer_type} does not match the tokenizer file`, undefined, { field: 'tokenizer_type', expected: MODEL_TYPES[params.tokenizer_type].join(' or '), found: modelType });
  }
  const padId = padTokenId(tokenizer);
  const specialIds = new Set<number>(tokenizer.get_added_tokens_decoder().keys() as Iterable<number>);
  const addSpecial = params.add_special_tokens ?? true;

  return (input, frame) => {
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== 'string')) {
      throw stepInputError(env, 'expects text', { expected: 'a string or a non-empty array of strings', found: Array.isArray(input) ? 'array with non-strings' : typeof input });
    }
    const rows = texts.map((text) => encodeOne(tokenizer, text, addSpecial, params.max_length, specialIds));
    const width = Math.max(...rows.map((r) => r.ids.length));
    const ids: number[] = [], mask: number[] = [], types: number[] = [];
    for (const row of rows) {
      const padding = width - row.ids.length;
      ids.push(...row.ids, ...new Array<number>(padding).fill(padId));
      mask.push(...new Array<number>(row.ids.length).fill(1), ...new Array<number>(padding).fill(0));
      types.push(...row.typeIds, ...new Array<number>(padding).fill(0));
    }
    const dims = [rows.length, width];
    const attentionMask = int64Tensor(mask, dims);
    frame.slots.set(STEP_SLOTS.attentionMask, attentionMask);
    return { input_ids: int64Tensor(ids, dims), attention_mask: attentionMask, token_type_ids: int64Tensor(types, dims) };
  };
}

function encodeOne(tokenizer: Tokenizer, text: string, addSpecial: boolean, maxLength: number | undefined, specialIds: Set<number>): { ids: number[]; typeIds: number[] } {
  const encoding = tokenizer.encode(text, { add_special_tokens: addSpecial, return_token_type_ids: true });
  let ids = encoding.ids;
  let typeIds = encoding.token_type_ids ?? new Array<number>(ids.length).fill(0);
  if (maxLength !== undefined && ids.length > maxLength) {
    const last = ids[ids.length - 1]!;
    const keepLast = addSpecial && specialIds.has(last) && maxLength > 1;
    ids = keepLast ? [...ids.slice(0, maxLength - 1), last] : ids.slice(0, maxLength);
    typeIds = keepLast ? [...typeIds.slice(0, maxLength - 1), typeIds[typeIds.length - 1]!] : typeIds.slice(0, maxLength);
  }
  return { ids, typeIds };
}
