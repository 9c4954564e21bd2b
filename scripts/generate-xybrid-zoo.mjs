#!/usr/bin/env node
// Writes tiny stand-ins for the model zoo xybrid's fixtures name (integration-tests/fixtures/models/*), with the
// real models' input/output names, dtypes and ranks, into test-fixtures/xybrid-zoo/<model>/:
//   mnist/model.onnx               Input3 float32 [1,1,28,28] -> Plus214_Output_0 float32 [1,10]   (mnist-12)
//   mobilenet/mobilenetv2-12.onnx  input float32 [1,3,224,224] -> output float32 [1,1000]          (mobilenetv2-12)
//   resnet50/resnet50-v2-7.onnx    data float32 [N,3,224,224] -> resnetv24_dense0_fwd [N,1000]     (resnet50-v2-7)
//   all-minilm/model.onnx          input_ids, attention_mask, token_type_ids int64 [batch,sequence]
//                                  -> last_hidden_state float32 [batch,sequence,384]              (all-MiniLM-L6-v2)
//   distilbert/model.onnx          input_ids, attention_mask int64 [batch,sequence]
//                                  -> last_hidden_state float32 [batch,sequence,768]              (DistilBERT)
// plus a WordPiece tokenizer.json for the two text models, and the inputs (mnist digit.json, mobilenet photo.png,
// text models sentence.txt). The model_metadata.json files beside them are written by hand, in xybrid's format.
// Every weight is a closed-form function of its indices (see WEIGHTS below), so tests recompute the reference output
// with plain arithmetic. Run: node scripts/generate-xybrid-zoo.mjs (deterministic).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
// The weights and inputs, shared with the tests (which recompute the reference outputs from them).
import { WEIGHTS, zooPixel, ZOO_SENTENCE, ZOO_VOCAB } from '../test-fixtures/xybrid-zoo/zoo-reference.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sharp = createRequire(join(root, 'packages/core/package.json'))('sharp');
const { onnx } = onnxProto;
const { FLOAT, INT64 } = onnx.TensorProto.DataType;
const OUT = join(root, 'test-fixtures/xybrid-zoo');

const floatTensor = (name, dims, values) => onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: Array.from(values) });
const int64Tensor = (name, dims, values) => onnx.TensorProto.create({ name, dims, dataType: INT64, int64Data: values });
const valueInfo = (name, elemType, dims) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
const node = (opType, inputs, outputs, attribute = []) => onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute });
const castTo = (to) => [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to })];
const table = (rows, cols, fn) => Float32Array.from({ length: rows * cols }, (_, k) => fn(Math.floor(k / cols), k % cols));

function write(dir, file, graph) {
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: 'switchyard-generate-xybrid-zoo', opsetImport: [{ domain: '', version: 13 }], graph })).finish();
  mkdirSync(join(OUT, dir), { recursive: true });
  writeFileSync(join(OUT, dir, file), bytes);
  console.log(`wrote test-fixtures/xybrid-zoo/${dir}/${file} (${bytes.length} bytes)`);
}

// mnist-12: flatten -> dense 784x10.
write('mnist', 'model.onnx', onnx.GraphProto.create({
  name: 'mnist_stand_in',
  node: [node('Reshape', ['Input3', 'flat'], ['x']), node('MatMul', ['x', 'W'], ['xw']), node('Add', ['xw', 'B'], ['Plus214_Output_0'])],
  initializer: [int64Tensor('flat', [2], [1, 784]), floatTensor('W', [784, 10], table(784, 10, WEIGHTS.mnist.w)), floatTensor('B', [10], table(1, 10, (_, j) => WEIGHTS.mnist.b(j)))],
  input: [valueInfo('Input3', FLOAT, [1, 1, 28, 28])],
  output: [valueInfo('Plus214_Output_0', FLOAT, [1, 10])],
}));

// mobilenetv2-12 / resnet50-v2-7: global average pool -> dense 3x1000.
const classifier = (name, input, output, batch, weights) => onnx.GraphProto.create({
  name,
  node: [node('GlobalAveragePool', [input], ['pooled']), node('Reshape', ['pooled', 'flat'], ['x']), node('MatMul', ['x', 'W'], ['xw']), node('Add', ['xw', 'B'], [output])],
  initializer: [int64Tensor('flat', [2], [-1, 3]), floatTensor('W', [3, 1000], table(3, 1000, weights.w)), floatTensor('B', [1000], table(1, 1000, (_, j) => weights.b(j)))],
  input: [valueInfo(input, FLOAT, [batch, 3, 224, 224])],
  output: [valueInfo(output, FLOAT, [batch, 1000])],
});
write('mobilenet', 'mobilenetv2-12.onnx', classifier('mobilenet_stand_in', 'input', 'output', 1, WEIGHTS.mobilenet));
write('resnet50', 'resnet50-v2-7.onnx', classifier('resnet50_stand_in', 'data', 'resnetv24_dense0_fwd', 'N', WEIGHTS.resnet50));

// Text encoders: hidden[t, h] = id_t * A[h] + B[h] (+ type_t * C[h]) (+ mask_t * D[h]); a linear "embedding".
const column = (name, n, fn) => floatTensor(name, [n], Float32Array.from({ length: n }, (_, h) => fn(h)));
const encoder = (name, hidden, weights, withTypes) => onnx.GraphProto.create({
  name,
  node: [
    node('Cast', ['input_ids'], ['ids_f'], castTo(FLOAT)),
    node('Unsqueeze', ['ids_f', 'last_axis'], ['ids_3d']),
    node('Mul', ['ids_3d', 'A'], ['ids_a']),
    node('Add', ['ids_a', 'B'], ['base']),
    node('Cast', ['attention_mask'], ['mask_f'], castTo(FLOAT)),
    node('Unsqueeze', ['mask_f', 'last_axis'], ['mask_3d']),
    node('Mul', ['mask_3d', 'D'], ['mask_d']),
    ...(withTypes
      ? [node('Add', ['base', 'mask_d'], ['with_mask']), node('Cast', ['token_type_ids'], ['types_f'], castTo(FLOAT)), node('Unsqueeze', ['types_f', 'last_axis'], ['types_3d']), node('Mul', ['types_3d', 'C'], ['types_c']), node('Add', ['with_mask', 'types_c'], ['last_hidden_state'])]
      : [node('Add', ['base', 'mask_d'], ['last_hidden_state'])]),
  ],
  initializer: [int64Tensor('last_axis', [1], [2]), column('A', hidden, weights.a), column('B', hidden, weights.b), column('D', hidden, weights.d), ...(withTypes ? [column('C', hidden, weights.c)] : [])],
  input: [
    valueInfo('input_ids', INT64, ['batch', 'sequence']),
    valueInfo('attention_mask', INT64, ['batch', 'sequence']),
    ...(withTypes ? [valueInfo('token_type_ids', INT64, ['batch', 'sequence'])] : []),
  ],
  output: [valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', hidden])],
});
write('all-minilm', 'model.onnx', encoder('minilm_stand_in', 384, WEIGHTS.minilm, true));
write('distilbert', 'model.onnx', encoder('distilbert_stand_in', 768, WEIGHTS.distilbert, false));

// A BERT WordPiece tokenizer.json as Hugging Face writes it, with all-MiniLM-L6-v2's own truncation/padding shape.
function tokenizerJson(padding) {
  const vocab = Object.fromEntries(ZOO_VOCAB.map((token, id) => [token, id]));
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const token = (id) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: 128, strategy: 'LongestFirst', stride: 0 },
    padding,
    added_tokens: specials.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, token('[SEP]')],
      pair: [token('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, token('[SEP]'), { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}
// all-MiniLM-L6-v2's file pads to a fixed 128; DistilBERT's pads to the longest in the batch.
const fixed = { strategy: { Fixed: 128 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' };
const longest = { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null, pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' };
writeFileSync(join(OUT, 'all-minilm/tokenizer.json'), `${JSON.stringify(tokenizerJson(fixed), null, 2)}\n`);
writeFileSync(join(OUT, 'distilbert/tokenizer.json'), `${JSON.stringify(tokenizerJson(longest), null, 2)}\n`);
for (const dir of ['all-minilm', 'distilbert']) writeFileSync(join(OUT, dir, 'sentence.txt'), `${ZOO_SENTENCE}\n`);

// Inputs: a 28x28 "digit" as a flat JSON tensor of 0..255 values, and a 256x256 RGB PNG.
writeFileSync(join(OUT, 'mnist/digit.json'), `${JSON.stringify(Array.from({ length: 784 }, (_, i) => zooPixel.mnist(i)))}\n`);
const photo = Buffer.alloc(256 * 256 * 3);
for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) for (let c = 0; c < 3; c++) photo[(y * 256 + x) * 3 + c] = zooPixel.photo(x, y, c);
await sharp(photo, { raw: { width: 256, height: 256, channels: 3 } }).png({ compressionLevel: 9 }).toFile(join(OUT, 'mobilenet/photo.png'));
console.log('wrote tokenizers and inputs');
