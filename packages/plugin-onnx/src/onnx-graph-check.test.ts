import { afterEach, describe, expect, it } from 'vitest';
import { MetadataInvalidError } from '@switchyard/core';
import { createOnnxEngine, type OnnxEngine } from './index.js';
import { fixture, rejection, signal } from '../test/fixtures.js';

// add-mul.onnx takes a, b (float32 [batch, 4]) and returns sum, product.
const files = { 'add-mul.onnx': fixture('add-mul.onnx') };
const onnx = (extra: object) => ({ model_id: 'm', version: '1', files: ['add-mul.onnx'], execution_template: { type: 'Onnx', model_file: 'add-mul.onnx' }, ...extra });

describe('OnnxEngine: the metadata must fit the loaded graphs (core stageGraphIssues, as codegen checks the .onnx file)', () => {
  let engine: OnnxEngine;
  afterEach(async () => engine?.close());

  const issuesOf = async (metadata: object): Promise<string[]> => {
    engine = createOnnxEngine();
    const error = await rejection(engine.doLoad({ id: 'm', files, metadata }, signal()));
    if (!MetadataInvalidError.isInstance(error)) throw new Error(`expected METADATA_INVALID, got ${String(error)}`);
    expect(engine.loadedModelIds).toEqual([]);
    return error.issues.map((i) => `${i.pointer} ${i.message} (expected ${i.expected}, found ${i.found})`);
  };

  it('refuses metadata.output_names naming no output of the graph (it used to run and return the whole output map)', async () => {
    expect(await issuesOf(onnx({ metadata: { output_names: ['probs'] } }))).toEqual([
      '/metadata/output_names/0 names no output of add-mul.onnx (expected one of sum, product, found "probs")',
    ]);
  });

  it('refuses stage inputs and outputs naming no tensor of the stage graph', async () => {
    const metadata = { model_id: 'm', version: '1', files: ['add-mul.onnx'], execution_template: { type: 'ModelGraph', stages: [{ name: 's', model_file: 'add-mul.onnx', inputs: ['a', 'c'], outputs: ['total'] }] } };
    expect(await issuesOf(metadata)).toEqual([
      `/execution_template/stages/0/inputs/1 names no input of stage 's' (add-mul.onnx) (expected one of a, b, found "c")`,
      `/execution_template/stages/0/outputs/0 names no output of stage 's' (add-mul.onnx) (expected one of sum, product, found "total")`,
    ]);
  });

  it('refuses metadata.input_shape of another rank than the graph input', async () => {
    expect(await issuesOf(onnx({ metadata: { input_shape: [1, 4, 1] } }))).toEqual([
      "/metadata/input_shape has rank 3 but add-mul.onnx input 'a' has rank 2 (expected 2 dims, found [1,4,1])",
    ]);
  });

  it('loads metadata that fits', async () => {
    engine = createOnnxEngine();
    await engine.doLoad({ id: 'm', files, metadata: onnx({ metadata: { input_names: ['a', 'b'], output_names: ['sum'], input_shape: [1, 4] } }) }, signal());
    expect(engine.loadedModelIds).toEqual(['m']);
  });
});
