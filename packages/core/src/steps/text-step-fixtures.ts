import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createByteDecoder } from './byte-level-alphabet.js';

/**
 * Test fixtures for the text steps, written to a temp dir: a BERT WordPiece tokenizer.json and vocab.txt, a
 * line-per-token CTC keys file, a GPT-2 byte-level vocab.json, a Whisper-like tokenizer.json, a SentencePiece
 * (Unigram) tokenizer.json and a broken JSON file.
 */
export function writeTextFixtures(): { files: Record<string, string>; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-text-steps-'));
  const files: Record<string, string> = {};
  const write = (name: string, content: string) => { files[name] = join(dir, name); writeFileSync(files[name]!, content); };
  // A small BERT WordPiece tokenizer.json, as the HF tokenizers library writes it.
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', 'un', '##aff', '##able', ',', '!'];
  const v = Object.fromEntries(vocab.map((t, i) => [t, i]));
  write('tokenizer.json', JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content) => ({ id: v[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: v },
  }));
  write('vocab.txt', vocab.join('\n') + '\n');
  write('keys.txt', 'a\nb\nc\n');
  write('broken.json', '{ not json');
  // GPT-2 byte-level vocab: printable bytes map to themselves, space -> 'Ġ'; plus one multi-byte token for 'é'.
  const byteToChar = new Map([...createByteDecoder()].map(([ch, b]) => [b, ch]));
  const enc = (s: string) => [...new TextEncoder().encode(s)].map((b) => byteToChar.get(b)).join('');
  write('vocab.json', JSON.stringify({ [enc('Hello')]: 0, [enc(' world')]: 1, [enc('é')]: 2, [enc('!')]: 3 }));
  // A Whisper-like byte-level BPE tokenizer.json with the special tokens the decoder must drop.
  const wv: Record<string, number> = { [enc('Hello')]: 0, [enc(' world')]: 1, [enc('.')]: 2 };
  const specials = ['<|endoftext|>', '<|startoftranscript|>', '<|en|>', '<|transcribe|>', '<|notimestamps|>'];
  write('whisper-tokenizer.json', JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: [...specials.map((content, i) => ({ id: 50257 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      { id: 50364, content: '<|0.00|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab: wv, merges: [] },
  }));
  // A SentencePiece (Unigram, Metaspace) tokenizer.json, T5-style: no BOS, </s> appended.
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  write('unigram-tokenizer.json', JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    post_processor: { type: 'TemplateProcessing', single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }], pair: [], special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } } },
    decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, byte_fallback: false, vocab: [['<pad>', 0], ['</s>', 0], ['<unk>', 0], ['\u2581hello', -1], ['\u2581world', -1.5], ['\u2581wor', -3], ['ld', -3], ['\u2581', -2], ['s', -2.5]] },
  }));
  return { files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Registers beforeAll/afterAll that write and remove the fixtures; the returned map fills in before the tests run. */
export function useTextFixtures(): Record<string, string> {
  const files: Record<string, string> = {};
  let cleanup = () => {};
  beforeAll(() => {
    const fixtures = writeTextFixtures();
    Object.assign(files, fixtures.files);
    cleanup = fixtures.cleanup;
  });
  afterAll(() => cleanup());
  return files;
}
