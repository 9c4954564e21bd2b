import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModelMetadataFile } from './metadata-file.js';

describe('loadModelMetadataFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-metadata-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const metadata = { model_id: 'm', version: '1', execution_template: { type: 'Onnx', model_file: 'model.onnx' }, files: ['model.onnx'] };

  it('validates, applies defaults and resolves files next to the metadata', async () => {
    writeFileSync(join(dir, 'model_metadata.json'), JSON.stringify(metadata));
    writeFileSync(join(dir, 'model.onnx'), 'x');
    const loaded = await loadModelMetadataFile(join(dir, 'model_metadata.json'));
    expect(loaded.files).toEqual({ 'model.onnx': join(dir, 'model.onnx') });
    expect(loaded.metadata.preprocessing).toEqual([]);
    expect(loaded.json).toEqual(metadata);
  });

  it('says which listed file is missing (ARTIFACT_NOT_FOUND)', async () => {
    writeFileSync(join(dir, 'model_metadata.json'), JSON.stringify(metadata));
    await expect(loadModelMetadataFile(join(dir, 'model_metadata.json'))).rejects.toMatchObject({
      code: 'ARTIFACT_NOT_FOUND',
      message: expect.stringContaining('model.onnx'),
    });
  });

  it('reports invalid JSON as METADATA_INVALID naming the file', async () => {
    const file = join(dir, 'model_metadata.json');
    writeFileSync(file, '{ "model_id": ');
    await expect(loadModelMetadataFile(file)).rejects.toMatchObject({ code: 'METADATA_INVALID', message: expect.stringContaining(`${file}: (root) is not valid JSON`) });
  });

  it('reports a missing metadata file as ARTIFACT_NOT_FOUND', async () => {
    await expect(loadModelMetadataFile(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
  });
});
