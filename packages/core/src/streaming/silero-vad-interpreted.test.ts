import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInterpretedPipeline } from '../template-executor/index.js';
import { createOrtTensorRunner, VAD_FILES } from '../../test-assets/ort-tensor-runner.js';
import type { OrtTensorRunner } from '../../test-assets/ort-tensor-runner.js';
import { createSileroVadPipeline } from './silero-vad-pipeline.js';

// models/silero-vad/model_metadata.json interpreted (VadWavDecode -> StatefulStream stage -> VadSegmenter) must give
// the segments of the hand-written pipeline on the fixture.
const root = new URL('../../../../models/silero-vad/', import.meta.url);
const metadata = JSON.parse(readFileSync(new URL('model_metadata.json', root), 'utf8')) as unknown;
const wav = new Uint8Array(readFileSync(new URL('test/speech-with-pauses.wav', root)));
let runner: OrtTensorRunner;
beforeAll(() => {
  runner = createOrtTensorRunner({ vad: VAD_FILES['silero_vad_v5.onnx'] });
});
afterAll(() => runner.close());

describe('silero-vad metadata through the TemplateExecutor', () => {
  it('gives the same segments as the hand pipeline', async () => {
    const context = { runner, signal: new AbortController().signal, files: VAD_FILES };
    const interpreted = await createInterpretedPipeline(metadata).run(wav, context);
    const hand = await createSileroVadPipeline().run(wav, context);
    const segments = Array.isArray(interpreted) ? interpreted : (interpreted as { segments: unknown }).segments;
    expect(segments).toEqual(hand.segments);
    expect(hand.segments).toHaveLength(3);
  });
});
