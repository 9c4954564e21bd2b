/**
 * Orchestrator overhead on PP-OCRv4 end to end (one rendered page): `Orchestrator.run` on the paddleocr-v4 pipeline
 * vs the same pipeline run directly with a TensorRunner over the same ONNX engine's doRun, same image bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CatalogFileProvisioner,
  createModelCatalog,
  createOrchestrationLogger,
  createOrchestrator,
  type ModelPipeline,
  type TensorRunner,
} from '@switchyard/core';
import { getModel } from '@switchyard/models';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { defineBenchmark } from '../harness.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MODEL_DIR = join(REPO, 'packages', 'model-paddleocr-v4');
const MODEL = 'paddleocr-v4';

export default defineBenchmark({
  name: 'orchestrator-overhead-ocr',
  warmup: 3,
  iterations: 40,
  setup: async () => {
    const metadata = JSON.parse(readFileSync(join(MODEL_DIR, 'model_metadata.json'), 'utf8'));
    const engine = createOnnxEngine({ intraOpNumThreads: 1, interOpNumThreads: 1 });
    const pipeline = (await getModel('paddleocr-v4').loadPipeline()) as ModelPipeline;
    const provisioner = new CatalogFileProvisioner(() => ({ dir: MODEL_DIR, metadata }), { appDir: REPO });
    const orchestrator = createOrchestrator({
      engines: [engine],
      registry: createModelCatalog([{ id: MODEL, metadata, engine: engine.id, pipeline }]),
      provisioner,
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
    });
    const image = new Uint8Array(readFileSync(join(REPO, 'examples', 'demo', 'assets', 'receipt.png')));
    const signal = new AbortController().signal;
    const input = { kind: 'image' as const, data: image };
    // Loads the model once (the orchestrator's executor shares the engine's sessions with the direct path).
    await orchestrator.run({ model: MODEL, workload: 'inference', input, target: 'local' });
    const { files } = await provisioner.provision(MODEL, signal);
    const runner: TensorRunner = {
      async run(stage, tensors, runSignal) {
        const result = await engine.doRun({ modelId: MODEL, workload: 'inference', input: stage === undefined ? { kind: 'tensors', tensors } : { kind: 'tensors', tensors, stage } }, runSignal);
        if (result.output.kind !== 'tensors') throw new Error('expected tensors');
        return result.output.tensors;
      },
    };
    return { orchestrator, engine, pipeline, runner, files, input, signal };
  },
  cases: {
    direct: (s) => s.pipeline.run(s.input, { runner: s.runner, signal: s.signal, files: s.files }),
    orchestrator: (s) => s.orchestrator.run({ model: MODEL, workload: 'inference', input: s.input, target: 'local' }),
  },
  baseline: 'direct',
  teardown: (s) => s.engine.close(),
});
