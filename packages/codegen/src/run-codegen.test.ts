import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCodegen } from './run-codegen.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PIPELINE = 'packages/models/src/generated/pipelines/xybrid-digits.ts';

describe('runCodegen / --check', () => {
  let root: string;
  const writer = (path: string, contents: string): Promise<void> => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), contents);
    return Promise.resolve();
  };
  const remove = (path: string): Promise<void> => {
    rmSync(join(root, path));
    return Promise.resolve();
  };

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'switchyard-codegen-'));
    cpSync(join(REPO, 'schemas'), join(root, 'schemas'), { recursive: true });
    for (const id of ['xybrid-digits', 'xybrid-minilm']) {
      mkdirSync(join(root, 'models', id), { recursive: true });
      cpSync(join(REPO, 'models', id, 'model_metadata.json'), join(root, 'models', id, 'model_metadata.json'));
    }
    const first = await runCodegen({ root, write: writer, remove });
    expect(first.drift.missing.length).toBeGreaterThan(0);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reports nothing when the generated files are up to date', async () => {
    const report = await runCodegen({ root, check: true });
    expect(report.drift).toEqual({ stale: [], missing: [], extra: [] });
  });

  it('catches a hand-edited generated file and writes nothing', async () => {
    const file = join(root, PIPELINE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('k: 3', 'k: 5'));
    const report = await runCodegen({ root, check: true, write: () => Promise.reject(new Error('--check must not write')) });
    expect(report.drift.stale).toEqual([PIPELINE]);
    expect(report.written).toEqual([]);
    expect(readFileSync(file, 'utf8')).toContain('k: 5');
  });

  it('catches a changed metadata file', async () => {
    const metadataFile = join(root, 'models/xybrid-digits/model_metadata.json');
    const metadata = JSON.parse(readFileSync(metadataFile, 'utf8'));
    metadata.postprocessing[1].k = 5;
    writeFileSync(metadataFile, JSON.stringify(metadata));
    const report = await runCodegen({ root, check: true });
    expect(report.drift.stale).toEqual(['packages/models/src/generated/pipelines/xybrid-digits.ts', 'packages/models/src/generated/registry.ts']);
  });

  it('lists missing and extra files, and a normal run fixes all of them', async () => {
    rmSync(join(root, PIPELINE));
    writeFileSync(join(root, 'packages/models/src/generated/pipelines/removed-model.ts'), 'export {};\n');
    const check = await runCodegen({ root, check: true });
    expect(check.drift.missing).toEqual([PIPELINE]);
    expect(check.drift.extra).toEqual(['packages/models/src/generated/pipelines/removed-model.ts']);
    await runCodegen({ root, write: writer, remove });
    expect((await runCodegen({ root, check: true })).drift).toEqual({ stale: [], missing: [], extra: [] });
  });

  it('catches a schema change (types and schema module in core are generated too)', async () => {
    const schemaFile = join(root, 'schemas/model-metadata.schema.json');
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    schema.$defs.TopKStep.description = 'changed';
    writeFileSync(schemaFile, JSON.stringify(schema));
    const report = await runCodegen({ root, check: true });
    expect(report.drift.stale).toEqual([
      'packages/core/src/template-executor/model-metadata-schema.generated.ts',
      'packages/core/src/template-executor/model-metadata.generated.ts',
    ]);
  });

  it('the committed files of this repository are up to date', async () => {
    const report = await runCodegen({ root: REPO, check: true });
    expect(report.drift).toEqual({ stale: [], missing: [], extra: [] });
  });
});
