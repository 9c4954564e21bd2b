/**
 * Generated (ahead-of-time, straight-line) vs interpreted (TemplateExecutor) pipelines, per model of the registry:
 * pre+post only (graph replaced by a runner replaying recorded outputs) and end to end on the real ONNX engine.
 * Both paths get the same input objects and the same replayed graph outputs. The per-model ratios are the result's
 * `pairs` (`<model>/<mode>`: generated / interpreted). The pre+post cases are measured first, then the end-to-end ones,
 * each in a shuffled order per round: with one fixed cyclic order of all cases each interpreted pre+post case always
 * ran right after an end-to-end case (ORT's intra-op threads still spinning) and each generated one right after its
 * interpreted twin (warm caches), which made generated look 2-6x faster than it is.
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
  /** The replaying context, rewound to the first recorded graph call. */
  readonly replay: () => PipelineContext;
}

async function loadModel(id: ModelId, input: unknown, engine: ReturnType<typeof createOnnxEngine>): Promise<BenchModel> {
  const entry = getModel(id);
  const dir = resolveModelDir(entry, REGISTRY_BASE)!;
  const json = JSON.parse(readFileSync(`${dir}/model_metadata.json`, 'utf8')) as unknown;
  const { files } = await new ModelProvisioner({ appDir: REPO }).resolve(dir, json);
  const signal = new AbortController().signal;
  await engine.doLoad({ id, files, metadata: json }, signal);
  // The first run records every graph call in order; a pre+post run replays them in the same order, so each
  // window (VAD) and each recognition batch (OCR) gets its own real outputs back.
  const recorded: { stage: string | undefined; tensors: TensorMap }[] = [];
  let recording = true;
  const runner: TensorRunner = {
    async run(stage, tensors, runSignal) {
      const result = await engine.doRun({ modelId: id, workload: 'inference', input: { kind: 'tensors', tensors, ...(stage ? { stage } : {}) } }, runSignal);
      if (result.output.kind !== 'tensors') throw new Error(`${id}: expected tensors`);
      // A copy: the replay must not depend on the engine leaving its output buffers alone.
      if (recording) recorded.push({ stage, tensors: Object.fromEntries(Object.entries(result.output.tensors).map(([k, t]) => [k, { ...t, data: t.data.slice() }])) as TensorMap });
      return result.output.tensors;
    },
  };
  let cursor = 0;
  const replay: TensorRunner = {
    async run(stage) {
      const call = recorded[cursor % recorded.length]!;
      cursor += 1;
      if (call.stage !== stage) throw new Error(`${id}: replay expected a call of stage ${String(call.stage)}, got ${String(stage)}`);
      return call.tensors;
    },
  };
  const generated = (await entry.loadPipeline()) as ModelPipeline;
  const real = { runner, signal, files };
  await generated.run(input, real);
  recording = false;
  const replayContext = { runner: replay, signal, files };
  return {
    id,
    input,
    generated,
    interpreted: createInterpretedPipeline(json),
    real,
    replay: () => {
      cursor = 0;
      return replayContext;
    },
  };
}

type State = { models: BenchModel[]; engine: ReturnType<typeof createOnnxEngine> };

const model = (state: State, id: ModelId): BenchModel => state.models.find((m) => m.id === id)!;
const cases: Record<string, (state: State) => Promise<unknown>> = {};
const pairs: Record<string, readonly [string, string]> = {};
for (const id of Object.keys(INPUTS) as ModelId[]) {
  for (const mode of ['prepost', 'e2e']) pairs[`${id}/${mode}`] = [`${id}/generated/${mode}`, `${id}/interpreted/${mode}`];
  cases[`${id}/interpreted/prepost`] = (s) => model(s, id).interpreted.run(model(s, id).input, model(s, id).replay());
  cases[`${id}/generated/prepost`] = (s) => model(s, id).generated.run(model(s, id).input, model(s, id).replay());
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
  order: 'shuffle',
  pairs,
  // Pre+post apart from end to end: an ORT run leaves its intra-op threads spinning on the 2 cores for a while, which
  // would land on whichever cheap case runs next.
  phases: ['prepost', 'e2e'].map((mode) => Object.keys(cases).filter((name) => name.endsWith(`/${mode}`))),
  // The sub-millisecond pre+post cases are timed 20 calls per sample (reported per call), above timer and scheduling noise.
  batches: Object.fromEntries(
    Object.keys(cases).filter((name) => name.endsWith('/prepost') && !name.startsWith('paddleocr-v4/')).map((name) => [name, 20]),
  ),
  baseline: 'xybrid-digits/interpreted/prepost',
  report: async (state) => {
    const agreement: Record<string, boolean> = {};
    const prepostAgreement: Record<string, boolean> = {};
    for (const m of state.models) {
      agreement[m.id] = isDeepStrictEqual(await m.generated.run(m.input, m.real), await m.interpreted.run(m.input, m.real));
      prepostAgreement[m.id] = isDeepStrictEqual(await m.generated.run(m.input, m.replay()), await m.interpreted.run(m.input, m.replay()));
    }
    return { agreement, prepostAgreement };
  },
  teardown: async (state) => {
    for (const m of state.models) await state.engine.doUnload(m.id, m.real.signal);
  },
});
