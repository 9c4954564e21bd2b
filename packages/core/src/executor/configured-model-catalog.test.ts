import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelBundleCacheDir, modelCacheDir, openConfiguredModelCatalog } from './configured-model-catalog.js';

describe('openConfiguredModelCatalog (one setup for run, models, validate, codegen and the app)', () => {
  it('the model cache and its bundles/ folder resolve against the config folder, default .switchyard/cache', () => {
    expect(modelCacheDir('/app')).toBe(join('/app', '.switchyard', 'cache'));
    expect(modelBundleCacheDir('/app')).toBe(join('/app', '.switchyard', 'cache', 'bundles'));
    expect(modelBundleCacheDir('/app', 'cache')).toBe(join('/app', 'cache', 'bundles'));
    expect(modelBundleCacheDir('/app', '/var/cache/sy')).toBe(join('/var/cache/sy', 'bundles'));
  });

  it('reads models.dirs relative to the config folder (models/ by default) with engineFor applied', async () => {
    const app = mkdtempSync(join(tmpdir(), 'core-configured-catalog-'));
    try {
      for (const [dir, id] of [['models/a', 'a'], ['more/b', 'b']] as const) {
        mkdirSync(join(app, dir), { recursive: true });
        writeFileSync(join(app, dir, 'model_metadata.json'), JSON.stringify({ model_id: id, version: '1', execution_template: { type: 'Onnx', model_file: 'm.onnx' }, files: ['m.onnx'] }));
      }
      expect((await openConfiguredModelCatalog(undefined, app)).ids()).toEqual(['a']);
      const catalog = await openConfiguredModelCatalog({ dirs: ['models', 'more'], cacheDir: 'c' }, app, { engineFor: (id) => (id === 'b' ? 'onnx' : undefined) });
      expect(catalog.ids().sort()).toEqual(['a', 'b']);
      expect(catalog.get('b')).toMatchObject({ engine: 'onnx' });
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
