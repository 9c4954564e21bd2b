import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');


describe('switchyard codegen', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cli-codegen-'));
    cpSync(join(REPO, 'schemas'), join(root, 'schemas'), { recursive: true });
    mkdirSync(join(root, 'models/xybrid-digits'), { recursive: true });
    cpSync(join(REPO, 'models/xybrid-digits/model_metadata.json'), join(root, 'models/xybrid-digits/model_metadata.json'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes the registry and pipelines, then --check passes', async () => {
    const first = await runCli(['codegen', '--root', root]);
    expect(first.exitCode).toBe(0);
    expect(first.out).toContain('missing packages/models/src/generated/pipelines/xybrid-digits.ts');
    expect(readFileSync(join(root, 'packages/models/src/generated/registry.ts'), 'utf8')).toContain("export type ModelId = 'xybrid-digits';");
    const check = await runCli(['codegen', '--check', '--root', root]);
    expect(check).toMatchObject({ exitCode: 0, out: 'codegen: 5 files up to date\n' });
  });

  it('--check exits 1 listing a hand-edited file and writes nothing', async () => {
    await runCli(['codegen', '--root', root]);
    const file = join(root, 'packages/models/src/generated/pipelines/xybrid-digits.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}// edited\n`);
    const check = await runCli(['codegen', '--check', '--root', root]);
    expect(check.exitCode).toBe(1);
    expect(check.err).toContain('CODEGEN_STALE');
    expect(check.err).toContain('stale   packages/models/src/generated/pipelines/xybrid-digits.ts');
    expect(readFileSync(file, 'utf8')).toContain('// edited');
  });

  it('exits 1 with located METADATA_INVALID errors for a bad model', async () => {
    writeFileSync(join(root, 'models/xybrid-digits/model_metadata.json'), JSON.stringify({ model_id: 'x', version: '1', execution_template: { type: 'Onnx' } }));
    const result = await runCli(['codegen', '--check', '--root', root]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('METADATA_INVALID');
    expect(result.err).toContain('models/xybrid-digits/model_metadata.json: /execution_template/model_file is required');
  });
});
