import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createInterpretedPipeline,
  ModelProvisioner,
  resolveModelDir,
  type ModelPipeline,
  type PipelineContext,
  type TensorRunner,
} from '@switchyard/core';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { getModel, type ModelId } from '../src/index.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The folder of the switchyard.config.yaml the registry was generated from (its `dir`s are relative to it). */
export const REGISTRY_BASE_DIR = join(REPO_ROOT, 'packages/models');

export interface LoadedTestModel {
  readonly generated: ModelPipeline;
  readonly interpreted: ModelPipeline;
  readonly context: PipelineContext;
  close(): Promise<void>;
}

/**
 * Loads a registry model on the real ONNX engine (files resolved by the real provisioner, npm sources included) and
 * returns its generated pipeline, an interpreted pipeline over the same model_metadata.json, and a shared context.
 */
export async function loadTestModel(id: ModelId): Promise<LoadedTestModel> {
  const entry = getModel(id);
  const dir = resolveModelDir(entry, REGISTRY_BASE_DIR)!;
  const json = (await import(join(dir, 'model_metadata.json'), { with: { type: 'json' } })).default as unknown;
  const { files } = await new ModelProvisioner({ appDir: REPO_ROOT }).resolve(dir, json);
  const engine = createOnnxEngine();
  const signal = new AbortController().signal;
  await engine.doLoad({ id, files, metadata: json }, signal);
  const runner: TensorRunner = {
    async run(stage, tensors, runSignal) {
      const result = await engine.doRun(
        { modelId: id, workload: 'inference', input: { kind: 'tensors', tensors, ...(stage ? { stage } : {}) } },
        runSignal,
      );
      if (result.output.kind !== 'tensors') throw new Error(`expected tensors from ${id}, got ${result.output.kind}`);
      return result.output.tensors;
    },
  };
  return {
    generated: (await entry.loadPipeline()) as ModelPipeline,
    interpreted: createInterpretedPipeline(json, { file: `${entry.dir}/model_metadata.json` }),
    context: { runner, signal, files },
    close: () => engine.doUnload(id, signal),
  };
}
