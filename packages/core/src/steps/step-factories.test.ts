import { describe, expect, it } from 'vitest';
import * as steps from './index.js';
import { STEP_FACTORIES } from './step-factories.js';

const GENERIC_TAGS = [
  'Argmax', 'AudioDecode', 'AudioResample', 'BPEDecode', 'CTCDecode', 'CenterCrop', 'Denormalize', 'ImageDecode',
  'ImageToTensor', 'MeanPool', 'MelSpectrogram', 'Normalize', 'Phonemize', 'Reshape', 'Resize', 'Softmax',
  'TTSAudioEncode', 'TemperatureSample', 'Threshold', 'Tokenize', 'TopK', 'WhisperDecode',
];

describe('STEP_FACTORIES', () => {
  it('lists every generic step tag', () => {
    for (const tag of GENERIC_TAGS) expect(STEP_FACTORIES[tag], tag).toBeTypeOf('function');
  });

  it('maps each tag to the barrel export create${Tag}Step', () => {
    for (const [tag, factory] of Object.entries(STEP_FACTORIES)) {
      expect((steps as Record<string, unknown>)[`create${tag}Step`], tag).toBe(factory);
    }
  });

  it('keeps its keys sorted', () => {
    const keys = Object.keys(STEP_FACTORIES);
    expect(keys).toEqual([...keys].sort());
  });
});
