import { describe, expect, it } from 'vitest';
import { createNormalizeStep, createPipelineFrame, type PlannedStep, type StagePlan } from '@switchyard/core';
import { generate } from './generate.js';
import { fixedReshapeDims, normalizeExpression, normalizeFold, softmaxTopKFold, wavStreamFusion } from './fold-steps.js';

/** A planned step from a loose object (tests feed it steps the schema would refuse, e.g. std [0]). */
const step = (params: { type: string } & Record<string, unknown>): PlannedStep => ({
  type: params.type,
  phase: 'preprocessing',
  stage: undefined,
  index: 0,
  params: params as unknown as PlannedStep['params'],
  pointer: '/preprocessing/0',
  label: `preprocessing/0 (${params.type})`,
});

describe('normalizeFold', () => {
  it('folds a one-channel Normalize and nothing else', () => {
    expect(normalizeFold(step({ type: 'Normalize', mean: [0.5], std: [0.25] }))).toEqual({ mean: 0.5, std: 0.25 });
    expect(normalizeFold(step({ type: 'Normalize', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }))).toBeUndefined();
    expect(normalizeFold(step({ type: 'Normalize', mean: [0], std: [255], layout: 'NCHW' }))).toBeUndefined();
    expect(normalizeFold(step({ type: 'Normalize', mean: [-0], std: [1] }))).toBeUndefined();
    expect(normalizeFold(step({ type: 'Normalize', mean: [0], std: [0] }))).toBeUndefined();
    expect(normalizeFold(step({ type: 'Denormalize', mean: [0], std: [1] }))).toBeUndefined();
  });

  it('takes Reshape dims only when none is inferred', () => {
    expect(fixedReshapeDims(step({ type: 'Reshape', shape: [1, 1, 28, 28] }))).toEqual([1, 1, 28, 28]);
    expect(fixedReshapeDims(step({ type: 'Reshape', shape: [1, -1] }))).toBeUndefined();
  });

  it('gives bit-identical values to the Normalize kernel (signed zeros, NaN, infinities, subnormals, rounding)', async () => {
    const values = Float32Array.from([0, -0, 1, -1, 255, 127.5, 1e-45, -1e-45, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 0.1, 1 / 3, 65504.7]);
    const frame = createPipelineFrame(new AbortController().signal);
    const env = { modelId: 'm', step: 'preprocessing/0 (Normalize)', files: {} };
    for (const [mean, std] of [[0, 255], [0.5, 0.5], [0.485, 0.229], [-3, 1], [0, 1], [1e-7, 3e-3], [123.675, 58.395]] as const) {
      const kernel = await createNormalizeStep({ mean: [mean], std: [std] }, env);
      const expected = (await kernel({ type: 'float32', dims: [values.length], data: values }, frame)).data as Float32Array;
      const fold = normalizeFold(step({ type: 'Normalize', mean: [mean], std: [std] }))!;
      const folded = new Function('x', `return ${normalizeExpression(fold, 'x')};`) as (x: number) => number;
      const got = Float32Array.from(values, folded);
      expect(new Uint8Array(got.buffer), `mean ${mean}, std ${std}`).toEqual(new Uint8Array(expected.buffer));
    }
  });
});

describe('softmaxTopKFold', () => {
  it('fuses a Softmax and the TopK after it, with both dims and the labels, and nothing else', () => {
    expect(softmaxTopKFold(step({ type: 'Softmax', dim: 1 }), step({ type: 'TopK', k: 3 }))).toEqual({ softmaxDim: 1, topKDim: undefined, k: 3, labels: undefined });
    expect(softmaxTopKFold(step({ type: 'Softmax' }), step({ type: 'TopK', k: 2, dim: -1, labels: ['a', 'b'] }))).toEqual({ softmaxDim: undefined, topKDim: -1, k: 2, labels: ['a', 'b'] });
    expect(softmaxTopKFold(step({ type: 'TopK', k: 3 }), step({ type: 'Softmax' }))).toBeUndefined();
    expect(softmaxTopKFold(step({ type: 'Softmax', dim: 0.5 }), step({ type: 'TopK', k: 3 }))).toBeUndefined();
    expect(softmaxTopKFold(step({ type: 'Softmax' }), step({ type: 'TopK', k: 0 }))).toBeUndefined();
    expect(softmaxTopKFold(step({ type: 'Softmax' }), step({ type: 'TopK', k: 1, labels: [1] }))).toBeUndefined();
  });
});

describe('emitted folds', () => {
  const model = (preprocessing: unknown[]) => ({
    model_id: 'tiny',
    version: '1',
    execution_template: { type: 'SimpleMode', model_file: 'model.onnx' },
    preprocessing,
    postprocessing: [{ type: 'Softmax', dim: 1 }],
    files: ['model.onnx'],
  });
  const emit = async (preprocessing: unknown[]): Promise<string> => {
    const { files } = await generate({ models: [{ file: 'models/tiny/model_metadata.json', ref: { dir: 'models/tiny' }, metadata: model(preprocessing) }], outDir: 'out' });
    return files.find((f) => f.path.endsWith('pipelines/tiny.ts'))!.contents;
  };

  it('a Normalize on its own: the loop for float32 tensors, the kernel for the rest', async () => {
    const code = await emit([{ type: 'Reshape', shape: [1, -1] }, { type: 'Normalize', mean: [0.5], std: [0.25] }]);
    expect(code).toContain('out[i] = (data[i]! - 0.5) / 0.25;');
    expect(code).toContain('const v1 = await pre0(input, frame);');
    expect(code).toMatch(/isPlainFloat32Tensor\(v1\)\s*\? \{ type: 'float32' as const, dims: \[\.\.\.v1\.dims\], data: pre1Folded\(v1\.data\) \}\s*: await pre1\(v1, frame\);/);
    expect(code).not.toMatch(/as never|as unknown/);
  });

  it('nothing folded for a three-channel Normalize', async () => {
    const code = await emit([{ type: 'Reshape', shape: [1, 3, 2, 2] }, { type: 'Normalize', mean: [0.1, 0.2, 0.3], std: [1, 2, 3] }]);
    expect(code).not.toContain('Folded');
    expect(code).not.toContain('isPlainFloat32Tensor');
    expect(code).toContain('const v2 = await pre1(v1, frame);');
  });

  it("Softmax then TopK: core's fused pass for float32 tensors, the two kernels for the rest", async () => {
    const code = await emit([]);
    expect(code).not.toContain('fusedSoftmaxTopK');
    const { files } = await generate({
      models: [{ file: 'models/tiny/model_metadata.json', ref: { dir: 'models/tiny' }, metadata: { ...model([]), postprocessing: [{ type: 'Softmax' }, { type: 'TopK', k: 2, labels: ['no', 'yes'] }] } }],
      outDir: 'out',
    });
    const fused = files.find((f) => f.path.endsWith('pipelines/tiny.ts'))!.contents;
    expect(fused).toMatch(/\(isPlainFloat32Tensor\(v1\) \? fusedSoftmaxTopK\(v1, undefined, undefined, 2, \['no', 'yes'\]\) : undefined\) \?\?\s*\(await post1\(await post0\(v1, frame\), frame\)\);/);
  });
});

describe('wavStreamFusion', () => {
  const mode: NonNullable<StagePlan['stream']> = { type: 'StatefulStream', window_size: 512, state_shape: [2, 1, 128] };
  const stage = (over: Partial<StagePlan> = {}): StagePlan => ({
    name: 'vad', index: 0, pointer: '/execution_template/stages/0', modelFile: 'model.onnx', inputs: [], outputs: [], batchSize: undefined, stream: mode, pre: [], post: [], ...over,
  });
  it('fuses a VadWavDecode into a stream stage with no preprocessing and no batching, and nothing else', () => {
    expect(wavStreamFusion(step({ type: 'VadWavDecode' }), stage())).toBe(true);
    expect(wavStreamFusion(step({ type: 'AudioDecode' }), stage())).toBe(false);
    expect(wavStreamFusion(step({ type: 'VadWavDecode' }), stage({ stream: undefined }))).toBe(false);
    expect(wavStreamFusion(step({ type: 'VadWavDecode' }), stage({ batchSize: 2 }))).toBe(false);
    expect(wavStreamFusion(step({ type: 'VadWavDecode' }), stage({ pre: [step({ type: 'Normalize', mean: [0], std: [1] })] }))).toBe(false);
  });

  it("emits core's PCM16 window path for a WAV, the step then the stage for the rest", async () => {
    const metadata = {
      model_id: 'vad',
      version: '1',
      execution_template: {
        type: 'ModelGraph',
        stages: [{ name: 'vad', model_file: 'model.onnx', execution_mode: { type: 'StatefulStream', window_size: 512, context_size: 64, sample_rate: 16000, state_shape: [2, 1, 128] } }],
      },
      preprocessing: [{ type: 'VadWavDecode', sample_rate: 16000 }],
      postprocessing: [{ type: 'VadSegmenter' }],
      files: ['model.onnx'],
    };
    const { files } = await generate({ models: [{ file: 'models/vad/model_metadata.json', ref: { dir: 'models/vad' }, metadata }], outDir: 'out' });
    const code = files.find((f) => f.path.endsWith('pipelines/vad.ts'))!.contents;
    expect(code).toContain('const pre0Pcm16 = vadWavPcm16Samples(input, { channels: 1, sample_rate: 16000 });');
    expect(code).toMatch(/const v1 = pre0Pcm16\s*\? await vadStream\.runAllPcm16\(pre0Pcm16, context\.runner, context\.signal, frame\)\s*: await vadStream\.runAll\(await pre0\(input, frame\), context\.runner, context\.signal, frame\);/);
    expect(code).toContain('const v2 = await post0(v1, frame);');
    // The stream session still runs the steps after the stage on pushed samples.
    expect(code).toContain('return vadStream.open(context.runner, context.signal, [post0], settings);');
    expect(code).not.toMatch(/as never|as unknown/);
  });
});
