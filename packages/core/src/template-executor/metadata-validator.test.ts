import { describe, expect, it } from 'vitest';
import { validateModelMetadata } from './metadata-validator.js';

const base = { model_id: 'm', version: '1', execution_template: { type: 'Onnx', model_file: 'm.onnx' }, files: ['m.onnx'] };

describe('validateModelMetadata: hostile files', () => {
  it('refuses metadata nested 10,000 deep with one located issue instead of overflowing the stack', () => {
    const deep = JSON.parse('{"metadata":' + '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000) + '}') as object;
    const result = validateModelMetadata({ ...base, ...deep }, { file: 'deep/model_metadata.json' });
    expect(result.ok).toBe(false);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ file: 'deep/model_metadata.json', message: 'nests deeper than 64 levels' });
    expect(result.issues[0]!.pointer.startsWith('/metadata/a/a')).toBe(true);
  });

  it.each(['/etc/passwd', '../../..', 'a/../../b', '..\\x'])('refuses the file name %s with a pointer', (name) => {
    const result = validateModelMetadata({ ...base, files: ['m.onnx', name] }, { file: 'x/model_metadata.json' });
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual(expect.objectContaining({ file: 'x/model_metadata.json', pointer: '/files/1' }));
  });
});

describe('validateModelMetadata: a stage config.onnx', () => {
  const graph = (onnx: unknown) => ({
    model_id: 'g',
    version: '1',
    execution_template: { type: 'ModelGraph', stages: [{ name: 's', model_file: 's.onnx', config: { onnx } }] },
    files: ['s.onnx'],
  });

  it('reports every bad key and value, each located (the same check the ONNX engine runs at load)', () => {
    const result = validateModelMetadata(graph({ intraOpNumThread: 1, graphOptimizationLevel: 'max', interOpNumThreads: -1 }), { file: 'models/g/model_metadata.json' });
    expect(result.ok).toBe(false);
    expect(result.issues).toEqual([
      expect.objectContaining({ file: 'models/g/model_metadata.json', pointer: '/execution_template/stages/0/config/onnx/intraOpNumThread', message: 'is not an ONNX session setting', found: '"intraOpNumThread"' }),
      expect.objectContaining({ pointer: '/execution_template/stages/0/config/onnx/graphOptimizationLevel', expected: 'one of disabled | basic | extended | all', found: '"max"' }),
      expect.objectContaining({ pointer: '/execution_template/stages/0/config/onnx/interOpNumThreads', found: '-1' }),
    ]);
  });

  it('accepts the session settings it knows', () => {
    expect(validateModelMetadata(graph({ intraOpNumThreads: 2, interOpNumThreads: 0, graphOptimizationLevel: 'basic' }), { file: 'm.json' }).ok).toBe(true);
  });
});

describe('validateModelMetadata: a stage config', () => {
  const graph = (config: unknown) => ({
    model_id: 'g',
    version: '1',
    execution_template: { type: 'ModelGraph', stages: [{ name: 's', model_file: 's.onnx', config }] },
    files: ['s.onnx'],
  });

  it('refuses "enabled": "false" (a string would not disable the stage) and a batch_size that is not a positive integer, each located', () => {
    const result = validateModelMetadata(graph({ enabled: 'false', batch_size: 0 }), { file: 'models/g/model_metadata.json' });
    expect(result.ok).toBe(false);
    expect(result.issues).toEqual([
      expect.objectContaining({ file: 'models/g/model_metadata.json', pointer: '/execution_template/stages/0/config/enabled', message: 'must be boolean', found: '"false"' }),
      expect.objectContaining({ pointer: '/execution_template/stages/0/config/batch_size', message: 'must be >= 1', found: '0' }),
    ]);
  });

  it('warns about an unknown key (a typo of batch_size), and refuses it under strict', () => {
    const lax = validateModelMetadata(graph({ batchsize: 6 }), { file: 'm.json' });
    expect(lax.ok).toBe(true);
    expect(lax.warnings).toEqual([
      expect.objectContaining({ pointer: '/execution_template/stages/0/config/batchsize', expected: 'one of enabled, batch_size, onnx', found: '"batchsize"' }),
    ]);
    const strict = validateModelMetadata(graph({ batchsize: 6 }), { file: 'm.json', strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.issues).toEqual([expect.objectContaining({ pointer: '/execution_template/stages/0/config/batchsize', message: 'is not a known field here' })]);
  });

  it('accepts the keys the runtime reads', () => {
    const result = validateModelMetadata(graph({ enabled: false, batch_size: 6, onnx: { intraOpNumThreads: 1 } }), { file: 'm.json' });
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });
});

describe('validateModelMetadata: a sources entry', () => {
  const withSource = (source: unknown) => ({ ...base, files: ['m.onnx'], sources: { 'm.onnx': source } });

  it('a {path} source with a bad sha256: one issue on /sources/m.onnx/sha256, and no warning about its path', () => {
    const result = validateModelMetadata(withSource({ path: 'm.onnx', sha256: 'abc' }), { file: 'models/m/model_metadata.json' });
    expect(result.ok).toBe(false);
    expect(result.issues).toEqual([{ file: 'models/m/model_metadata.json', pointer: '/sources/m.onnx/sha256', message: 'must be 64 hex digits', expected: 'a sha256 as 64 hex digits', found: '"abc"' }]);
    expect(result.warnings).toEqual([]);
  });

  it('an {npm, path} source is read as npm (the form requiring most), a {url} one as url', () => {
    const npm = validateModelMetadata(withSource({ npm: 'pkg', path: 'm.onnx', sha256: 'xyz' }), { file: 'f' });
    expect(npm.issues.map((i) => [i.pointer, i.message])).toEqual([['/sources/m.onnx/sha256', 'must be 64 hex digits']]);
    const url = validateModelMetadata(withSource({ url: 'ftp://x' }), { file: 'f' });
    expect(url.issues.map((i) => [i.pointer, i.message])).toEqual([['/sources/m.onnx/url', 'must be an http(s) URL']]);
    expect(url.warnings).toEqual([]);
  });

  it('an unknown field of an evident form is a warning (the source is kept); no evident form is the one anyOf issue', () => {
    const extra = validateModelMetadata(withSource({ path: 'm.onnx', mirror: 'x' }), { file: 'f' });
    expect(extra.ok).toBe(true);
    expect(extra.warnings.map((w) => w.pointer)).toEqual(['/sources/m.onnx/mirror']);
    const none = validateModelMetadata(withSource({ sha256: 'abc' }), { file: 'f' });
    expect(none.issues.map((i) => [i.pointer, i.message])).toEqual([['/sources/m.onnx', 'does not match any allowed form']]);
    expect(none.warnings).toEqual([]);
  });
});
