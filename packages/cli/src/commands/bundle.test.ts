import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
});
