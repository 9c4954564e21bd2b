import { describe, expect, it } from 'vitest';
import { createBPEDecodeStep } from './bpe-decode-step.js';
import { useTextFixtures } from './text-step-fixtures.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const files = useTextFixtures();

describe('BPEDecode', () => {
  it('decodes byte-level tokens, including multi-byte UTF-8, per row', async () => {
    const step = await createBPEDecodeStep({ vocab_file: 'vocab.json' }, testStepEnv('p', files));
    expect(await step({ type: 'int64', dims: [1, 4], data: BigInt64Array.from([0n, 1n, 2n, 3n]) }, testFrame())).toBe('Hello worldé!');
    expect(await step([[0, 3], [1]], testFrame())).toEqual(['Hello!', ' world']);
  });

  it("reads xybrid's base64 token list (tiktoken / Whisper tokens.txt: `BASE64 ID` per line)", async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const file = join(mkdtempSync(join(tmpdir(), 'bpe-b64-')), 'tokens.txt');
    writeFileSync(file, [`${b64('Hel')} 0`, `${b64('lo')} 1`, `${b64(' wor')} 2`, `${b64('ld é')} 3`, '<|endoftext|> 4', ''].join('\n'));
    const step = await createBPEDecodeStep({ vocab_file: 'tokens.txt' }, testStepEnv('p', { 'tokens.txt': file }));
    expect(await step([0, 1, 2, 3], testFrame())).toBe('Hello world é');
    expect(await step([0, 1, 4], testFrame())).toBe('Hello<|endoftext|>');
    const skipping = await createBPEDecodeStep({ vocab_file: 'tokens.txt', skip_special_tokens: true }, testStepEnv('p', { 'tokens.txt': file }));
    expect(await skipping([0, 1, 4], testFrame())).toBe('Hello');
  });
});
