import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const digits = fileURLToPath(new URL('../../../../models/xybrid-digits/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('switchyard bundle --out', () => {
  it('creates a folder that does not exist yet (it was an INTERNAL ENOENT)', async () => {
    const out = join(work, 'dist', 'bundles', 'digits.xyb');
    const { out: printed, err, exitCode } = await runCli(['bundle', digits, '-o', out]);
    expect(err).toBe('');
    expect(exitCode).toBe(0);
    expect(printed).toContain(`${out}: xybrid-digits 1 (2 files, hash `);
    expect(existsSync(out)).toBe(true);
  });

  it('names a --out that is a folder, or under a file, by its flag', async () => {
    mkdirSync(join(work, 'folder'));
    const folder = await runCli(['bundle', digits, '--out', join(work, 'folder')]);
    expect(folder.exitCode).toBe(1);
    expect(folder.err).toBe(`--out ${join(work, 'folder')}: is a folder (expected the path of the .xyb file to write)\n`);
    writeFileSync(join(work, 'file'), 'x');
    const underFile = await runCli(['bundle', digits, '--out', join(work, 'file', 'd.xyb')]);
    expect(underFile.exitCode).toBe(1);
    expect(underFile.err).toBe(`--out ${join(work, 'file', 'd.xyb')}: ${join(work, 'file')} is a file, not a folder\n`);
    expect(underFile.err).not.toContain('INTERNAL');
  });

  it('refuses an empty --out or --target (an empty --out was an INTERNAL ENOENT, an empty --target was written)', async () => {
    for (const [flag, value] of [['--out', ''], ['-o', ' '], ['--target', '']] as const) {
      const { err, exitCode } = await runCli(['bundle', digits, flag, value]);
      expect(exitCode).toBe(1);
      expect(err).toMatch(/option '(-o, )?--(out <file>|target <target>)' argument '.*' is invalid\. must not be empty\./);
    }
  });

  it('names the metadata file as typed and warns of unknown fields (they were absolute, and silent)', async () => {
    const cwd = process.cwd();
    try {
      mkdirSync(join(work, 'app', 'bad'), { recursive: true });
      mkdirSync(join(work, 'app', 'odd'), { recursive: true });
      const metadata = JSON.parse(readFileSync(join(digits, 'model_metadata.json'), 'utf8')) as { preprocessing: Record<string, unknown>[] };
      writeFileSync(join(work, 'app', 'odd', 'model.onnx'), readFileSync(join(digits, 'model.onnx')));
      writeFileSync(join(work, 'app', 'odd', 'model_metadata.json'), JSON.stringify({ ...metadata, preprocessing: [metadata.preprocessing[0], { ...metadata.preprocessing[1], meen: [0] }] }));
      writeFileSync(join(work, 'app', 'bad', 'model_metadata.json'), JSON.stringify({ ...metadata, preprocessing: [{ ...metadata.preprocessing[0], type: 'Reshap' }] }));
      writeFileSync(join(work, 'app', 'in.png'), 'x');
      process.chdir(join(work, 'app'));
      const bad = await runCli(['bundle', 'bad']);
      expect(bad.exitCode).toBe(1);
      expect(bad.err).toContain(`METADATA_INVALID: Invalid model metadata: ${join('bad', 'model_metadata.json')}: /preprocessing/0/type is not a known type here`);
      const odd = await runCli(['bundle', 'odd']);
      expect(odd.exitCode).toBe(0);
      expect(odd.err).toBe(`warning: ${join('odd', 'model_metadata.json')}: /preprocessing/1/meen is not a known field here; ignored (expected one of type, mean, std, layout, found "meen")\n`);
      const file = await runCli(['bundle', 'in.png']);
      expect(file.exitCode).toBe(1);
      expect(file.err).toBe(`METADATA_INVALID: 'in.png' is not a model folder: ${join('in.png', 'model_metadata.json')} does not exist\n`);
      for (const err of [bad.err, odd.err, file.err]) expect(err).not.toContain(work);
    } finally {
      process.chdir(cwd);
    }
  });
});
