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
});
