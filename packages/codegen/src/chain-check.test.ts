import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInterpretedPipeline, formatMetadataIssue, MetadataInvalidError, SwitchyardError } from '@switchyard/core';
import { generate } from './generate.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof import('onnx-proto');

const FILE = 'models/m/model_metadata.json';
const FLOAT = 1;
const INT64 = 7;

type Value = [name: string, elemType: number, dims: (number | string)[]];

/** A real (tiny) ONNX ModelProto with the given graph inputs and outputs (an Identity node keeps it well-formed). */
function onnxGraph(inputs: Value[], outputs: Value[]): Uint8Array {
  const value = ([name, elemType, dims]: Value) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: outputs.map(([name], i) => ({ opType: 'Identity', input: [inputs[Math.min(i, inputs.length - 1)]![0]], output: [name] })),
      input: inputs.map(value),
      output: outputs.map(value),
    },
  }).finish();
}

let root: string;
let n = 0;

/** A model folder on disk with `files` written (graphs as ONNX), so codegen checks files and graphs too. */
function folder(files: Record<string, Uint8Array | string>): string {
  const dir = join(root, `m${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(dir, name), contents);
  return dir;
}

async function issuesOf(metadata: object, files?: Record<string, Uint8Array | string>): Promise<string[]> {
  const dir = files ? folder(files) : undefined;
  try {
    await generate({ models: [{ file: FILE, ref: { dir: 'models/m' }, ...(dir ? { root: dir } : {}), metadata }], outDir: 'out' });
  } catch (error) {
    expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
    return (error as MetadataInvalidError).issues.map(formatMetadataIssue);
  }
  return [];
}

const classifier = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  model_id: 'm',
  version: '1',
  execution_template: { type: 'Onnx', model_file: 'model.onnx' },
  preprocessing: [{ type: 'Reshape', shape: [1, 4] }, { type: 'Normalize', mean: [0], std: [1] }],
  postprocessing: [{ type: 'Softmax', dim: 1 }, { type: 'TopK', k: 2 }],
  files: ['model.onnx'],
  ...over,
});
const classifierGraph = (): Uint8Array => onnxGraph([['input', FLOAT, ['batch', 4]]], [['logits', FLOAT, ['batch', 3]]]);

const embedder = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  model_id: 'm',
  version: '1',
  execution_template: { type: 'Onnx', model_file: 'model.onnx' },
  preprocessing: [{ type: 'Tokenize', vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece', max_length: 8 }],
  postprocessing: [{ type: 'MeanPool', dim: 1 }],
  files: ['model.onnx', 'tokenizer.json'],
  ...over,
});
const embedderGraph = (dtype = INT64, rank = 3, names = ['input_ids', 'attention_mask']): Uint8Array =>
  onnxGraph(names.map((name) => [name, dtype, ['b', 's']]), [['last_hidden_state', FLOAT, ['b', 's', 8].slice(0, rank)]]);

const vad = (mode: Record<string, unknown> = {}): Record<string, unknown> => ({
  model_id: 'm',
  version: '1',
  execution_template: {
    type: 'ModelGraph',
    stages: [{
      name: 'vad',
      model_file: 'model.onnx',
      inputs: ['input', 'state', 'sr'],
      outputs: ['output', 'stateN'],
      execution_mode: { type: 'StatefulStream', window_size: 512, context_size: 64, sample_rate: 16000, audio_input: 'input', state_input: 'state', state_output: 'stateN', sample_rate_input: 'sr', output: 'output', state_shape: [2, 1, 128], ...mode },
    }],
  },
  preprocessing: [{ type: 'VadWavDecode' }],
  postprocessing: [{ type: 'VadSegmenter' }],
  files: ['model.onnx'],
});
const vadGraph = (): Uint8Array =>
  onnxGraph([['input', FLOAT, ['b', 's']], ['state', FLOAT, [2, 'b', 128]], ['sr', INT64, []]], [['output', FLOAT, ['b', 1]], ['stateN', FLOAT, [2, 'b', 128]]]);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'codegen-chain-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** [name, metadata, files on disk (undefined = no folder), one expected located error line] */
const CASES: [string, () => Record<string, unknown>, (() => Record<string, Uint8Array | string>) | undefined, string][] = [
  ['kind: VadWavDecode then CenterCrop', () => classifier({ preprocessing: [{ type: 'VadWavDecode' }, { type: 'CenterCrop', width: 2, height: 2 }], postprocessing: [] }), undefined,
    `${FILE}: /preprocessing/1 (CenterCrop) cannot take what preprocessing/0 (VadWavDecode) returns (expected image | tensor, found samples)`],
  ['kind: Tokenize then Normalize', () => embedder({ preprocessing: [embedder().preprocessing, { type: 'Normalize', mean: [0], std: [1] }].flat() }), undefined,
    `${FILE}: /preprocessing/1 (Normalize) cannot take what preprocessing/0 (Tokenize) returns (expected tensor | image, found tokens`],
  ['kind: TopK then Softmax', () => classifier({ postprocessing: [{ type: 'TopK', k: 2 }, { type: 'Softmax', dim: 1 }] }), undefined,
    `${FILE}: /postprocessing/1 (Softmax) cannot take what postprocessing/0 (TopK) returns (expected tensor | tensors, found scored-indices`],
  ['kind: an image fed to the graph', () => classifier({ preprocessing: [{ type: 'ImageDecode' }] }), undefined,
    `${FILE}: /execution_template the graph cannot take what preprocessing/0 (ImageDecode) returns (expected tensor | tensors, found image`],
  ['kind: graph output into VadSegmenter', () => classifier({ postprocessing: [{ type: 'VadSegmenter' }] }), undefined,
    `${FILE}: /postprocessing/0 (VadSegmenter) cannot take what the graph returns (expected samples, found tensor | tensors`],
  ['kind: OCR boxes into the next stage\'s decoder', () => ({
    model_id: 'm', version: '1', files: ['a.onnx', 'b.onnx'],
    execution_template: { type: 'ModelGraph', stages: [
      { name: 'det', model_file: 'a.onnx', preprocessing: [{ type: 'OcrImageDecode' }, { type: 'OcrDetResize' }], postprocessing: [{ type: 'OcrTextBoxes' }] },
      { name: 'rec', model_file: 'b.onnx', preprocessing: [{ type: 'OcrDetResize' }] },
    ] },
  }), undefined,
    `${FILE}: /execution_template/stages/1/preprocessing/0 (OcrDetResize of stage 'rec') cannot take what stages/det/postprocessing/0 (OcrTextBoxes) returns (expected ocr-image, found ocr-boxes`],
  ['graph: input_names names no graph input', () => classifier({ metadata: { input_names: ['pixels'] } }), () => ({ 'model.onnx': classifierGraph() }),
    `${FILE}: /metadata/input_names/0 names no input of model.onnx (expected one of input, found "pixels")`],
  ['graph: stage output name is not a graph output', () => ({ ...classifier(), execution_template: { type: 'ModelGraph', stages: [{ name: 's', model_file: 'model.onnx', outputs: ['probs'] }] } }), () => ({ 'model.onnx': classifierGraph() }),
    `${FILE}: /execution_template/stages/0/outputs/0 names no output of stage 's' (model.onnx) (expected one of logits, found "probs")`],
  ['graph: Tokenize feeds a float32 input', () => embedder(), () => ({ 'model.onnx': embedderGraph(FLOAT), 'tokenizer.json': '{}' }),
    `${FILE}: /preprocessing/0 returns int64 'input_ids' but model.onnx takes float32 (expected float32, found int64)`],
  ['graph: Normalize feeds an int64 input', () => classifier(), () => ({ 'model.onnx': onnxGraph([['input', INT64, ['b', 4]]], [['logits', FLOAT, ['b', 3]]]) }),
    `${FILE}: /preprocessing/1 returns float32 but model.onnx input 'input' is int64 (expected int64, found float32)`],
  ['graph: Tokenize lacks an input the graph takes', () => embedder(), () => ({ 'model.onnx': embedderGraph(INT64, 3, ['input_ids', 'position_ids']), 'tokenizer.json': '{}' }),
    `${FILE}: /preprocessing/0 returns no tensor 'position_ids', an input of model.onnx (expected input_ids, attention_mask, token_type_ids, found position_ids)`],
  ['graph: Reshape rank differs from the graph input', () => classifier({ preprocessing: [{ type: 'Reshape', shape: [1, 1, 2, 2] }] }), () => ({ 'model.onnx': classifierGraph() }),
    `${FILE}: /preprocessing/0/shape has rank 4 but model.onnx input 'input' has rank 2 (expected 2 dims, found [1,1,2,2])`],
  ['graph: metadata input_shape rank differs', () => classifier({ metadata: { input_shape: [1, 1, 4] } }), () => ({ 'model.onnx': classifierGraph() }),
    `${FILE}: /metadata/input_shape has rank 3 but model.onnx input 'input' has rank 2 (expected 2 dims, found [1,1,4])`],
  ['graph: MeanPool over a rank-2 output', () => embedder(), () => ({ 'model.onnx': embedderGraph(INT64, 2), 'tokenizer.json': '{}' }),
    `${FILE}: /postprocessing/0 pools rank-3 hidden states but model.onnx output 'last_hidden_state' has rank 2 (expected rank 3 [batch, sequence, hidden], found rank 2)`],
  ['graph: Softmax dim out of range', () => classifier({ postprocessing: [{ type: 'Softmax', dim: 2 }] }), () => ({ 'model.onnx': classifierGraph() }),
    `${FILE}: /postprocessing/0/dim is out of range for model.onnx output 'logits' of rank 2 (expected -2 .. 1, found 2)`],
  ['graph: one tensor for a two-input graph', () => classifier(), () => ({ 'model.onnx': onnxGraph([['input', FLOAT, ['b', 4]], ['mask', FLOAT, ['b', 4]]], [['logits', FLOAT, ['b', 3]]]) }),
    `${FILE}: /preprocessing/1 feeds one tensor, but model.onnx also takes mask (expected a TensorMap with input, mask, found one Tensor)`],
  ['stream: state_shape rank differs', () => vad({ state_shape: [2, 128] }), () => ({ 'model.onnx': vadGraph() }),
    `${FILE}: /execution_template/stages/0/execution_mode/state_shape has rank 2 but stage 'vad' (model.onnx) input 'state' has rank 3 (expected 3 dims, found [2,128])`],
  ['stream: sample_rate_input names no graph input', () => vad({ sample_rate_input: 'rate' }), () => ({ 'model.onnx': vadGraph() }),
    `${FILE}: /execution_template/stages/0/execution_mode/sample_rate_input names no input of stage 'vad' (model.onnx) (expected one of input, state, sr, found "rate")`],
  ['file: listed but not in the folder, no source', () => classifier(), () => ({}),
    `${FILE}: /files/0 is not in the model folder and has no source (expected a file model.onnx next to model_metadata.json, or /sources/model.onnx, found nothing)`],
  ['file: npm source package not installed', () => classifier({ sources: { 'model.onnx': { npm: '@acme/no-such-weights', path: 'model.onnx' } } }), () => ({}),
    `${FILE}: /sources/model.onnx/npm names an npm package that is not installed`],
  ['file: not an ONNX model', () => classifier(), () => ({ 'model.onnx': 'not protobuf at all, just text\n' }),
    `${FILE}: /execution_template/model_file is not a readable ONNX model`],
  ['file: escapes the folder with ..', () => classifier({ files: ['model.onnx', '../../secret.onnx'] }), undefined,
    `${FILE}: /files/1 must not contain a ".." segment (expected a relative path inside the model folder, found "../../secret.onnx")`],
  ['file: escapes the folder with an absolute path', () => classifier({ files: ['model.onnx'], sources: { 'model.onnx': { path: '/etc/passwd' } } }), undefined,
    `${FILE}: /sources/model.onnx/path must be a relative path (absolute paths are not allowed) (expected a relative path inside the model folder, found "/etc/passwd")`],
];

describe('codegen checks step chains and graphs before writing (file, JSON pointer, expected, found)', () => {
  it(`has at least 15 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  for (const [name, metadata, files, expected] of CASES) {
    it(name, async () => {
      const issues = await issuesOf(metadata(), files?.());
      expect(issues.some((line) => line.startsWith(expected)), `issues:\n${issues.join('\n')}`).toBe(true);
    });
  }

  // The interpreter loads metadata through the same validator: the same chain cases fail there with the same lines.
  for (const [name, metadata, , expected] of CASES.filter(([name]) => name.startsWith('kind:'))) {
    it(`interpreter: ${name}`, () => {
      let issues: string[] = [];
      try {
        createInterpretedPipeline(metadata(), { file: FILE });
      } catch (error) {
        expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
        issues = (error as MetadataInvalidError).issues.map(formatMetadataIssue);
      }
      expect(issues.some((line) => line.startsWith(expected)), `issues:\n${issues.join('\n')}`).toBe(true);
    });
  }

  it('accepts the coherent models (no false alarms)', async () => {
    expect(await issuesOf(classifier(), { 'model.onnx': classifierGraph() })).toEqual([]);
    expect(await issuesOf(embedder(), { 'model.onnx': embedderGraph(), 'tokenizer.json': '{}' })).toEqual([]);
    expect(await issuesOf(vad(), { 'model.onnx': vadGraph() })).toEqual([]);
  });

  it('skips a disabled stage: its steps are not part of the chain', async () => {
    const metadata = {
      model_id: 'm', version: '1', files: ['a.onnx', 'b.onnx'],
      execution_template: { type: 'ModelGraph', stages: [
        { name: 'a', model_file: 'a.onnx', preprocessing: [{ type: 'Reshape', shape: [1, 4] }] },
        { name: 'off', model_file: 'b.onnx', config: { enabled: false }, postprocessing: [{ type: 'TopK', k: 1 }] },
      ] },
      postprocessing: [{ type: 'Softmax', dim: 1 }],
    };
    expect(await issuesOf(metadata)).toEqual([]);
  });

  it('reports every broken link of a chain, not just the first', async () => {
    const issues = await issuesOf(classifier({ preprocessing: [{ type: 'VadWavDecode' }, { type: 'CenterCrop', width: 2, height: 2 }], postprocessing: [{ type: 'TopK', k: 2 }, { type: 'Softmax', dim: 1 }] }));
    expect(issues.map((l) => l.split(' ')[1])).toEqual(['/preprocessing/1', '/execution_template', '/postprocessing/1']);
  });
});
