import { expect } from 'vitest';
import { runEngineConformance } from '@switchyard/testkit';
import { createOnnxEngine, type OnnxEngine } from './index.js';
import { f32, fixture, i64, outputTensors } from '../test/fixtures.js';

const lm = {
  id: 'tiny-lm',
  files: { 'tiny-lm.onnx': fixture('tiny-lm.onnx') },
  metadata: {
    model_id: 'tiny-lm', version: '1', files: ['tiny-lm.onnx'],
    execution_template: { type: 'Onnx', model_file: 'tiny-lm.onnx', execution_mode: { type: 'Autoregressive', max_tokens: 16 } },
  },
};
const generate = (maxTokens: number) => ({
  modelId: 'tiny-lm', workload: 'completion' as const,
  input: { kind: 'tensors' as const, tensors: { input_ids: i64([1, 2], [1, 2]) } }, parameters: { maxTokens },
});

runEngineConformance(() => createOnnxEngine(), {
  name: 'plugin-onnx engine conformance (Autoregressive)',
  model: lm,
  request: generate(4),
  streamRequest: generate(16),
  checkResult: (result) => expect(Array.from(outputTensors(result)['tokens']!.data, Number)).toEqual([5, 12, 11, 10]),
  dispose: (engine) => (engine as OnnxEngine).close(),
});

runEngineConformance(() => createOnnxEngine(), {
  name: 'plugin-onnx engine conformance (SingleShot)',
  model: { id: 'add-mul', files: { 'add-mul.onnx': fixture('add-mul.onnx') } },
  request: { modelId: 'add-mul', workload: 'inference', input: { kind: 'tensors', tensors: { a: f32([1, 2, 3, 4], [1, 4]), b: f32([1, 1, 1, 1], [1, 4]) } } },
  streamRequest: false,
  checkResult: (result) => expect(Array.from(outputTensors(result)['sum']!.data, Number)).toEqual([2, 3, 4, 5]),
  dispose: (engine) => (engine as OnnxEngine).close(),
});
