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

  it('refuses a model_metadata.json that is a folder with METADATA_INVALID naming it as given (not an EISDIR)', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'model_metadata.json'));
    const error = await loadModelMetadataFile(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'METADATA_INVALID', message: `Invalid model metadata: ${join(dir, 'model_metadata.json')}: (root) is a folder, not a file (expected a model_metadata.json file, found a folder)` });
  });

  it('takes a model folder too, reports unknown fields through onWarning, and refuses them with strict', async () => {
    writeFileSync(join(dir, 'model_metadata.json'), JSON.stringify({ ...metadata, author: 'me' }));
    writeFileSync(join(dir, 'model.onnx'), 'x');
    const warnings: string[] = [];
    const loaded = await loadModelMetadataFile(dir, { onWarning: (w) => warnings.push(`${w.pointer} ${w.message}`) });
    expect(loaded.metadata.model_id).toBe('m');
    expect(warnings).toEqual(['/author is not a known field here; ignored']);
    await expect(loadModelMetadataFile(dir, { strict: true })).rejects.toThrowError(/\/author is not a known field here/);
  });

  it('opens a .xyb bundle and resolves its files inside the extracted folder', async () => {
    const { writeXybBundle } = await import('../bundles/xyb-write.js');
    const model = join(dir, 'model');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(model);
    writeFileSync(join(model, 'model_metadata.json'), JSON.stringify(metadata));
    writeFileSync(join(model, 'model.onnx'), 'graph bytes');
    await writeXybBundle(model, join(dir, 'm.xyb'));
    const loaded = await loadModelMetadataFile(join(dir, 'm.xyb'), { bundles: { cacheDir: join(dir, 'cache') } });
    expect(loaded.files['model.onnx']!.startsWith(join(dir, 'cache'))).toBe(true);
    expect(loaded.metadata.model_id).toBe('m');
  });

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
