/** Shared setup of the ONNX overhead benchmarks: one engine, one Executor and one raw session on the same file. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { CatalogFileProvisioner, createModelCatalog, Executor, type EngineRunRequest, type EngineV1, type TensorMap } from '@switchyard/core';

export interface OverheadModel {
  readonly modelId: string;
  readonly modelDir: string;
  readonly stage: string;
  readonly tensors: TensorMap;
  readonly appDir: string;
}

interface ClosableEngine extends EngineV1 {
  close(): Promise<void>;
}

/** Both sides run with one intra-op thread: on a small shared machine, spinning ORT worker threads only add noise. */
const THREADS = { intraOpNumThreads: 1, interOpNumThreads: 1 } as const;

export async function createOverheadState(createEngine: (options: typeof THREADS) => ClosableEngine, ort: typeof Ort, model: OverheadModel) {
  const metadata = JSON.parse(readFileSync(join(model.modelDir, 'model_metadata.json'), 'utf8'));
  const engine = createEngine(THREADS);
  const catalog = createModelCatalog([{ id: model.modelId, metadata, engine: engine.id }]);
  const provisioner = new CatalogFileProvisioner(() => ({ dir: model.modelDir, metadata }), { appDir: model.appDir });
  const executor = new Executor({ engines: [engine], registry: catalog, provisioner });
  const { files } = await provisioner.provision(model.modelId, new AbortController().signal);
  await engine.doLoad({ id: model.modelId, files, metadata }, new AbortController().signal);
  const stageFile = (metadata.execution_template.stages as { name: string; model_file: string }[]).find((s) => s.name === model.stage)!.model_file;
  // the same session options the engine builds (cpu, graphOptimizationLevel 'all', one thread)
  const raw = await ort.InferenceSession.create(files[stageFile]!, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...THREADS });
  const feeds = Object.fromEntries(Object.entries(model.tensors).map(([name, t]) => [name, new ort.Tensor(t.type as Ort.Tensor.Type, t.data as Ort.Tensor.DataType, t.dims as number[])]));
  const request: EngineRunRequest = { modelId: model.modelId, workload: 'inference', input: { kind: 'tensors', tensors: model.tensors, stage: model.stage } };
  const target = { engine: engine.id, model: model.modelId, target: 'local' as const };
  const signal = new AbortController().signal;
  const last: Record<string, Float32Array> = {};
  return {
    runRaw: async () => {
      const out = await raw.run(feeds);
      last['raw'] = out[raw.outputNames[0]!]!.data as Float32Array;
    },
    runEngine: async () => {
      const result = await engine.doRun(request, signal);
      last['engine'] = (result.output as { tensors: TensorMap }).tensors[raw.outputNames[0]!]!.data as Float32Array;
    },
    runExecutor: async () => {
      const result = await executor.execute(target, request, signal);
      last['executor'] = (result.output as { tensors: TensorMap }).tensors[raw.outputNames[0]!]!.data as Float32Array;
    },
    report: () => {
      const maxDiff = (a?: Float32Array, b?: Float32Array) => (a && b ? a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0) : null);
      return { output: raw.outputNames[0], maxAbsDiffEngine: maxDiff(last['raw'], last['engine']), maxAbsDiffExecutor: maxDiff(last['raw'], last['executor']) };
    },
    close: async () => {
      await raw.release();
      await engine.close();
    },
  };
}
