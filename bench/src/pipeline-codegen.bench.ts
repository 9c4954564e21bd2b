/**
 * Generated (ahead-of-time, straight-line) vs interpreted (TemplateExecutor) pipelines, per model in models/ that runs
 * end to end here: pre+post only (graph replaced by a runner replaying recorded outputs) and end to end on the real
 * ONNX engine. Ratios per model: compare `<model>/generated/<mode>` with `<model>/interpreted/<mode>` in the result.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { createInterpretedPipeline, ModelProvisioner, resolveModelDir, writeWav, type ModelPipeline, type PipelineContext, type TensorMap, type TensorRunner } from '@switchyard/core';
import { getModel, type ModelId } from '@switchyard/models';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { defineBenchmark } from '../harness.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The folder of packages/models/switchyard.config.yaml: registry dirs are relative to it, packs resolve from it. */
const REGISTRY_BASE = `${REPO}packages/models`;

function wav(seconds: number): Uint8Array {
  const rate = 16000;
  const samples = Float32Array.from({ length: rate * seconds }, (_, i) => (i % 16000 < 8000 ? (Math.sin(i / 7) * 9000) / 32767 : 0));
  return writeWav(samples, rate);
}

const INPUTS: Partial<Record<ModelId, unknown>> = {
  'xybrid-digits': { type: 'float32', dims: [784], data: Float32Array.from({ length: 784 }, (_, i) => (i * 37) % 256) },
  'xybrid-minilm': 'The small hybrid model runs fast on local inference, and the cloud model runs when it must.',
  'silero-vad': wav(2),
  'paddleocr-v4': new Uint8Array(readFileSync(`${REPO}examples/demo/assets/receipt.png`)),
};

interface BenchModel {
  readonly id: ModelId;
  readonly input: unknown;
  readonly generated: ModelPipeline;
  readonly interpreted: ModelPipeline;
  readonly real: PipelineContext;
  readonly replay: PipelineContext;
}

async function loadModel(id: ModelId, input: unknown, engine: ReturnType<typeof createOnnxEngine>): Promise<BenchModel> {
  const entry = getModel(id);
  const dir = resolveModelDir(entry, REGISTRY_BASE)!;
  const json = JSON.parse(readFileSync(`${dir}/model_metadata.json`, 'utf8')) as unknown;
  const { files } = await new ModelProvisioner({ appDir: REPO }).resolve(dir, json);
  const signal = new AbortController().signal;
  await engine.doLoad({ id, files, metadata: json }, signal);
  const recorded = new Map<string | undefined, TensorMap>();
  const runner: TensorRunner = {
    async run(stage, tensors, runSignal) {
      const result = await engine.doRun({ modelId: id, workload: 'inference', input: { kind: 'tensors', tensors, ...(stage ? { stage } : {}) } }, runSignal);
      if (result.output.kind !== 'tensors') throw new Error(`${id}: expected tensors`);
      recorded.set(stage, result.output.tensors);
      return result.output.tensors;
    },
  };
  const replay: TensorRunner = { run: async (stage) => recorded.get(stage)! };
  const generated = (await entry.loadPipeline()) as ModelPipeline;
  const real = { runner, signal, files };
  await generated.run(input, real); // records the graph outputs the replay runner hands back
  return { id, input, generated, interpreted: createInterpretedPipeline(json), real, replay: { runner: replay, signal, files } };
}

type State = { models: BenchModel[]; engine: ReturnType<typeof createOnnxEngine> };

const model = (state: State, id: ModelId): BenchModel => state.models.find((m) => m.id === id)!;
const cases: Record<string, (state: State) => Promise<unknown>> = {};
for (const id of Object.keys(INPUTS) as ModelId[]) {
  cases[`${id}/interpreted/prepost`] = (s) => model(s, id).interpreted.run(model(s, id).input, model(s, id).replay);
  cases[`${id}/generated/prepost`] = (s) => model(s, id).generated.run(model(s, id).input, model(s, id).replay);
  cases[`${id}/interpreted/e2e`] = (s) => model(s, id).interpreted.run(model(s, id).input, model(s, id).real);
  cases[`${id}/generated/e2e`] = (s) => model(s, id).generated.run(model(s, id).input, model(s, id).real);
}

export default defineBenchmark({
  name: 'pipeline-codegen',
  warmup: 20,
  iterations: 200,
  setup: async (): Promise<State> => {
    const engine = createOnnxEngine();
    const models: BenchModel[] = [];
    for (const [id, input] of Object.entries(INPUTS) as [ModelId, unknown][]) models.push(await loadModel(id, input, engine));
    return { models, engine };
  },
  cases,
  baseline: 'xybrid-digits/interpreted/prepost',
  report: async (state) => {
    const agreement: Record<string, boolean> = {};
    for (const m of state.models) agreement[m.id] = isDeepStrictEqual(await m.generated.run(m.input, m.real), await m.interpreted.run(m.input, m.real));
    return { agreement, pairs: 'ratio per model = median(<id>/generated/<mode>) / median(<id>/interpreted/<mode>)' };
  },
  teardown: async (state) => {
    for (const m of state.models) await state.engine.doUnload(m.id, m.real.signal);
  },
});
