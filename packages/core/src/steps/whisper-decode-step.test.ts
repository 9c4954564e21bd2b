import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { useTextFixtures } from './text-step-fixtures.js';
import { testFrame, testStepEnv } from './step-test-env.js';
import { createWhisperDecodeStep } from './whisper-decode-step.js';

const files = useTextFixtures();

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
