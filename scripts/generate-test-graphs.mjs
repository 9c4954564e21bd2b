#!/usr/bin/env node
// Writes the tiny ONNX graphs that plugin-onnx tests run on (packages/plugin-onnx/test-fixtures/).
// Each graph computes something simple enough that the tests can state the exact expected output.
//   node scripts/generate-test-graphs.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '../packages/plugin-onnx/package.json'));
const { onnx } = require('onnx-proto');

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../packages/plugin-onnx/test-fixtures');
const OPSET = 17;
const F32 = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;

/** A value info with static (number) or symbolic (string) dims. */
function value(name, elemType, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        }),
      }),
    }),
  });
}

function constF32(name, dims, values) {
  return onnx.TensorProto.create({ name, dataType: F32, dims, floatData: values });
}

function constI64(name, dims, values) {
  return onnx.TensorProto.create({ name, dataType: I64, dims, int64Data: values });
}

function node(opType, inputs, outputs, attributes = {}) {
  const attribute = Object.entries(attributes).map(([name, v]) =>
    typeof v === 'number' && Number.isInteger(v)
      ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v })
      : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v }),
  );
  return onnx.NodeProto.create({ opType, input: inputs, output: outputs, attribute, name: `${opType}_${outputs[0]}` });
}

function writeModel(file, { nodes, inputs, outputs, initializers = [] }) {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'switchyard-generate-test-graphs',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: onnx.GraphProto.create({ name: file.replace('.onnx', ''), node: nodes, input: inputs, output: outputs, initializer: initializers }),
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  writeFileSync(join(OUT, file), bytes);
  console.log(`wrote ${file} (${bytes.length} bytes)`);
}

/** add-mul: sum = a + b, product = a * b; a and b are float32 [batch, 4] (dim 1 static). */
function addMul() {
  writeModel('add-mul.onnx', {
    inputs: [value('a', F32, ['batch', 4]), value('b', F32, ['batch', 4])],
    outputs: [value('sum', F32, ['batch', 4]), value('product', F32, ['batch', 4])],
    nodes: [node('Add', ['a', 'b'], ['sum']), node('Mul', ['a', 'b'], ['product'])],
  });
}

/**
 * Nodes shared by the decoders: from the per-position cache values `cache` [b,1,T,1] (already concatenated with
 * the past), compute logits [b,s,V] = 2 - (j - m)^2 where m = (cumsum(cache) over T + 1 + extra) mod V, keeping the
 * last s positions (s = input_ids length). So the greedy next token depends on every token held in the KV cache.
 */
function logitsNodes(vocab, cache, extra) {
  const nodes = [
    node('CumSum', [cache, 'axis_t'], ['cs']),
    node('Shape', ['input_ids'], ['s_len'], { start: 1, end: 2 }),
    node('Neg', ['s_len'], ['neg_s']),
    node('Slice', ['cs', 'neg_s', 'int_max', 'axes_t'], ['cs_last']),
    node('Add', ['cs_last', 'one_f'], ['m0']),
  ];
  let m = 'm0';
  if (extra) {
    nodes.push(node('Add', ['m0', extra], ['m1']));
    m = 'm1';
  }
  nodes.push(
    node('Mod', [m, 'vocab_f'], ['m'], { fmod: 1 }),
    node('Squeeze', ['m', 'axes_1'], ['m_sq']),
    node('Sub', ['vocab_range', 'm_sq'], ['diff']),
    node('Mul', ['diff', 'diff'], ['sq']),
    node('Sub', ['logit_top', 'sq'], ['logits']),
  );
  const initializers = [
    constI64('axis_t', [], [2]),
    constI64('int_max', [1], [2 ** 31 - 1]),
    constI64('axes_t', [1], [2]),
    constI64('axes_1', [1], [1]),
    constI64('axes_13', [2], [1, 3]),
    constF32('one_f', [], [1]),
    constF32('logit_top', [], [2]),
    constF32('vocab_f', [], [vocab]),
    constF32('vocab_range', [vocab], Array.from({ length: vocab }, (_, j) => j)),
  ];
  return { nodes, initializers };
}

/**
 * tiny-lm: an optimum-style decoder with a 2-layer KV cache (heads 1, head_dim 1), vocab 16.
 * Layer 0 caches the token ids, layer 1 the position ids; next token (greedy) = (sum of all tokens + sum of all
 * positions + 1) mod 16, so it is only right when past_key_values and position_ids are fed correctly.
 * attention_mask is multiplied by 0 and added so the graph declares and uses it.
 */
function tinyLm() {
  const V = 16;
  const { nodes, initializers } = logitsNodes(V, 'total', 'mask_zero');
  writeModel('tiny-lm.onnx', {
    inputs: [
      value('input_ids', I64, ['batch_size', 'sequence_length']),
      value('attention_mask', I64, ['batch_size', 'total_sequence_length']),
      value('position_ids', I64, ['batch_size', 'sequence_length']),
      value('past_key_values.0.key', F32, ['batch_size', 1, 'past_sequence_length', 1]),
      value('past_key_values.0.value', F32, ['batch_size', 1, 'past_sequence_length', 1]),
      value('past_key_values.1.key', F32, ['batch_size', 1, 'past_sequence_length', 1]),
      value('past_key_values.1.value', F32, ['batch_size', 1, 'past_sequence_length', 1]),
    ],
    outputs: [
      value('logits', F32, ['batch_size', 'sequence_length', V]),
      value('present.0.key', F32, ['batch_size', 1, 'total_sequence_length', 1]),
      value('present.0.value', F32, ['batch_size', 1, 'total_sequence_length', 1]),
      value('present.1.key', F32, ['batch_size', 1, 'total_sequence_length', 1]),
      value('present.1.value', F32, ['batch_size', 1, 'total_sequence_length', 1]),
    ],
    nodes: [
      node('Cast', ['input_ids'], ['ids_f'], { to: F32 }),
      node('Unsqueeze', ['ids_f', 'axes_13'], ['new_k0']),
      node('Cast', ['position_ids'], ['pos_f'], { to: F32 }),
      node('Unsqueeze', ['pos_f', 'axes_13'], ['new_k1']),
      node('Concat', ['past_key_values.0.key', 'new_k0'], ['present.0.key'], { axis: 2 }),
      node('Concat', ['past_key_values.0.value', 'new_k0'], ['present.0.value'], { axis: 2 }),
      node('Concat', ['past_key_values.1.key', 'new_k1'], ['present.1.key'], { axis: 2 }),
      node('Concat', ['past_key_values.1.value', 'new_k1'], ['present.1.value'], { axis: 2 }),
      node('Add', ['present.0.key', 'present.1.key'], ['total']),
      node('Cast', ['attention_mask'], ['mask_f'], { to: F32 }),
      node('ReduceSum', ['mask_f'], ['mask_sum'], { keepdims: 0 }),
      node('Mul', ['mask_sum', 'zero_f'], ['mask_zero']),
      ...nodes,
    ],
    initializers: [...initializers, constF32('zero_f', [], [0])],
  });
}

/**
 * tiny-whisper: encoder last_hidden_state [b,1,1] = sum of input_features [b,4,8]; decoder (vocab 32, one layer of
 * self-attention cache in optimum's `past_key_values.0.decoder.*` naming, no position_ids): next token (greedy) =
 * (sum of all decoder tokens + encoder value + 1) mod 32.
 */
function tinyWhisper() {
  const V = 32;
  writeModel('tiny-whisper-encoder.onnx', {
    inputs: [value('input_features', F32, ['batch_size', 4, 8])],
    outputs: [value('last_hidden_state', F32, ['batch_size', 1, 1])],
    nodes: [node('ReduceSum', ['input_features', 'axes_12'], ['last_hidden_state'], { keepdims: 1 })],
    initializers: [constI64('axes_12', [2], [1, 2])],
  });
  const { nodes, initializers } = logitsNodes(V, 'present.0.decoder.key', 'enc_b');
  writeModel('tiny-whisper-decoder.onnx', {
    inputs: [
      value('input_ids', I64, ['batch_size', 'decoder_sequence_length']),
      value('encoder_hidden_states', F32, ['batch_size', 1, 1]),
      value('past_key_values.0.decoder.key', F32, ['batch_size', 1, 'past_decoder_sequence_length', 1]),
      value('past_key_values.0.decoder.value', F32, ['batch_size', 1, 'past_decoder_sequence_length', 1]),
    ],
    outputs: [
      value('logits', F32, ['batch_size', 'decoder_sequence_length', V]),
      value('present.0.decoder.key', F32, ['batch_size', 1, 'total_decoder_sequence_length', 1]),
      value('present.0.decoder.value', F32, ['batch_size', 1, 'total_decoder_sequence_length', 1]),
    ],
    nodes: [
      node('Cast', ['input_ids'], ['ids_f'], { to: F32 }),
      node('Unsqueeze', ['ids_f', 'axes_13'], ['new_k0']),
      node('Concat', ['past_key_values.0.decoder.key', 'new_k0'], ['present.0.decoder.key'], { axis: 2 }),
      node('Concat', ['past_key_values.0.decoder.value', 'new_k0'], ['present.0.decoder.value'], { axis: 2 }),
      // encoder value [b,1,1] -> [b,1,1,1] so it broadcasts over [b,1,s,1]
      node('Unsqueeze', ['encoder_hidden_states', 'axes_1'], ['enc_b']),
      ...nodes,
    ],
    initializers,
  });
}

/** refine-step: denoised = 0.5 * sample + timestep; sample float32 [1, 4], timestep float32 [1] (IterativeRefinement). */
function refineStep() {
  writeModel('refine-step.onnx', {
    inputs: [value('sample', F32, [1, 4]), value('timestep', F32, [1])],
    outputs: [value('denoised', F32, [1, 4])],
    nodes: [node('Mul', ['sample', 'half'], ['scaled']), node('Add', ['scaled', 'timestep'], ['denoised'])],
    initializers: [constF32('half', [1], [0.5])],
  });
}

mkdirSync(OUT, { recursive: true });
addMul();
tinyLm();
tinyWhisper();
refineStep();
