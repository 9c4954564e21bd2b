/**
 * Framework overhead on PP-OCRv4 recognition, one text line [1, 3, 48, 320] per call: the ONNX engine's doRun and
 * the Executor's execute against a raw onnxruntime-node `session.run` on the same model, options and tensors.
 */
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { defineBenchmark } from '../harness.js';
import { createOverheadState } from './onnx-overhead-setup.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function lineTensor() {
  let seed = 7;
  const data = Float32Array.from({ length: 3 * 48 * 320 }, () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32 - 0.5;
  });
  return { x: { type: 'float32' as const, dims: [1, 3, 48, 320], data } };
}

export default defineBenchmark({
  name: 'onnx-overhead-ocr',
  warmup: 5,
  iterations: 60,
  setup: () =>
    createOverheadState(createOnnxEngine, ort, { modelId: 'paddleocr-v4', modelDir: `${REPO}packages/model-paddleocr-v4`, stage: 'rec', tensors: lineTensor(), appDir: REPO }),
  cases: {
    raw: (state) => state.runRaw(),
    engine: (state) => state.runEngine(),
    executor: (state) => state.runExecutor(),
  },
  baseline: 'raw',
  report: (state) => state.report(),
  teardown: (state) => state.close(),
});
