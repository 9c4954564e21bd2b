import { describe, expect, it } from 'vitest';
import { formatMetadataIssue, MetadataInvalidError, SwitchyardError } from '@switchyard/core';
import { generate, type ModelSource } from './generate.js';

const source = (dir: string, metadata: unknown): ModelSource => ({ file: `${dir}/model_metadata.json`, ref: { dir }, metadata });
/** These cases are about the schema: the step chain of valid() is not coherent, chain-check.test.ts covers that. */
const notChain = (line: string): boolean => !line.includes('cannot take what');

const FILE = 'models/bad/model_metadata.json';

function valid(): Record<string, any> {
  return {
    model_id: 'bad',
    version: '1',
    execution_template: { type: 'Onnx', model_file: 'model.onnx' },
    preprocessing: [
      { type: 'Tokenize', vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece', max_length: 8 },
      { type: 'Reshape', shape: [1, -1] },
      { type: 'Resize', width: 4, height: 4 },
    ],
    postprocessing: [{ type: 'Softmax', dim: 1 }, { type: 'TopK', k: 3 }],
    files: ['model.onnx', 'tokenizer.json'],
  };
}

async function issuesOf(mutate: (m: Record<string, any>) => void): Promise<string[]> {
  const metadata = valid();
  mutate(metadata);
  try {
    // strict: unknown fields are errors (without it they are warnings, as xybrid-core's serde ignores them).
    await generate({ models: [source('models/bad', metadata)], outDir: 'out', strict: true });
  } catch (error) {
    expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
    return (error as MetadataInvalidError).issues.map(formatMetadataIssue).filter(notChain);
  }
  throw new Error('expected METADATA_INVALID');
}

/** [name, mutation, one expected located error line] */
const CASES: [string, (m: Record<string, any>) => void, string][] = [
  ['negative width', (m) => (m.preprocessing[2].width = -3), `${FILE}: /preprocessing/2/width must be > 0 (expected integer > 0, found -3)`],
  ['zero height', (m) => (m.preprocessing[2].height = 0), `${FILE}: /preprocessing/2/height must be > 0 (expected integer > 0, found 0)`],
  ['fractional width', (m) => (m.preprocessing[2].width = 2.5), `${FILE}: /preprocessing/2/width must be integer (expected integer > 0, found 2.5)`],
  ['unknown interpolation', (m) => (m.preprocessing[2].interpolation = 'Linear'), `${FILE}: /preprocessing/2/interpolation is not an allowed value (expected one of "Bilinear" | "Nearest" | "Bicubic", found "Linear")`],
  ['misspelt field', (m) => (m.preprocessing[2].widht = 4), `${FILE}: /preprocessing/2/widht is not a known field here (expected one of type, width, height, interpolation, keep_aspect, pad_value, multiple_of, pad_position, layout, found "widht")`],
  ['unknown step type', (m) => (m.preprocessing[1] = { type: 'Sharpen' }), `${FILE}: /preprocessing/1/type is not a known type here`],
  ['postprocessing step used as preprocessing', (m) => (m.preprocessing[1] = { type: 'Softmax' }), `${FILE}: /preprocessing/1/type is not a known type here`],
  ['step without type', (m) => delete m.postprocessing[0].type, `${FILE}: /postprocessing/0/type`],
  ['TopK without k', (m) => delete m.postprocessing[1].k, `${FILE}: /postprocessing/1/k is required (expected integer > 0, found nothing)`],
  ['TopK k as string', (m) => (m.postprocessing[1].k = '3'), `${FILE}: /postprocessing/1/k must be integer (expected integer > 0, found "3")`],
  ['missing model_id', (m) => delete m.model_id, `${FILE}: /model_id is required`],
  ['bad model_id', (m) => (m.model_id = 'Bad Model'), `${FILE}: /model_id must match pattern`],
  ['missing version', (m) => delete m.version, `${FILE}: /version is required (expected string, found nothing)`],
  ['missing execution_template', (m) => delete m.execution_template, `${FILE}: /execution_template is required (expected ExecutionTemplate, found nothing)`],
  ['unknown template', (m) => (m.execution_template = { type: 'Torch', model_file: 'model.onnx' }), `${FILE}: /execution_template/type is not a known type here (expected one of CandleModel | CoreMl | Gguf | ModelGraph | Pipeline | Onnx | SimpleMode | SafeTensors | TfLite, found "Torch")`],
  ['Onnx without model_file', (m) => delete m.execution_template.model_file, `${FILE}: /execution_template/model_file is required`],
  ['model_file not in files', (m) => (m.execution_template.model_file = 'other.onnx'), `${FILE}: /execution_template/model_file names a file that is not listed in /files (expected one of files [model.onnx, tokenizer.json], found "other.onnx")`],
  ['vocab_file not in files', (m) => (m.files = ['model.onnx']), `${FILE}: /preprocessing/0/vocab_file names a file that is not listed in /files (expected one of files [model.onnx], found "tokenizer.json")`],
  ['unknown tokenizer_type', (m) => (m.preprocessing[0].tokenizer_type = 'Unigram'), `${FILE}: /preprocessing/0/tokenizer_type is not an allowed value (expected one of "BPE" | "WordPiece" | "SentencePiece", found "Unigram")`],
  ['two -1 in Reshape', (m) => (m.preprocessing[1].shape = [-1, -1]), `${FILE}: /preprocessing/1/shape may infer (-1) at most one dimension (expected at most one -1, found [-1,-1])`],
  ['Reshape dim below -1', (m) => (m.preprocessing[1].shape = [1, -2]), `${FILE}: /preprocessing/1/shape/1 must be >= -1 (expected integer >= -1, found -2)`],
  ['Normalize std zero', (m) => m.preprocessing.push({ type: 'Normalize', mean: [0], std: [0] }), `${FILE}: /preprocessing/3/std/0 must be > 0 (expected number > 0, found 0)`],
  ['Normalize lengths differ', (m) => m.preprocessing.push({ type: 'Normalize', mean: [0, 0, 0], std: [1, 1] }), `${FILE}: /preprocessing/3/std must have as many values as mean (or one) (expected 3 value(s), found 2 value(s))`],
  ['preprocessing not an array', (m) => (m.preprocessing = { type: 'Reshape' }), `${FILE}: /preprocessing must be array (expected array, found {"type":"Reshape"})`],
  ['duplicate files', (m) => (m.files = ['model.onnx', 'model.onnx', 'tokenizer.json']), `${FILE}: /files must not repeat items`],
  ['unknown top-level field', (m) => (m.preprocesing = []), `${FILE}: /preprocesing is not a known field here`],
  ['bad execution mode', (m) => (m.execution_template.execution_mode = { type: 'Beam' }), `${FILE}: /execution_template/execution_mode/type is not a known type here`],
  ['Autoregressive without max_tokens', (m) => (m.execution_template.execution_mode = { type: 'Autoregressive', start_token_id: 1, end_token_id: 2 }), `${FILE}: /execution_template/execution_mode/max_tokens is required (expected integer > 0, found nothing)`],
  ['ModelGraph with no stages', (m) => (m.execution_template = { type: 'ModelGraph', stages: [] }), `${FILE}: /execution_template/stages must NOT have fewer than 1 items`],
  ['ModelGraph duplicate stage names', (m) => (m.execution_template = { type: 'ModelGraph', stages: [{ name: 's', model_file: 'model.onnx' }, { name: 's', model_file: 'model.onnx' }] }), `${FILE}: /execution_template/stages/1/name repeats the name of stage 0 (expected a unique stage name, found "s")`],
  ['bad stage step', (m) => (m.execution_template = { type: 'ModelGraph', stages: [{ name: 's', model_file: 'model.onnx', postprocessing: [{ type: 'Threshold' }] }] }), `${FILE}: /execution_template/stages/0/postprocessing/0/threshold is required (expected number, found nothing)`],
  ['bad sha256 in sources', (m) => (m.sources = { 'model.onnx': { npm: 'pkg', path: 'a.onnx', sha256: 'xyz' } }), `${FILE}: /sources/model.onnx/sha256 must be 64 hex digits (expected a sha256 as 64 hex digits, found "xyz")`],
  ['bad sha256 in a {path} source', (m) => (m.sources = { 'model.onnx': { path: 'model.onnx', sha256: 'abc' } }), `${FILE}: /sources/model.onnx/sha256 must be 64 hex digits (expected a sha256 as 64 hex digits, found "abc")`],
  ['a source of no evident form', (m) => (m.sources = { 'model.onnx': { sha256: 'abc' } }), `${FILE}: /sources/model.onnx does not match any allowed form (expected {npm, path} | {url} | {path}`],
  ['source for unlisted file', (m) => (m.sources = { 'x.onnx': { path: 'x.onnx' } }), `${FILE}: /sources/x.onnx is a source for a file that is not listed in /files`],
  ['Gguf context_length zero', (m) => (m.execution_template = { type: 'Gguf', model_file: 'model.onnx', context_length: 0 }), `${FILE}: /execution_template/context_length must be > 0 (expected integer > 0, found 0)`],
  ['StatefulStream without window_size', (m) => (m.execution_template = { type: 'ModelGraph', stages: [{ name: 'vad', model_file: 'model.onnx', execution_mode: { type: 'StatefulStream', state_shape: [2, 1, 128] } }] }), `${FILE}: /execution_template/stages/0/execution_mode/window_size is required (expected integer > 0, found nothing)`],
];

describe('bad metadata gives located errors (file, JSON pointer, expected vs found)', () => {
  it(`has at least 25 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  for (const [name, mutate, expected] of CASES) {
    it(name, async () => {
      const issues = await issuesOf(mutate);
      expect(issues.some((line) => line.startsWith(expected)), `issues:\n${issues.join('\n')}`).toBe(true);
    });
  }

  it('reports every problem of every file at once, sorted by file', async () => {
    const a = valid();
    a.preprocessing[2].width = -3;
    a.postprocessing[1].k = 0;
    const b = valid();
    b.model_id = 'other';
    delete b.version;
    const error = await generate({
      models: [source('models/b', b), source('models/a', a)],
      outDir: 'out',
    }).then(
      () => expect.unreachable('expected METADATA_INVALID'),
      (e: unknown) => e as MetadataInvalidError,
    );
    expect(error.issues.map(formatMetadataIssue).filter(notChain)).toEqual([
      'models/a/model_metadata.json: /preprocessing/2/width must be > 0 (expected integer > 0, found -3)',
      'models/a/model_metadata.json: /postprocessing/1/k must be > 0 (expected integer > 0, found 0)',
      'models/b/model_metadata.json: /version is required (expected string, found nothing)',
    ]);
    expect(error.message).toContain(`(${error.issues.length} problems)`);
  });

  it('warns about an unknown field (file and pointer) without failing, unless strict', async () => {
    const metadata = valid();
    metadata.preprocessing = [{ type: 'Resize', width: 4, height: 4, widht: 4 }, { type: 'Normalize', mean: [0], std: [1] }];
    metadata.files = ['model.onnx'];
    const { warnings } = await generate({ models: [source('models/bad', metadata)], outDir: 'out' });
    expect(warnings.map(formatMetadataIssue)).toEqual([expect.stringMatching(/^models\/bad\/model_metadata.json: \/preprocessing\/0\/widht is not a known field here; ignored/)]);
  });

  it('refuses two models with the same id', async () => {
    const error = await generate({
      models: [source('models/a', valid()), source('models/b', valid())],
      outDir: 'out',
    }).then(
      () => expect.unreachable('expected METADATA_INVALID'),
      (e: unknown) => e as MetadataInvalidError,
    );
    expect(error.issues.map(formatMetadataIssue).filter(notChain)).toEqual([
      'models/b/model_metadata.json: /model_id repeats the id of models/a/model_metadata.json (expected an id no other model has, found "bad")',
    ]);
  });
});
