import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCodegen, type CodegenOptions } from './run-codegen.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OUT = 'src/switchyard.generated';
const PIPELINE = `${OUT}/pipelines/my-digits.ts`;

/** An app outside the repo with its own model (the digits graph under a new id). */
function makeApp(): string {
  const app = mkdtempSync(join(tmpdir(), 'switchyard-codegen-app-'));
  mkdirSync(join(app, 'models/my-digits'), { recursive: true });
  const metadata = JSON.parse(readFileSync(join(REPO, 'models/xybrid-digits/model_metadata.json'), 'utf8'));
  writeFileSync(join(app, 'models/my-digits/model_metadata.json'), JSON.stringify({ ...metadata, model_id: 'my-digits' }, null, 2));
  copyFileSync(join(REPO, 'models/xybrid-digits/model.onnx'), join(app, 'models/my-digits/model.onnx'));
  return app;
}

describe('runCodegen in an app outside the repo', () => {
  let app: string;
  const io: Pick<CodegenOptions, 'write' | 'remove'> = {
    write: async (path, contents) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, contents);
    },
    remove: async (path) => rmSync(path),
  };

  beforeEach(async () => {
    app = makeApp();
    const first = await runCodegen({ baseDir: app, ...io });
    expect(first.drift.missing).toEqual([`${OUT}/index.ts`, PIPELINE, `${OUT}/registry.ts`]);
  });
  afterEach(() => rmSync(app, { recursive: true, force: true }));

  it('writes only into its output folder, then --check finds nothing', async () => {
    expect(existsSync(join(app, 'schemas'))).toBe(false);
    expect(existsSync(join(app, 'packages'))).toBe(false);
    const report = await runCodegen({ baseDir: app, check: true });
    expect(report.drift).toEqual({ stale: [], missing: [], extra: [] });
    expect(readFileSync(join(app, `${OUT}/registry.ts`), 'utf8')).toContain("dir: 'models/my-digits',");
  });

  it('catches a hand-edited generated file and writes nothing', async () => {
    const file = join(app, PIPELINE);
    writeFileSync(file, readFileSync(file, 'utf8').replace('k: 3', 'k: 5'));
    const report = await runCodegen({ baseDir: app, check: true, write: () => Promise.reject(new Error('--check must not write')) });
    expect(report.drift.stale).toEqual([PIPELINE]);
    expect(report.written).toEqual([]);
    expect(readFileSync(file, 'utf8')).toContain('k: 5');
  });

  it('catches a changed metadata file', async () => {
    const metadataFile = join(app, 'models/my-digits/model_metadata.json');
    const metadata = JSON.parse(readFileSync(metadataFile, 'utf8'));
    metadata.postprocessing[1].k = 5;
    writeFileSync(metadataFile, JSON.stringify(metadata));
    const report = await runCodegen({ baseDir: app, check: true });
    expect(report.drift.stale).toEqual([PIPELINE, `${OUT}/registry.ts`]);
  });

  it('lists missing and stray files, and a normal run fixes all of them', async () => {
    rmSync(join(app, PIPELINE));
    writeFileSync(join(app, `${OUT}/pipelines/removed-model.ts`), 'export {};\n');
    const check = await runCodegen({ baseDir: app, check: true });
    expect(check.drift.missing).toEqual([PIPELINE]);
    expect(check.drift.extra).toEqual([`${OUT}/pipelines/removed-model.ts`]);
    await runCodegen({ baseDir: app, ...io });
    expect((await runCodegen({ baseDir: app, check: true })).drift).toEqual({ stale: [], missing: [], extra: [] });
  });

  it('takes absolute model and output folders', async () => {
    const out = join(app, 'elsewhere/generated');
    const report = await runCodegen({ baseDir: tmpdir(), modelDirs: [join(app, 'models')], outDir: out, ...io });
    expect(report.written.length).toBe(3);
    expect(existsSync(join(out, 'pipelines/my-digits.ts'))).toBe(true);
    expect((await runCodegen({ baseDir: tmpdir(), modelDirs: [join(app, 'models')], outDir: out, check: true })).drift.missing).toEqual([]);
  });

  it('refuses to write into node_modules', async () => {
    await expect(runCodegen({ baseDir: app, outDir: 'node_modules/@switchyard/core/src', check: true })).rejects.toThrow(/inside node_modules/);
  });

  it('names a models dir that does not exist', async () => {
    await expect(runCodegen({ baseDir: app, modelDirs: ['nope'], check: true })).rejects.toThrow(/models dir nope does not exist/);
  });

  it('names a model pack that is not installed', async () => {
    await expect(runCodegen({ baseDir: app, modelPackages: ['@acme/model-nope'], check: true })).rejects.toThrow(
      "model pack '@acme/model-nope' (models.packages) is not installed: run npm install @acme/model-nope",
    );
  });
});

describe("the repo's own registry (packages/models/switchyard.config.yaml)", () => {
  it('is up to date', async () => {
    const report = await runCodegen({
      baseDir: join(REPO, 'packages/models'),
      modelDirs: ['../../models'],
      modelPackages: ['@switchyard/model-paddleocr-v4', '@switchyard/model-silero-vad'],
      outDir: 'src/generated',
      check: true,
    });
    expect(report.drift).toEqual({ stale: [], missing: [], extra: [] });
  });
});
