import type { Tokenizer } from '@huggingface/tokenizers';
import { loadTokenizers } from './native-modules.js';
import { stepFailure } from './step-errors.js';
import type { StepEnvironment } from './step-kernel.js';
import { readStepFile } from './step-tensor.js';

/**
 * Loads a Hugging Face `tokenizer.json` (BPE, WordPiece, Unigram/SentencePiece) into @huggingface/tokenizers.
 * A BERT-style `vocab.txt` (one WordPiece token per line) is accepted too: it gets the standard
 * uncased BERT pipeline ([CLS] x [SEP]).
 */
export async function loadTokenizerFile(env: StepEnvironment, name: string, field: string): Promise<Tokenizer> {
  return (await loadTokenizerFileWithSettings(env, name, field)).tokenizer;
}

/** tokenizer.json `truncation` / `padding` (the Rust tokenizers crate applies them on encode; the JS one does not). */
export interface TokenizerFileSettings {
  readonly truncation?: { readonly max_length: number; readonly direction?: 'Right' | 'Left' };
  readonly padding?: {
    readonly strategy: 'BatchLongest' | { readonly Fixed: number };
    readonly direction?: 'Right' | 'Left';
    readonly pad_id?: number;
    readonly pad_type_id?: number;
    readonly pad_to_multiple_of?: number | null;
  };
}

export async function loadTokenizerFileWithSettings(env: StepEnvironment, name: string, field: string): Promise<{ tokenizer: Tokenizer; settings: TokenizerFileSettings }> {
  const text = await readStepFile(env, name, field);
  let json: Record<string, unknown>;
  if (name.endsWith('.txt')) {
    json = bertTokenizerJson(text.split(/\r?\n/).filter((line) => line.length > 0));
  } else {
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw stepFailure(env, `${field} '${name}' is not valid JSON`, error, { field, file: name });
    }
    if (typeof json !== 'object' || json === null || typeof json.model !== 'object') {
      throw stepFailure(env, `${field} '${name}' is not a tokenizer.json`, undefined, { field, expected: 'an object with a "model" field', found: Object.keys(json ?? {}).join(', ') });
    }
  }
  const settings: TokenizerFileSettings = {
    ...(isRecord(json.truncation) && typeof json.truncation.max_length === 'number' ? { truncation: json.truncation as unknown as NonNullable<TokenizerFileSettings['truncation']> } : {}),
    ...(isRecord(json.padding) ? { padding: json.padding as unknown as NonNullable<TokenizerFileSettings['padding']> } : {}),
  };
  try {
    const { Tokenizer } = await loadTokenizers();
    return { tokenizer: new Tokenizer(json, {}), settings };
  } catch (error) {
    throw stepFailure(env, `cannot build a tokenizer from ${field} '${name}'`, error, { field, file: name });
  }
}

function bertTokenizerJson(tokens: string[]): Record<string, unknown> {
  const vocab = Object.fromEntries(tokens.map((token, id) => [token, id]));
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].filter((t) => t in vocab);
  return {
    version: '1.0',
    added_tokens: special.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]'] ?? 0], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]'] ?? 0], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

/** The id used to pad batches: the tokenizer.json padding config, else a known pad token, else 0. */
export function padTokenId(tokenizer: Tokenizer, json?: { padding?: { pad_id?: number } | null }): number {
  if (json?.padding?.pad_id !== undefined) return json.padding.pad_id;
  for (const token of ['[PAD]', '<pad>', '<|endoftext|>', '</s>']) {
    const id = tokenizer.token_to_id(token);
    if (id !== undefined) return id;
  }
  return 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
