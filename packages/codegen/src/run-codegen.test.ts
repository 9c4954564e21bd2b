import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ts from 'typescript';
import { formatMetadataIssue, writeXybBundle, type MetadataInvalidError, type SwitchyardError } from '@switchyard/core';
import { generatedBanner } from './generated-banner.js';
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

  it('S2: each registry entry carries the sha256 of the model_metadata.json it was generated from (the app compares it at start)', async () => {
    const sha256 = createHash('sha256').update(readFileSync(join(app, 'models/my-digits/model_metadata.json'))).digest('hex');
    expect(readFileSync(join(app, `${OUT}/registry.ts`), 'utf8')).toContain(`    metadata: MY_DIGITS_METADATA,\n    metadataSha256: '${sha256}',\n`);
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
    writeFileSync(join(app, `${OUT}/pipelines/removed-model.ts`), `${generatedBanner('models/removed-model/model_metadata.json')}\nexport {};\n`);
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

  it("B1: --out src leaves the app's own files there (never removed, never extra), removes only what it generated", async () => {
    writeFileSync(join(app, 'package.json'), '{}');
    mkdirSync(join(app, 'src/lib'), { recursive: true });
    writeFileSync(join(app, 'src/app.ts'), 'export const app = 1;\n');
    writeFileSync(join(app, 'src/lib/util.ts'), 'export {};\n');
    const removed: string[] = [];
    const first = await runCodegen({ baseDir: app, outDir: 'src', ...io, remove: async (path) => void removed.push(path) });
    expect(first.written).toEqual(['src/index.ts', 'src/pipelines/my-digits.ts', 'src/registry.ts']);
    expect(first.drift.extra).toEqual([]);
    // the registry beforeEach generated into src/switchyard.generated is not this output's: left alone too
    expect(first.foreign).toEqual(['src/app.ts', 'src/lib/util.ts', `${OUT}/index.ts`, PIPELINE, `${OUT}/registry.ts`]);
    expect(removed).toEqual([]);
    // a pipeline of a model that is gone: codegen's (banner), so extra and removed; the app's files stay
    writeFileSync(join(app, 'src/pipelines/old-model.ts'), `${generatedBanner('models/old-model/model_metadata.json')}\nexport {};\n`);
    const check = await runCodegen({ baseDir: app, outDir: 'src', check: true });
    expect(check.drift).toEqual({ stale: [], missing: [], extra: ['src/pipelines/old-model.ts'] });
    expect(check.foreign).toContain('src/app.ts');
    await runCodegen({ baseDir: app, outDir: 'src', ...io });
    expect(existsSync(join(app, 'src/pipelines/old-model.ts'))).toBe(false);
    expect(readFileSync(join(app, 'src/app.ts'), 'utf8')).toBe('export const app = 1;\n');
    expect(existsSync(join(app, 'src/lib/util.ts'))).toBe(true);
  });

  it("B1: does not overwrite an app file where it would write one (src/index.ts), and writes nothing", async () => {
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'src/index.ts'), 'export * from "./app.js";\n');
    const write = (): Promise<void> => Promise.reject(new Error('must not write'));
    for (const check of [false, true]) {
      await expect(runCodegen({ baseDir: app, outDir: 'src', check, write })).rejects.toThrow(
        "codegen output src holds src/index.ts, which codegen did not write (its first line is not codegen's banner) and would replace: move it, or give codegen a folder of its own (e.g. src/switchyard.generated)",
      );
    }
    expect(readFileSync(join(app, 'src/index.ts'), 'utf8')).toBe('export * from "./app.js";\n');
  });

  it('B1: refuses --out . (the app folder) before reading or writing anything, and deletes nothing', async () => {
    writeFileSync(join(app, 'package.json'), '{}');
    writeFileSync(join(app, 'switchyard.config.yaml'), 'models:\n  dirs: [models]\n');
    mkdirSync(join(app, 'node_modules/x'), { recursive: true });
    writeFileSync(join(app, 'node_modules/x/index.js'), '');
    const touched: string[] = [];
    const spy: Pick<CodegenOptions, 'write' | 'remove'> = { write: async (path) => void touched.push(path), remove: async (path) => void touched.push(path) };
    for (const check of [false, true]) {
      const error = (await runCodegen({ baseDir: app, outDir: '.', configFile: 'switchyard.config.yaml', check, ...spy }).catch((e: unknown) => e)) as SwitchyardError;
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toBe(
        "codegen output . is the app's folder (the folder of switchyard.config.yaml) and holds switchyard.config.yaml, node_modules, package.json, models (a models dir): codegen removes the files it generated there, so give it a folder of its own (e.g. src/switchyard.generated)",
      );
      expect(error.details).toMatchObject({ pointer: '/codegen/out' });
    }
    expect(touched).toEqual([]);
    expect(existsSync(join(app, '.switchyard'))).toBe(false); // no bundle cache written either
    expect(readFileSync(join(app, 'package.json'), 'utf8')).toBe('{}');
    expect(existsSync(join(app, 'node_modules/x/index.js'))).toBe(true);
    expect(existsSync(join(app, 'index.ts'))).toBe(false);
    expect(existsSync(join(app, 'pipelines'))).toBe(false);
  });

  it('B1: refuses an output folder that holds node_modules, package.json, a models dir or the app folder', async () => {
    mkdirSync(join(app, 'lib/node_modules'), { recursive: true });
    await expect(runCodegen({ baseDir: app, outDir: 'lib', check: true })).rejects.toThrow('codegen output lib holds lib/node_modules: codegen removes');
    mkdirSync(join(app, 'pkg/sub'), { recursive: true });
    writeFileSync(join(app, 'pkg/sub/package.json'), '{}');
    await expect(runCodegen({ baseDir: app, outDir: 'pkg', check: true })).rejects.toThrow('codegen output pkg holds pkg/sub/package.json: codegen removes');
    await expect(runCodegen({ baseDir: app, modelDirs: ['models'], outDir: join(app, '..'), check: true })).rejects.toThrow(/holds the app's folder/);
    await expect(runCodegen({ baseDir: join(app, 'models'), modelDirs: ['.'], outDir: '..', check: true })).rejects.toThrow(/^codegen output \.\. holds the app's folder and holds \. \(a models dir\): /);
    // a long list stays one readable line
    for (let i = 0; i < 7; i += 1) mkdirSync(join(app, `many/p${i}/node_modules`), { recursive: true });
    await expect(runCodegen({ baseDir: app, outDir: 'many', check: true })).rejects.toThrow('codegen output many holds many/p0/node_modules, many/p1/node_modules, many/p2/node_modules, many/p3/node_modules, many/p4/node_modules and 2 more: ');
  });

  it('refuses to write into node_modules', async () => {
    await expect(runCodegen({ baseDir: app, outDir: 'node_modules/@switchyard/core/src', check: true })).rejects.toThrow(/inside node_modules/);
  });

  it('names a listed models dir that does not exist (CONFIG_INVALID with its pointer, as the runtime says), every one of them', async () => {
    await expect(runCodegen({ baseDir: app, modelDirs: ['models', 'nope'], check: true })).rejects.toThrow(
      "/models/dirs/1: 'nope' does not exist (expected a folder of model folders, a model folder or a .xyb file, relative to the config file)",
    );
    await expect(runCodegen({ baseDir: app, modelDirs: ['models', 'nope', './x.xyb'], check: true })).rejects.toThrow(/\/models\/dirs\/1: 'nope' does not exist .*; \/models\/dirs\/2: '\.\/x\.xyb' does not exist$/);
  });

  it('D2: takes a models.dirs entry that is a model folder as one model (found by its model_id, as run finds it)', async () => {
    const out = 'gen';
    const report = await runCodegen({ baseDir: app, modelDirs: ['models/my-digits'], outDir: out, ...io });
    expect(report.files.map((f) => f.path)).toEqual([`${out}/index.ts`, `${out}/pipelines/my-digits.ts`, `${out}/registry.ts`]);
    expect(readFileSync(join(app, `${out}/registry.ts`), 'utf8')).toContain("dir: 'models/my-digits',");
  });

  it('D4: takes a .xyb entry of models.dirs; the registry names the bundle, which the runtime opens', async () => {
    await writeXybBundle(join(app, 'models/my-digits'), join(app, 'digits.xyb'));
    const report = await runCodegen({ baseDir: app, modelDirs: ['digits.xyb'], outDir: 'gen', ...io });
    expect(report.files.map((f) => f.path)).toContain('gen/pipelines/my-digits.ts');
    const registry = readFileSync(join(app, 'gen/registry.ts'), 'utf8');
    expect(registry).toContain("bundle: 'digits.xyb',");
    expect(registry).toContain('// digits.xyb/model_metadata.json');
    // extracted where the runtime extracts it, nowhere else
    expect(existsSync(join(app, '.switchyard/cache/bundles'))).toBe(true);
  });

  it('reports every model whose JSON is invalid, by file and line:column, before writing', async () => {
    mkdirSync(join(app, 'models/broken'));
    writeFileSync(join(app, 'models/broken/model_metadata.json'), '{\n  "model_id": "broken",\n}');
    await expect(runCodegen({ baseDir: app, check: true })).rejects.toThrow(/models\/broken\/model_metadata\.json: \(root\) is not valid JSON at line 3, column 1/);
  });

  it("audit10: a model_metadata.json that is not JSON is reported with the other models' problems, not alone, and nothing is written", async () => {
    const metadata = JSON.parse(readFileSync(join(app, 'models/my-digits/model_metadata.json'), 'utf8'));
    const model = (name: string, changes: object): void => {
      mkdirSync(join(app, `models/${name}`));
      copyFileSync(join(app, 'models/my-digits/model.onnx'), join(app, `models/${name}/model.onnx`));
      writeFileSync(join(app, `models/${name}/model_metadata.json`), JSON.stringify({ ...metadata, model_id: name, ...changes }));
    };
    model('a-escape', { files: ['model.onnx', '../../secret.txt'] });
    mkdirSync(join(app, 'models/badjson'));
    writeFileSync(join(app, 'models/badjson/model_metadata.json'), '{\n  "model_id": "badjson",\n  "version": "1",\n  oops\n}\n');
    model('unlisted', { files: [] });
    const before = readFileSync(join(app, `${OUT}/registry.ts`), 'utf8');
    const error = await runCodegen({ baseDir: app, ...io, write: () => Promise.reject(new Error('must not write')) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'METADATA_INVALID' });
    expect((error as MetadataInvalidError).issues.map(formatMetadataIssue)).toEqual([
      'models/a-escape/model_metadata.json: /files/1 must not contain a ".." segment (expected a relative path inside the model folder, found "../../secret.txt")',
      expect.stringMatching(/^models\/badjson\/model_metadata\.json: \(root\) is not valid JSON at line 4, column 3/),
      'models/unlisted/model_metadata.json: /execution_template/model_file names a file that is not listed in /files (expected one of files [], found "model.onnx")',
    ]);
    expect(readFileSync(join(app, `${OUT}/registry.ts`), 'utf8')).toBe(before);
  });

  it('D6: reports every bad stage config.onnx key and value, located, before writing (--strict or not)', async () => {
    const file = join(app, 'models/my-digits/model_metadata.json');
    const digits = JSON.parse(readFileSync(file, 'utf8'));
    const graph = { ...digits, execution_template: { type: 'ModelGraph', stages: [{ name: 'main', model_file: 'model.onnx', config: { onnx: { intraOpNumThread: 1, graphOptimizationLevel: 'max' } } }] } };
    writeFileSync(file, JSON.stringify(graph));
    for (const strict of [false, true]) {
      const error = await runCodegen({ baseDir: app, check: true, strict }).catch((e: Error) => e);
      expect((error as Error).message).toContain('models/my-digits/model_metadata.json: /execution_template/stages/0/config/onnx/intraOpNumThread is not an ONNX session setting');
      expect((error as Error).message).toContain('models/my-digits/model_metadata.json: /execution_template/stages/0/config/onnx/graphOptimizationLevel is not a graph optimization level');
    }
  });

  it('names a model pack that is not installed', async () => {
    await expect(runCodegen({ baseDir: app, modelPackages: ['@acme/model-nope'], check: true })).rejects.toThrow(
      "model pack '@acme/model-nope' (models.packages) is not installed: run npm install @acme/model-nope",
    );
  });
});

describe('runCodegen in an app without models/ (D1, D3)', () => {
  let app: string;
  afterEach(() => rmSync(app, { recursive: true, force: true }));

  /** A pack-only app: the digits model as an installed model pack, no models/ folder. */
  function packOnlyApp(): string {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-codegen-packs-'));
    const pack = join(root, 'node_modules/@acme/model-digits');
    mkdirSync(pack, { recursive: true });
    writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: '@acme/model-digits', version: '1.0.0' }));
    const metadata = JSON.parse(readFileSync(join(REPO, 'models/xybrid-digits/model_metadata.json'), 'utf8'));
    writeFileSync(join(pack, 'model_metadata.json'), JSON.stringify({ ...metadata, model_id: 'pack-digits' }));
    copyFileSync(join(REPO, 'models/xybrid-digits/model.onnx'), join(pack, 'model.onnx'));
    return root;
  }

  it('reads the packs alone when models.dirs is not set and models/ is absent (as run and serve do)', async () => {
    app = packOnlyApp();
    const report = await runCodegen({ baseDir: app, modelPackages: ['@acme/model-digits'], check: true });
    expect(report.files.map((f) => f.path)).toEqual([`${OUT}/index.ts`, `${OUT}/pipelines/pack-digits.ts`, `${OUT}/registry.ts`]);
    expect(report.files.find((f) => f.path.endsWith('registry.ts'))!.contents).toContain("package: '@acme/model-digits',");
  });

  it('with no model at all writes a registry index.ts can import, and both compile', async () => {
    app = packOnlyApp();
    const report = await runCodegen({ baseDir: app, check: true });
    expect(report.files.map((f) => f.path)).toEqual([`${OUT}/index.ts`, `${OUT}/registry.ts`]);
    const out = join(app, OUT);
    mkdirSync(out, { recursive: true });
    for (const file of report.files) writeFileSync(join(app, file.path), file.contents);
    const core = join(REPO, 'packages/core/src/index.ts');
    const program = ts.createProgram([join(out, 'index.ts')], {
      strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      baseUrl: app, paths: { '@switchyard/core': [core] }, types: [], noResolve: false,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName.startsWith(out) ?? true);
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  }, 120_000);
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
