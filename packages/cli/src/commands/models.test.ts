import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');


let root: string;
let cwd: string;
beforeEach(() => {
  cwd = process.cwd();
  root = mkdtempSync(join(tmpdir(), 'cli-models-'));
  mkdirSync(join(root, 'models', 'good'), { recursive: true });
  mkdirSync(join(root, 'models', 'tampered'), { recursive: true });
  writeFileSync(join(root, 'models', 'good', 'model.onnx'), 'good weights');
  writeFileSync(join(root, 'models', 'good', 'model_metadata.json'), JSON.stringify({
    model_id: 'good', version: '2', execution_template: { type: 'Onnx', model_file: 'model.onnx' }, files: ['model.onnx'],
    sources: { 'model.onnx': { path: 'model.onnx', sha256: sha('good weights') } },
  }));
  writeFileSync(join(root, 'models', 'tampered', 'model.onnx'), 'tampered weights');
  writeFileSync(join(root, 'models', 'tampered', 'model_metadata.json'), JSON.stringify({
    model_id: 'tampered', version: '1', execution_template: { type: 'ModelGraph', stages: [] }, files: ['model.onnx', 'vocab.txt'],
    sources: { 'model.onnx': { path: 'model.onnx', sha256: sha('original weights') } },
  }));
  process.chdir(root);
});
afterEach(() => process.chdir(cwd));

describe('switchyard models', () => {
  it('list prints each model with its files and where they resolve', async () => {
    const { out, exitCode } = await runCli(['models', 'list']);
    expect(exitCode).toBe(0);
    expect(out).toContain('good  2  Onnx');
    expect(out).toMatch(/model\.onnx -> models\/good\/model\.onnx/);
    expect(out).toContain('tampered  1  ModelGraph');
    expect(out).toMatch(/vocab\.txt -> NOT FOUND .* missing/);
    // The model folder a file comes from is named relative to the current folder (it printed the absolute path).
    expect(out).toContain('model.onnx -> models/good/model.onnx  [path model.onnx]');
    expect(out).toContain('vocab.txt -> NOT FOUND  [model dir models/tampered]  missing');
    expect(out).not.toContain(root);
    const json = JSON.parse((await runCli(['models', 'list', '--json'])).out);
    expect(json.map((m: { id: string }) => m.id)).toEqual(['good', 'tampered']);
    expect(json[1].files[1]).toMatchObject({ file: 'vocab.txt', source: 'model dir models/tampered' });
  });

  it('verify exits 0 when every hash matches', async () => {
    const { out, exitCode } = await runCli(['models', 'verify', 'good']);
    expect(exitCode).toBe(0);
    expect(out).toContain(`OK         good/model.onnx  ${sha('good weights')}`);
  });

  it('verify exits 1 on a mismatch and a missing file, naming both', async () => {
    const { out, err, exitCode } = await runCli(['models', 'verify']);
    expect(exitCode).toBe(1);
    expect(out).toContain(`MISMATCH   tampered/model.onnx  expected ${sha('original weights')}, found ${sha('tampered weights')}`);
    expect(out).toMatch(/MISSING +tampered\/vocab\.txt .*not found/);
    expect(err).toContain('2 files failed verification');
  });

  it("list and verify cover the app's model packs (models.packages of the config) and folders, as the app finds them", async () => {
    const pack = join(root, 'node_modules', '@acme', 'model-packed');
    mkdirSync(pack, { recursive: true });
    writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: '@acme/model-packed', version: '1.0.0' }));
    writeFileSync(join(pack, 'model.onnx'), 'packed weights');
    writeFileSync(join(pack, 'model_metadata.json'), JSON.stringify({
      model_id: 'packed', version: '3', execution_template: { type: 'Onnx', model_file: 'model.onnx' }, files: ['model.onnx'],
      sources: { 'model.onnx': { path: 'model.onnx', sha256: sha('packed weights') } },
    }));
    writeFileSync(join(root, 'switchyard.config.yaml'), 'models:\n  dirs: [models]\n  packages: ["@acme/model-packed"]\n');
    const list = await runCli(['models', 'list']);
    expect(list.exitCode).toBe(0);
    expect(list.out).toContain('packed  3  Onnx  (pack @acme/model-packed)');
    expect(list.out).toContain('good  2  Onnx');
    const verify = await runCli(['models', 'verify', 'packed']);
    expect(verify.exitCode).toBe(0);
    expect(verify.out).toContain(`OK         packed/model.onnx  ${sha('packed weights')}`);
    // --dir replaces models.dirs; the packs stay.
    mkdirSync(join(root, 'empty'));
    const only = JSON.parse((await runCli(['models', 'list', '--json', '--dir', join(root, 'empty')])).out) as { id: string }[];
    expect(only.map((m) => m.id)).toEqual(['packed']);
    // a folder that does not exist is named, not silently skipped
    const missing = await runCli(['models', 'list', '--dir', join(root, 'none')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain(`CONFIG_INVALID: --dir '${join(root, 'none')}' does not exist (expected a folder of model folders, a model folder or a .xyb file)\n`);
    expect(missing.err).not.toContain('/models/dirs');
    // An empty folder name would silently mean the default: refused by the flag.
    const empty = await runCli(['models', 'list', '--dir', '']);
    expect(empty.exitCode).toBe(1);
    expect(empty.err).toContain("option '--dir <dir>' argument '' is invalid. must not be empty.");
    // Repeated, each flag adds a folder (and takes nothing after it).
    const both = JSON.parse((await runCli(['models', 'list', '--dir', join(root, 'empty'), '--dir', join(root, 'empty'), '--json'])).out) as { id: string }[];
    expect(both.map((m) => m.id)).toEqual(['packed']);
  });

  it('with nothing to look in, says so (it printed "no models in "); an empty --config is refused', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cli-models-none-'));
    process.chdir(empty);
    const { out, exitCode } = await runCli(['models', 'list']);
    expect(exitCode).toBe(0);
    expect(out).toBe('no models in any folder or package (no models.dirs or models.packages in a config, no ./models folder, no --dir)\n');
    for (const sub of ['list', 'verify']) {
      const flag = await runCli(['models', sub, '--config', '']);
      expect(flag.exitCode).toBe(1);
      expect(flag.err).toContain("option '-c, --config <file>' argument '' is invalid. must not be empty.");
    }
  });

  it('verify of an unknown id exits 1', async () => {
    const { err, exitCode } = await runCli(['models', 'verify', 'nope']);
    expect(exitCode).toBe(1);
    // The models folder is named relative to the current folder, not by its absolute path.
    expect(err).toContain("NO_SUCH_MODEL: no model 'nope' in models\n");
    expect(err).not.toContain(root);
  });

  it('verify of a typo lists the close matches, as switchyard run and the server do (it gave no suggestion)', async () => {
    const { err, exitCode } = await runCli(['models', 'verify', 'tamperd']);
    expect(exitCode).toBe(1);
    expect(err).toContain("NO_SUCH_MODEL: no model 'tamperd' in models (close matches: tampered)\n");
  });
});
