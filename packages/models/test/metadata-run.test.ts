import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModelFromMetadataFile, writeWav, type Tensor } from '@switchyard/core';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { loadTestModel, REPO_ROOT } from './model-harness.js';

describe('run --metadata: xybrid-format files load and run unchanged through the TemplateExecutor', () => {
  it('embeds text with models/xybrid-minilm (Tokenize WordPiece -> graph -> MeanPool)', async () => {
    const { modelId, output } = await runModelFromMetadataFile({
      path: join(REPO_ROOT, 'models/xybrid-minilm/model_metadata.json'),
      input: 'hello world',
      engine: createOnnxEngine(),
    });
    const embedding = output as Tensor;
    expect(modelId).toBe('xybrid-minilm');
    expect(embedding.dims).toEqual([1, 16]);
    const generated = await loadTestModel('xybrid-minilm');
    expect(await generated.generated.run('hello world', generated.context)).toEqual(embedding);
    await generated.close();
  });

  it('classifies a JSON pixel array with models/xybrid-digits (SimpleMode; Reshape, Normalize, Softmax, TopK)', async () => {
    const pixels = Array.from({ length: 784 }, (_, i) => (Math.floor(i / 28) === 20 ? 255 : 0));
    const { output } = await runModelFromMetadataFile({
      path: join(REPO_ROOT, 'models/xybrid-digits/model_metadata.json'),
      input: JSON.stringify(pixels),
      engine: createOnnxEngine(),
    });
    const [top] = output as { index: number; score: number }[][];
    expect(top).toHaveLength(3);
    // The generated graph's weights favour class floor(row / 2.8) for a bright row.
    expect(top![0]!.index).toBe(7);
    expect(top![0]!.score).toBeGreaterThan(top![1]!.score);
  });

  it('resolves npm sources (sha256-checked) and reads a WAV path for the silero-vad pack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-run-'));
    try {
      const wav = join(dir, 'silence.wav');
      writeFileSync(wav, writeWav(new Float32Array(16000), 16000));
      const { output } = await runModelFromMetadataFile({ path: join(REPO_ROOT, 'packages/model-silero-vad/model_metadata.json'), input: wav, engine: createOnnxEngine() });
      expect(output).toEqual({ segments: [], duration_ms: 1000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the model and the input when the argument does not fit the first step', async () => {
    await expect(
      runModelFromMetadataFile({ path: join(REPO_ROOT, 'models/xybrid-digits/model_metadata.json'), input: 'not json', engine: createOnnxEngine() }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining("Model 'xybrid-digits' (first step Reshape): cannot read input 'not json'") });
  });
});
