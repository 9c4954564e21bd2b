#!/usr/bin/env node
// Writes the two small xybrid-format example models (ONNX graphs + a WordPiece tokenizer.json) used by tests:
//   models/xybrid-digits/model.onnx   28x28 image -> 10 logits (Reshape -> MatMul -> Add), deterministic weights
//   models/xybrid-minilm/model.onnx   token ids -> [1, L, 16] hidden states (embedding Gather + type embedding, masked)
//   models/xybrid-minilm/tokenizer.json  a tiny BERT-style WordPiece tokenizer (Hugging Face tokenizers format)
// Run: node scripts/generate-xybrid-graphs.mjs  (deterministic: re-running gives byte-identical files)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { FLOAT, INT64 } = onnx.TensorProto.DataType;

/** Mulberry32: small seeded PRNG so the weights never change between runs. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const floatTensor = (name, dims, values) => onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: Array.from(values) });
const int64Tensor = (name, dims, values) => onnx.TensorProto.create({ name, dims, dataType: INT64, int64Data: values });
const valueInfo = (name, elemType, dims) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
const node = (opType, inputs, outputs, name, attribute = []) => onnx.NodeProto.create({ opType, input: inputs, output: outputs, name, attribute });

function model(graph) {
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'switchyard-generate-xybrid-graphs',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(proto).finish();
}

function digits() {
  const rand = prng(7);
  const weights = new Float32Array(784 * 10).map(() => (rand() - 0.5) * 0.1);
  // Make class d respond to a band of rows so simple synthetic images classify predictably.
  for (let pixel = 0; pixel < 784; pixel += 1) {
    const row = Math.floor(pixel / 28);
    weights[pixel * 10 + Math.min(9, Math.floor(row / 2.8))] += 0.05;
  }
  const bias = new Float32Array(10).map(() => (rand() - 0.5) * 0.2);
  return model(
    onnx.GraphProto.create({
      name: 'xybrid_digits',
      node: [node('Reshape', ['input', 'flat_shape'], ['flat'], 'flatten'), node('MatMul', ['flat', 'W'], ['scores'], 'dense'), node('Add', ['scores', 'B'], ['logits'], 'bias')],
      initializer: [int64Tensor('flat_shape', [2], [1, 784]), floatTensor('W', [784, 10], weights), floatTensor('B', [10], bias)],
      input: [valueInfo('input', FLOAT, [1, 1, 28, 28])],
      output: [valueInfo('logits', FLOAT, [1, 10])],
    }),
  );
}

const WORDS = (
  'the a an is are was be to of and in on at for with by from this that it as not or but ' +
  'model models text image audio speech run runs fast small local cloud hybrid inference switch yard ' +
  'cat dog bird fish tree house car road city river sea sky sun moon star light dark good bad new old ' +
  'hello world embed embedding sentence token tokens word words vector ##s ##ed ##ing ##er ##ly .'
).split(' ');
const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const VOCAB = [...SPECIAL, ...WORDS, ...'abcdefghijklmnopqrstuvwxyz'.split(''), ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c) => `##${c}`), ',', '!', '?'];
const HIDDEN = 16;

function minilm() {
  const rand = prng(11);
  const embeddings = new Float32Array(VOCAB.length * HIDDEN).map(() => rand() * 2 - 1);
  const types = new Float32Array(2 * HIDDEN).map(() => (rand() * 2 - 1) * 0.1);
  return model(
    onnx.GraphProto.create({
      name: 'xybrid_minilm',
      node: [
        node('Gather', ['word_embeddings', 'input_ids'], ['words'], 'word_lookup'),
        node('Gather', ['type_embeddings', 'token_type_ids'], ['types'], 'type_lookup'),
        node('Add', ['words', 'types'], ['summed'], 'sum'),
        node('Cast', ['attention_mask'], ['mask_f'], 'mask_cast', [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT })]),
        node('Unsqueeze', ['mask_f', 'mask_axes'], ['mask_3d'], 'mask_unsqueeze'),
        node('Mul', ['summed', 'mask_3d'], ['last_hidden_state'], 'mask_apply'),
      ],
      initializer: [floatTensor('word_embeddings', [VOCAB.length, HIDDEN], embeddings), floatTensor('type_embeddings', [2, HIDDEN], types), int64Tensor('mask_axes', [1], [2])],
      input: [valueInfo('input_ids', INT64, ['batch', 'sequence']), valueInfo('attention_mask', INT64, ['batch', 'sequence']), valueInfo('token_type_ids', INT64, ['batch', 'sequence'])],
      output: [valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', HIDDEN])],
    }),
  );
}

function tokenizerJson() {
  const vocab = Object.fromEntries(VOCAB.map((token, id) => [token, id]));
  const special = (content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const token = (id) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map(special),
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

writeFileSync(join(root, 'models/xybrid-digits/model.onnx'), digits());
writeFileSync(join(root, 'models/xybrid-minilm/model.onnx'), minilm());
writeFileSync(join(root, 'models/xybrid-minilm/tokenizer.json'), `${JSON.stringify(tokenizerJson(), null, 2)}\n`);
console.log('wrote models/xybrid-digits/model.onnx, models/xybrid-minilm/{model.onnx,tokenizer.json}');
