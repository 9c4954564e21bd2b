import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryModelCatalog } from './directory-model-catalog.js';
import { resolveModelDir } from './model-catalog.js';

const metadata = (id: string): string => JSON.stringify({ model_id: id, version: '1', execution_template: { type: 'Onnx', model_file: 'm.onnx' } });

describe('DirectoryModelCatalog', () => {
  let app: string;
  beforeEach(() => {
    app = mkdtempSync(join(tmpdir(), 'catalog-app-'));
    mkdirSync(join(app, 'models/local-model'), { recursive: true });
    writeFileSync(join(app, 'models/local-model/model_metadata.json'), metadata('local-model'));
    const pack = join(app, 'node_modules/@acme/model-packed');
    mkdirSync(pack, { recursive: true });
    writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: '@acme/model-packed', version: '1.0.0', exports: { '.': './model_metadata.json' } }));
    writeFileSync(join(pack, 'model_metadata.json'), metadata('packed'));
  });
  afterEach(() => rmSync(app, { recursive: true, force: true }));

  it('finds models in dirs (relative to the config folder) and in packs (by model_id)', () => {
    const catalog = new DirectoryModelCatalog({ dirs: ['models'], packages: ['@acme/model-packed'], baseDir: app });
    expect(catalog.ids()).toEqual(['local-model', 'packed']);
    expect(catalog.get('local-model')).toMatchObject({ id: 'local-model', dir: join(app, 'models/local-model') });
    expect(catalog.get('packed')).toMatchObject({ id: 'packed', package: '@acme/model-packed', metadata: { model_id: 'packed' } });
    expect(catalog.get('packed')?.dir).toContain(join('node_modules', '@acme', 'model-packed'));
    expect(catalog.get('nope')).toBeUndefined();
  });

  it('an id found in two places is METADATA_INVALID naming both files (as codegen says); one folder listed twice is one model', () => {
    mkdirSync(join(app, 'models/packed'), { recursive: true });
    writeFileSync(join(app, 'models/packed/model_metadata.json'), metadata('packed'));
    const both = new DirectoryModelCatalog({ dirs: ['models'], packages: ['@acme/model-packed'], baseDir: app });
    expect(() => both.get('packed')).toThrow(expect.objectContaining({ code: 'METADATA_INVALID', issues: [expect.objectContaining({ file: 'models/packed/model_metadata.json', message: 'repeats the id of @acme/model-packed/model_metadata.json' })] }));
    expect(both.get('local-model')).toMatchObject({ id: 'local-model' });
    const twice = new DirectoryModelCatalog({ dirs: ['models/local-model', 'models', './models'], baseDir: app });
    expect(twice.get('local-model')).toMatchObject({ id: 'local-model', dir: join(app, 'models/local-model') });
    expect(twice.list().models.filter((m) => m.id === 'local-model')).toHaveLength(1);
  });

  it('accepts absolute dirs', () => {
    const catalog = new DirectoryModelCatalog({ dirs: [join(app, 'models')], baseDir: tmpdir() });
    expect(catalog.get('local-model')?.dir).toBe(join(app, 'models/local-model'));
  });

  it('takes a models.dirs entry that is a model folder as one model, found by its model_id (not the folder name)', () => {
    mkdirSync(join(app, 'vendor/model-pack-folder'), { recursive: true });
    writeFileSync(join(app, 'vendor/model-pack-folder/model_metadata.json'), metadata('real-id'));
    const catalog = new DirectoryModelCatalog({ dirs: ['vendor/model-pack-folder', 'models'], baseDir: app });
    expect(catalog.ids()).toEqual(['local-model', 'real-id']);
    expect(catalog.get('real-id')).toMatchObject({ id: 'real-id', dir: join(app, 'vendor/model-pack-folder') });
    expect(catalog.get('model-pack-folder')).toBeUndefined();
  });

  it('a folder of models.dirs whose model_id is not its name is METADATA_INVALID with codegen\'s words (not run as the folder name, not found by the id)', () => {
    mkdirSync(join(app, 'models/folder-a'), { recursive: true });
    writeFileSync(join(app, 'models/folder-a/model_metadata.json'), metadata('real-id'));
    const catalog = new DirectoryModelCatalog({ dirs: ['models'], baseDir: app });
    const issue = {
      file: 'models/folder-a/model_metadata.json',
      pointer: '/model_id',
      message: 'must equal the name of its folder (the model folders of a models dir are looked up by name): rename the folder to real-id, or list the folder itself in models.dirs, not inside another entry (e.g. dirs: [models/folder-a]), to find it by its model_id',
      expected: '"folder-a"',
      found: '"real-id"',
    };
    expect(() => catalog.get('folder-a')).toThrow(expect.objectContaining({ code: 'METADATA_INVALID', issues: [issue] }));
    expect(catalog.get('real-id')).toBeUndefined();
    const { models, issues } = catalog.list();
    expect(models.map((m) => m.id)).toEqual(['local-model']);
    expect(issues).toEqual([issue]);
  });

  it('the two fixes the model_id/folder message names work: the folder renamed to the id, or listed in models.dirs itself', () => {
    mkdirSync(join(app, 'zoo/mnist'), { recursive: true });
    writeFileSync(join(app, 'zoo/mnist/model_metadata.json'), metadata('mnist-digit-recognition'));
    expect(new DirectoryModelCatalog({ dirs: ['zoo'], baseDir: app }).list().issues.map((i) => i.message)).toEqual([expect.stringContaining('e.g. dirs: [zoo/mnist]')]);
    const listed = new DirectoryModelCatalog({ dirs: ['models', 'zoo/mnist'], baseDir: app });
    expect(listed.list()).toMatchObject({ issues: [], models: [{ id: 'local-model' }, { id: 'mnist-digit-recognition' }] });
    expect(listed.get('mnist-digit-recognition')).toMatchObject({ dir: join(app, 'zoo/mnist') });
    // Listed beside the dir holding it, the folder is still one of that dir's folders: the message says "not inside another entry".
    expect(new DirectoryModelCatalog({ dirs: ['zoo', 'zoo/mnist'], baseDir: app }).list().issues).toHaveLength(1);
    renameSync(join(app, 'zoo/mnist'), join(app, 'zoo/mnist-digit-recognition'));
    const renamed = new DirectoryModelCatalog({ dirs: ['zoo'], baseDir: app });
    expect(renamed.list()).toMatchObject({ issues: [], models: [{ id: 'mnist-digit-recognition' }] });
    expect(renamed.get('mnist-digit-recognition')).toMatchObject({ dir: join(app, 'zoo/mnist-digit-recognition') });
  });

  it('a model_metadata.json that is a folder is METADATA_INVALID naming it relative (not an EISDIR), in get() and list()', () => {
    mkdirSync(join(app, 'models/hollow/model_metadata.json'), { recursive: true });
    mkdirSync(join(app, 'vendor/hollow-folder/model_metadata.json'), { recursive: true });
    const issue = (file: string) => ({ file, pointer: '', message: 'is a folder, not a file', expected: 'a model_metadata.json file', found: 'a folder' });
    expect(() => new DirectoryModelCatalog({ dirs: ['models'], baseDir: app }).get('hollow')).toThrow(expect.objectContaining({ code: 'METADATA_INVALID', issues: [issue('models/hollow/model_metadata.json')] }));
    const { models, issues } = new DirectoryModelCatalog({ dirs: ['models', 'vendor/hollow-folder'], baseDir: app }).list();
    expect(models.map((m) => m.id)).toEqual(['local-model']);
    expect(issues).toEqual([issue('models/hollow/model_metadata.json'), issue('vendor/hollow-folder/model_metadata.json')]);
  });

  it('names a pack that is not installed', () => {
    const catalog = new DirectoryModelCatalog({ dirs: [], packages: ['@acme/model-missing'], baseDir: app });
    expect(() => catalog.get('x')).toThrow(/model pack '@acme\/model-missing' \(models.packages\) is not installed: run npm install @acme\/model-missing/);
  });

  it('list(): every model of dirs, model folders and packs, in config order, with where each came from', () => {
    mkdirSync(join(app, 'vendor/one'), { recursive: true });
    writeFileSync(join(app, 'vendor/one/model_metadata.json'), metadata('one-id'));
    const catalog = new DirectoryModelCatalog({ dirs: ['models', 'vendor/one'], packages: ['@acme/model-packed'], baseDir: app });
    const { models, issues } = catalog.list();
    expect(issues).toEqual([]);
    expect(models.map((m) => [m.id, m.file, m.origin.kind])).toEqual([
      ['local-model', 'models/local-model/model_metadata.json', 'dir'],
      ['one-id', 'vendor/one/model_metadata.json', 'folder'],
      ['packed', '@acme/model-packed/model_metadata.json', 'package'],
    ]);
  });

  it('list(): invalid JSON is an issue of that model (relative file, line:column); the other models are still listed', () => {
    mkdirSync(join(app, 'models/broken'), { recursive: true });
    writeFileSync(join(app, 'models/broken/model_metadata.json'), '{\n  "model_id": "broken",\n}');
    const { models, issues } = new DirectoryModelCatalog({ dirs: ['models'], baseDir: app }).list();
    expect(models.map((m) => m.id)).toEqual(['local-model']);
    expect(issues).toEqual([expect.objectContaining({ file: 'models/broken/model_metadata.json', pointer: '', message: expect.stringMatching(/^is not valid JSON at line 3, column 1: /) })]);
    expect(() => new DirectoryModelCatalog({ dirs: ['models'], baseDir: app }).get('broken')).toThrow(/models\/broken\/model_metadata\.json: \(root\) is not valid JSON at line 3, column 1/);
  });

  it('a listed entry that does not exist is CONFIG_INVALID naming its pointer; the default models/ may be absent', () => {
    expect(() => new DirectoryModelCatalog({ dirs: ['models', 'gone'], baseDir: app })).toThrow("/models/dirs/1: 'gone' does not exist");
    const empty = mkdtempSync(join(tmpdir(), 'catalog-empty-'));
    expect(new DirectoryModelCatalog({ baseDir: empty }).ids()).toEqual([]);
    expect(new DirectoryModelCatalog({ baseDir: app }).ids()).toEqual(['local-model']);
    rmSync(empty, { recursive: true, force: true });
  });

  it('resolveModelDir: pack root, dir against the config folder, absolute dir as is', () => {
    expect(resolveModelDir({ id: 'p', package: '@acme/model-packed' }, app)).toContain(join('node_modules', '@acme', 'model-packed'));
    expect(resolveModelDir({ id: 'l', dir: 'models/local-model' }, app)).toBe(join(app, 'models/local-model'));
    expect(resolveModelDir({ id: 'a', dir: '/abs/m' }, app)).toBe('/abs/m');
    expect(resolveModelDir({ id: 'm' }, app)).toBeUndefined();
  });
});
