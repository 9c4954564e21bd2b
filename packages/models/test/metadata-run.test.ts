import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModelFromMetadataFile, writeWav, type Tensor } from '@switchyard/core';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { loadTestModel, REPO_ROOT } from './model-harness.js';

describe('runModelFromMetadataFile: a metadata file runs through orchestrator.run (the one path), interpreted', () => {
  it('embeds text with models/xybrid-minilm (Tokenize WordPiece -> graph -> MeanPool), as the generated pipeline does', async () => {
    const engine = createOnnxEngine();
    const { modelId, output, pipeline, result } = await runModelFromMetadataFile({
      path: join(REPO_ROOT, 'models/xybrid-minilm/model_metadata.json'),
      input: { kind: 'text', prompt: 'hello world' },
      engine,
    });
    await engine.close();
    const embedding = output as Tensor;
    expect(modelId).toBe('xybrid-minilm');
    expect(pipeline).toBe('interpreted');
    expect(result.decision.engine).toBe('onnx');
    expect(embedding.dims).toEqual([1, 16]);
    const generated = await loadTestModel('xybrid-minilm');
    expect(await generated.generated.run('hello world', generated.context)).toEqual(embedding);
    await generated.close();
  });

  it('classifies a JSON pixel array with models/xybrid-digits (SimpleMode; Reshape, Normalize, Softmax, TopK)', async () => {
    const pixels = Array.from({ length: 784 }, (_, i) => (Math.floor(i / 28) === 20 ? 255 : 0));
    const { output } = await runModelFromMetadataFile({
      path: join(REPO_ROOT, 'models/xybrid-digits'),
      input: { kind: 'json', value: pixels },
      engine: createOnnxEngine(),
    });
    const [top] = output as { index: number; score: number }[][];
    expect(top).toHaveLength(3);
    // The generated graph's weights favour class floor(row / 2.8) for a bright row.
    expect(top![0]!.index).toBe(7);
    expect(top![0]!.score).toBeGreaterThan(top![1]!.score);
  });

  it('resolves npm sources (sha256-checked) and reads a WAV input file for the silero-vad pack (model_id, not the folder name)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-run-'));
    try {
      const wav = join(dir, 'silence.wav');
      writeFileSync(wav, writeWav(new Float32Array(16000), 16000));
      const { modelId, output } = await runModelFromMetadataFile({ path: join(REPO_ROOT, 'packages/model-silero-vad/model_metadata.json'), input: { file: wav }, engine: createOnnxEngine() });
      expect(modelId).toBe('silero-vad');
      expect(output).toEqual({ segments: [], duration_ms: 1000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the input file when it is not a type models take', async () => {
    await expect(
      runModelFromMetadataFile({ path: join(REPO_ROOT, 'models/xybrid-digits/model_metadata.json'), input: { file: 'digit.bmp' }, engine: createOnnxEngine() }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining("input file digit.bmp: unknown input type '.bmp'") });
  });
});
