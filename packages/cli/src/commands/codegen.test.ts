import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ts from 'typescript';
import { createSwitchyardApp, readModelInputFile, type PluginLogger } from '@switchyard/core';
import { createOnnxPlugin } from '@switchyard/plugin-onnx';
import { runCli } from '../../test/run-cli.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('switchyard codegen in an app', () => {
  let app: string;
  let config: string;
  beforeEach(() => {
    app = mkdtempSync(join(tmpdir(), 'cli-codegen-'));
    mkdirSync(join(app, 'ml/my-digits'), { recursive: true });
    const metadata = JSON.parse(readFileSync(join(REPO, 'models/xybrid-digits/model_metadata.json'), 'utf8'));
    writeFileSync(join(app, 'ml/my-digits/model_metadata.json'), JSON.stringify({ ...metadata, model_id: 'my-digits' }));
    copyFileSync(join(REPO, 'models/xybrid-digits/model.onnx'), join(app, 'ml/my-digits/model.onnx'));
    config = join(app, 'switchyard.config.yaml');
    writeFileSync(config, 'models:\n  dirs: [ml]\ncodegen:\n  out: lib/generated\n');
  });
  afterEach(() => rmSync(app, { recursive: true, force: true }));

  it('reads models.dirs and codegen.out relative to the config file, then --check passes', async () => {
    const first = await runCli(['codegen', '--config', config]);
    expect(first).toMatchObject({ exitCode: 0, err: '' });
    // A write says what it did (created / updated / removed), not --check's stale / missing / extra; --config was
    // typed absolute, so the files it leads to are named absolute (docs/cli.md).
    expect(first.out).toContain(`created ${app}/lib/generated/pipelines/my-digits.ts`);
    expect(first.out).not.toContain('missing ');
    expect(readFileSync(join(app, 'lib/generated/registry.ts'), 'utf8')).toContain("export type ModelId = 'my-digits';");
    expect(existsSync(join(app, 'schemas'))).toBe(false);
    const check = await runCli(['codegen', '--check', '--config', config]);
    expect(check).toMatchObject({ exitCode: 0, out: `codegen: ${app}/lib/generated up to date (1 model(s), 3 files)\n` });
  });

  it('audit10: names files as the user typed them: relative to the current folder (not the config folder), absolute when typed absolute', async () => {
    const cwd = process.cwd();
    mkdirSync(join(app, 'elsewhere'));
    try {
      process.chdir(join(app, 'elsewhere'));
      const relative = await runCli(['codegen', '--config', '../switchyard.config.yaml']);
      expect(relative).toMatchObject({ exitCode: 0, err: '' });
      expect(relative.out).toBe('codegen: wrote ../lib/generated (1 model(s))\n  created ../lib/generated/index.ts\n  created ../lib/generated/pipelines/my-digits.ts\n  created ../lib/generated/registry.ts\n');
      writeFileSync(join(app, 'lib/generated/stray.ts'), 'export {};\n');
      const check = await runCli(['codegen', '--check', '--config', '../switchyard.config.yaml']);
      expect(check.err).toContain('CODEGEN_STALE: ../lib/generated is out of date');
      expect(check.err).toContain('foreign ../lib/generated/stray.ts (not written by codegen');
      const absolute = await runCli(['codegen', '--check', '--config', config]);
      expect(absolute.err).toContain(`foreign ${app}/lib/generated/stray.ts (not written by codegen`);
      // --out typed absolute is named absolute (it was ../abs-out, relative to the config folder), a relative one as typed
      const out = join(app, 'abs-out');
      const absOut = await runCli(['codegen', '--config', '../switchyard.config.yaml', '--out', out]);
      expect(absOut.out).toBe(`codegen: wrote ${out} (1 model(s))\n  created ${out}/index.ts\n  created ${out}/pipelines/my-digits.ts\n  created ${out}/registry.ts\n`);
      const relOut = await runCli(['codegen', '--config', config, '--out', 'gen', '--check']);
      expect(relOut.err).toContain('CODEGEN_STALE: gen is out of date');
      expect(relOut.err).toContain('missing gen/registry.ts');
      // model files in errors too: relative to the current folder
      writeFileSync(join(app, 'ml/my-digits/model_metadata.json'), '{\n  "model_id": "my-digits",\n  oops\n}\n');
      const bad = await runCli(['codegen', '--config', '../switchyard.config.yaml']);
      expect(bad.err).toMatch(/^METADATA_INVALID: \.\.\/switchyard\.config\.yaml: 1 error in the models it lists \(models\.dirs, models\.packages\):\n  \.\.\/ml\/my-digits\/model_metadata\.json: \(root\) is not valid JSON at line 3, column 3/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('--check exits 1 listing a hand edit, a stray file and a changed model, naming the command to run', async () => {
    await runCli(['codegen', '--config', config]);
    const file = join(app, 'lib/generated/pipelines/my-digits.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}// edited\n`);
    // a pipeline codegen wrote for a model that is gone (its banner): extra; the app's own file there is not
    const banner = readFileSync(file, 'utf8').split('\n')[0];
    writeFileSync(join(app, 'lib/generated/pipelines/gone.ts'), `${banner}\nexport {};\n`);
    writeFileSync(join(app, 'lib/generated/stray.ts'), 'export {};\n');
    const check = await runCli(['codegen', '--check', '--config', config]);
    expect(check.exitCode).toBe(1);
    expect(check.err).toContain(`CODEGEN_STALE: ${app}/lib/generated is out of date (run \`npx switchyard codegen --config ${config}\`)`);
    expect(check.err).toContain(`stale   ${app}/lib/generated/pipelines/my-digits.ts`);
    expect(check.err).toContain(`extra   ${app}/lib/generated/pipelines/gone.ts`);
    // The app's own file in codegen's folder fails the check too (it is not what codegen makes), and is never removed.
    expect(check.err).toContain(`foreign ${app}/lib/generated/stray.ts (not written by codegen: move it out of the output folder)`);
    expect(check.err).not.toContain('warning:');
    expect(readFileSync(file, 'utf8')).toContain('// edited');
  });

  it('B1: --out src keeps the app\'s files in src (run and --check); --out . and codegen.out: . are refused, deleting nothing', async () => {
    mkdirSync(join(app, 'src'));
    writeFileSync(join(app, 'src/app.ts'), 'export const app = 1;\n');
    writeFileSync(join(app, 'package.json'), '{"name":"app"}');
    mkdirSync(join(app, 'node_modules/dep'), { recursive: true });
    writeFileSync(join(app, 'node_modules/dep/index.js'), '');
    const cwd = process.cwd();
    process.chdir(app);
    try {
      const run = await runCli(['codegen', '--out', 'src']);
      expect(run.exitCode, run.err).toBe(0);
      expect(run.out).not.toContain('removed');
      expect(run.err).toBe('warning: src holds src/app.ts, which codegen did not write (no codegen banner on its first line): left as it is; `--check` fails until it is moved out of the output folder\n');
      expect(readFileSync(join(app, 'src/app.ts'), 'utf8')).toBe('export const app = 1;\n');
      const check = await runCli(['codegen', '--out', 'src', '--check']);
      expect(check.exitCode).toBe(1);
      expect(check.err).toContain('foreign src/app.ts (not written by codegen: move it out of the output folder)');
      expect(readFileSync(join(app, 'src/app.ts'), 'utf8')).toBe('export const app = 1;\n');
      for (const args of [['codegen', '--out', '.'], ['codegen', '--out', '.', '--check']]) {
        const refused = await runCli(args);
        expect(refused.exitCode).toBe(1);
        expect(refused.err).toBe(
          "CONFIG_INVALID: --out: codegen output . is the app's folder (the folder of switchyard.config.yaml) and holds switchyard.config.yaml, node_modules, package.json, ml (a models dir): codegen removes the files it generated there, so give it a folder of its own (e.g. src/switchyard.generated)\n",
        );
      }
      writeFileSync(config, 'models:\n  dirs: [ml]\ncodegen:\n  out: .\n');
      const fromConfig = await runCli(['codegen']);
      expect(fromConfig.exitCode).toBe(1);
      expect(fromConfig.err).toMatch(/^CONFIG_INVALID: switchyard\.config\.yaml:4:8: \/codegen\/out: codegen output \. is the app's folder/);
      expect(readFileSync(join(app, 'package.json'), 'utf8')).toBe('{"name":"app"}');
      expect(existsSync(join(app, 'node_modules/dep/index.js'))).toBe(true);
      expect(existsSync(join(app, 'index.ts'))).toBe(false);
      expect(readFileSync(join(app, 'src/app.ts'), 'utf8')).toBe('export const app = 1;\n');
    } finally {
      process.chdir(cwd);
    }
  });

  it('takes absolute --models and --out (and writes there)', async () => {
    const out = join(app, 'abs-out');
    const result = await runCli(['codegen', '--models', join(app, 'ml'), '--out', out]);
    expect(result.exitCode).toBe(0);
    expect(result.out).toContain('1 model(s)');
    expect(existsSync(join(out, 'pipelines/my-digits.ts'))).toBe(true);
  });

  it('exits 1 with located METADATA_INVALID errors and writes nothing', async () => {
    writeFileSync(join(app, 'ml/my-digits/model_metadata.json'), JSON.stringify({ model_id: 'my-digits', version: '1', execution_template: { type: 'Onnx' } }));
    const result = await runCli(['codegen', '--config', config]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('METADATA_INVALID');
    expect(result.err).toContain('ml/my-digits/model_metadata.json: /execution_template/model_file is required');
    expect(existsSync(join(app, 'lib'))).toBe(false);
  });

  it('audit10: a model_metadata.json that is not JSON is listed with the other models\' errors, as validate lists them; nothing is written', async () => {
    mkdirSync(join(app, 'ml/badjson'));
    writeFileSync(join(app, 'ml/badjson/model_metadata.json'), '{\n  "model_id": "badjson",\n  "version": "1",\n  oops\n}\n');
    writeFileSync(join(app, 'ml/my-digits/model_metadata.json'), JSON.stringify({ model_id: 'my-digits', version: '1', execution_template: { type: 'Onnx' } }));
    const cwd = process.cwd();
    process.chdir(app);
    try {
      const result = await runCli(['codegen']);
      expect(result.exitCode).toBe(1);
      expect(result.err).toMatch(
        /^METADATA_INVALID: switchyard\.config\.yaml: 2 errors in the models it lists \(models\.dirs, models\.packages\):\n  ml\/badjson\/model_metadata\.json: \(root\) is not valid JSON at line 4, column 3[^\n]*\n  ml\/my-digits\/model_metadata\.json: \/execution_template\/model_file is required/,
      );
      const flags = await runCli(['codegen', '--models', 'ml', '--check']);
      expect(flags.err).toMatch(/^METADATA_INVALID: 2 errors in the models of --models, models\.packages:\n  ml\/badjson\//);
      expect(existsSync(join(app, 'lib'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  it('D1: a models.dirs entry that does not exist is CONFIG_INVALID located in the config, as at run time', async () => {
    writeFileSync(config, 'models:\n  dirs: [ml, nope]\n');
    const result = await runCli(['codegen', '--config', config, '--check']);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain(`CONFIG_INVALID: ${config}:2:14: /models/dirs/1: 'nope' does not exist`);
  });

  it('D1: an app without models/ generates from its packs alone (--packages, no config)', async () => {
    const pack = join(app, 'node_modules/@acme/model-digits');
    mkdirSync(pack, { recursive: true });
    writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: '@acme/model-digits', version: '1.0.0' }));
    copyFileSync(join(app, 'ml/my-digits/model_metadata.json'), join(pack, 'model_metadata.json'));
    copyFileSync(join(app, 'ml/my-digits/model.onnx'), join(pack, 'model.onnx'));
    rmSync(config);
    rmSync(join(app, 'ml'), { recursive: true });
    const cwd = process.cwd();
    process.chdir(app);
    try {
      const first = await runCli(['codegen', '--packages', '@acme/model-digits']);
      expect(first.exitCode, first.err).toBe(0);
      const check = await runCli(['codegen', '--packages', '@acme/model-digits', '--check']);
      expect(check).toMatchObject({ exitCode: 0, out: 'codegen: src/switchyard.generated up to date (1 model(s), 3 files)\n' });
      expect(readFileSync(join(app, 'src/switchyard.generated/registry.ts'), 'utf8')).toContain("package: '@acme/model-digits',");
    } finally {
      process.chdir(cwd);
    }
  });

  it('a bad --models, --packages or --out is named by the flag the user typed, not by a config pointer (even beside a config)', async () => {
    const cwd = process.cwd();
    process.chdir(app);
    try {
      const models = await runCli(['codegen', '--check', '--models', 'ml', '--models', 'nope', '--models', 'switchyard.config.yaml']);
      expect(models.exitCode).toBe(1);
      expect(models.err).toBe(
        "CONFIG_INVALID: --models 'nope' does not exist (expected a folder of model folders, a model folder or a .xyb file); --models 'switchyard.config.yaml' is a file, not a folder or a .xyb bundle\n",
      );
      const packages = await runCli(['codegen', '--check', '--packages', '@acme/not-installed']);
      expect(packages.err).toBe("ARTIFACT_NOT_FOUND: model pack '@acme/not-installed' (--packages) is not installed: run npm install @acme/not-installed\n");
      const out = await runCli(['codegen', '--check', '--out', 'node_modules/gen']);
      expect(out.err).toBe("CONFIG_INVALID: --out: codegen output node_modules/gen is inside node_modules: generate into the app's own source (e.g. src/switchyard.generated)\n");
      writeFileSync(join(app, 'a-file'), '');
      const unwritable = await runCli(['codegen', '--models', 'ml', '--out', 'a-file/gen']);
      expect(unwritable).toMatchObject({ exitCode: 1, err: 'CONFIG_INVALID: --out: cannot write a-file/gen/index.ts: ENOTDIR (a part of the path is a file)\n' });
    } finally {
      process.chdir(cwd);
    }
  });

  it('a folder it cannot write is named relative to the current folder also outside it (--out ../afile/gen), and one from codegen.out at its line in the config', async () => {
    const cwd = process.cwd();
    mkdirSync(join(app, 'sub'));
    writeFileSync(join(app, 'a-file'), '');
    try {
      process.chdir(join(app, 'sub'));
      const outside = await runCli(['codegen', '--models', '../ml', '--out', '../a-file/gen']);
      expect(outside).toMatchObject({ exitCode: 1, err: `CONFIG_INVALID: --out: cannot write ${join('..', 'a-file', 'gen', 'index.ts')}: ENOTDIR (a part of the path is a file)\n` });
      process.chdir(app);
      writeFileSync(config, 'models:\n  dirs: [ml]\ncodegen:\n  out: a-file/gen\n');
      const fromConfig = await runCli(['codegen']);
      expect(fromConfig).toMatchObject({ exitCode: 1, err: 'CONFIG_INVALID: switchyard.config.yaml:4:8: /codegen/out: cannot write a-file/gen/index.ts: ENOTDIR (a part of the path is a file)\n' });
      // The output folder itself a file: named before any write (it was an INTERNAL ENOTDIR from the scan), by the
      // flag or at its line in the config, with --check too.
      for (const args of [['codegen', '--out', 'a-file'], ['codegen', '--check', '--out', 'a-file']]) {
        expect(await runCli(args)).toMatchObject({ exitCode: 1, err: "CONFIG_INVALID: --out: 'a-file' is a file, not a folder (the codegen output folder)\n" });
      }
      writeFileSync(config, 'models:\n  dirs: [ml]\ncodegen:\n  out: a-file\n');
      expect(await runCli(['codegen'])).toMatchObject({ exitCode: 1, err: "CONFIG_INVALID: switchyard.config.yaml:4:8: /codegen/out: 'a-file' is a file, not a folder (the codegen output folder)\n" });
      // Empty values would silently mean the defaults: refused by the flag.
      for (const flag of ['--out', '--packages', '--models']) {
        const empty = await runCli(['codegen', flag, '']);
        expect(empty.exitCode).toBe(1);
        expect(empty.err).toContain(`argument '' is invalid. must not be empty.`);
      }
    } finally {
      process.chdir(cwd);
    }
  });

  it('names a config file that does not exist', async () => {
    const result = await runCli(['codegen', '--config', join(app, 'nope.yaml')]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('CONFIG_NOT_FOUND');
  });

  /** The app's build step: the generated TypeScript compiled to .js beside it (models.registry names a compiled module). */
  function buildGenerated(dir: string): void {
    for (const file of [dir, join(dir, 'pipelines')].flatMap((d) => readdirSync(d).filter((n) => n.endsWith('.ts')).map((n) => join(d, n)))) {
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      writeFileSync(file.replace(/\.ts$/, '.js'), outputText);
    }
  }

  it('S2: a registry compiled before model_metadata.json changed (TopK k 3 -> 1) is not run silently: a warning, and the file runs interpreted until codegen runs again', async () => {
    // The app's generated registry imports @switchyard/core from the app's node_modules.
    mkdirSync(join(app, 'node_modules/@switchyard'), { recursive: true });
    symlinkSync(join(REPO, 'packages/core'), join(app, 'node_modules/@switchyard/core'), 'dir');
    writeFileSync(config, 'models:\n  dirs: [ml]\n  registry: ./lib/generated/index.js\ncodegen:\n  out: lib/generated\n');
    const digit = join(app, 'digit.json');
    writeFileSync(digit, JSON.stringify(Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (Math.abs(x - 14) < 3 && y > 4 && y < 24 ? 230 : 10)))));
    const runDigits = async () => {
      const warnings: string[] = [];
      const logger: PluginLogger = { debug() {}, info() {}, error() {}, warn: (obj, msg) => void warnings.push(msg ?? String(obj)) };
      const started = await createSwitchyardApp({ configPath: config, plugins: [createOnnxPlugin()], logger });
      try {
        const input = await readModelInputFile(digit, JSON.parse(readFileSync(join(app, 'ml/my-digits/model_metadata.json'), 'utf8')), 'my-digits');
        const result = await started.orchestrator.run({ model: 'my-digits', workload: 'inference', input });
        const top = (result.output as { value: unknown[][] | unknown[] }).value;
        return { pipeline: result.pipeline, classes: (Array.isArray(top[0]) ? top[0] : top).length, warnings };
      } finally {
        await started.shutdown();
      }
    };
    expect((await runCli(['codegen', '--config', config])).exitCode).toBe(0);
    buildGenerated(join(app, 'lib/generated'));
    expect(await runDigits()).toEqual({ pipeline: 'generated', classes: 3, warnings: [] });

    const file = join(app, 'ml/my-digits/model_metadata.json');
    const metadata = JSON.parse(readFileSync(file, 'utf8'));
    metadata.postprocessing.find((step: { type: string }) => step.type === 'TopK').k = 1;
    writeFileSync(file, JSON.stringify(metadata));
    expect(await runDigits()).toEqual({
      pipeline: 'interpreted',
      classes: 1,
      warnings: ["generated registry is stale for 'my-digits' (ml/my-digits/model_metadata.json changed since codegen): run `npx switchyard codegen`; until then the model runs interpreted, as the file says now"],
    });
    expect((await runCli(['codegen', '--check', '--config', config])).err).toContain(`stale   ${app}/lib/generated/registry.ts`);

    // codegen again (into a new folder: this process's module cache still holds the first build), and it is generated again
    writeFileSync(config, 'models:\n  dirs: [ml]\n  registry: ./lib/generated-2/index.js\ncodegen:\n  out: lib/generated-2\n');
    expect((await runCli(['codegen', '--config', config])).exitCode).toBe(0);
    buildGenerated(join(app, 'lib/generated-2'));
    expect(await runDigits()).toEqual({ pipeline: 'generated', classes: 1, warnings: [] });
  }, 60_000);
});
