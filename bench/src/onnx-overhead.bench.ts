/**
 * Framework overhead on the Silero VAD v5 model, one 512-sample chunk per call: the ONNX engine's doRun and the
 * Executor's execute (guard + load cache + engine) against a raw onnxruntime-node `session.run` on the same model,
 * the same session options and the same tensors. Target: < 5% over raw.
 */
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { defineBenchmark } from '../harness.js';
import { createOverheadState, type OverheadModel } from './onnx-overhead-setup.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function chunkTensors(): OverheadModel['tensors'] {
  // a deterministic 512-sample chunk: a 220 Hz tone under noise
  let seed = 1;
  const input = Float32Array.from({ length: 512 }, (_, i) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000) + 0.05 * (seed / 2 ** 32 - 0.5);
  });
  return {
    input: { type: 'float32', dims: [1, 512], data: input },
    state: { type: 'float32', dims: [2, 1, 128], data: new Float32Array(256) },
    sr: { type: 'int64', dims: [], data: BigInt64Array.of(16000n) },
  };
}

export default defineBenchmark({
  name: 'onnx-overhead',
  warmup: 50,
  iterations: 300,
  batch: 10,
  setup: () =>
    createOverheadState(createOnnxEngine, ort, {
      modelId: 'silero-vad',
      modelDir: `${REPO}packages/model-silero-vad`,
      stage: 'vad',
      tensors: chunkTensors(),
      appDir: REPO,
    }),
  cases: {
    raw: (state) => state.runRaw(),
    engine: (state) => state.runEngine(),
    executor: (state) => state.runExecutor(),
  },
  baseline: 'raw',
  report: (state) => state.report(),
  teardown: (state) => state.close(),
});
