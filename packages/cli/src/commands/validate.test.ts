import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.js';
import { startServe } from './serve.js';

const onnx = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model_id: id, version: '1', execution_template: { type: 'Onnx', model_file: 'm.onnx' }, files: ['m.onnx'], ...extra });

/** A real graph (the digits test model) for every m.onnx: validate checks graphs against the metadata, as codegen does. */
const GRAPH = new URL('../../../../models/xybrid-digits/model.onnx', import.meta.url);

let root: string;
let cwd: string;
beforeEach(() => {
  cwd = process.cwd();
  root = mkdtempSync(join(tmpdir(), 'cli-validate-'));
  mkdirSync(join(root, 'app', 'models', 'good'), { recursive: true });
  writeFileSync(join(root, 'app', 'models', 'good', 'model_metadata.json'), onnx('good'));
  copyFileSync(GRAPH, join(root, 'app', 'models', 'good', 'm.onnx'));
  writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'models:\n  dirs: [models]\n');
  process.chdir(root);
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(root, { recursive: true, force: true });
});

/** A model folder under app/models. */
function model(name: string, metadata: string): void {
  mkdirSync(join(root, 'app', 'models', name), { recursive: true });
  writeFileSync(join(root, 'app', 'models', name, 'model_metadata.json'), metadata);
  copyFileSync(GRAPH, join(root, 'app', 'models', name, 'm.onnx'));
}

describe('switchyard validate checks every model the config lists, as codegen and the runtime do', () => {
  it('a valid catalog: ok, with the count of models (both with and without plugins)', async () => {
    expect(await runCli(['validate', 'app'])).toEqual({ out: 'app/switchyard.config.yaml: ok (0 plugins, 0 engines, 1 model)\n', err: '', exitCode: 0 });
    expect((await runCli(['validate', '--no-plugins', 'app'])).out).toBe('app/switchyard.config.yaml: ok (1 model)\n');
  });

  it('a model error exits 1 naming the file (relative to the current folder), JSON pointer, expected and found', async () => {
    // It printed "ok": validate never read the models.
    model('bad', onnx('bad', { preprocessing: [{ type: 'Normalize', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5] }] }));
    model('broken', '{ "model_id": ');
    for (const args of [['validate', 'app'], ['validate', '--no-plugins', 'app'], ['validate', '--allow-missing-env', 'app']]) {
      const run = await runCli(args);
      expect(run.exitCode, args.join(' ')).toBe(1);
      expect(run.out).toBe('');
      expect(run.err).toMatch(/^METADATA_INVALID: app\/switchyard\.config\.yaml: 2 errors in the models it lists \(models\.dirs, models\.packages\):\n/);
      expect(run.err).toContain('\n  app/models/bad/model_metadata.json: /preprocessing/0/std must have as many values as mean (or one) (expected 3 value(s), found 2 value(s))\n');
      expect(run.err).toMatch(/\n {2}app\/models\/broken\/model_metadata\.json: .*JSON/i);
      expect(run.err).not.toContain(root);
    }
  });

  it('the graph is checked against the metadata as codegen and the ONNX engine check it (an output name the graph lacks)', async () => {
    // It printed "ok" while codegen and run refused the file.
    model('named', onnx('named', { metadata: { output_names: ['probs'] } }));
    const run = await runCli(['validate', 'app']);
    expect(run.exitCode).toBe(1);
    expect(run.err).toContain('app/models/named/model_metadata.json: /metadata/output_names/0 names no output of m.onnx (expected one of logits, found "probs")');
  });

  it('warnings (unknown fields) are printed, located, and the exit code stays 0', async () => {
    model('odd', onnx('odd', { colour: 'blue' }));
    const run = await runCli(['validate', 'app']);
    expect(run.exitCode).toBe(0);
    expect(run.err).toMatch(/^warning: app\/models\/odd\/model_metadata\.json: \/colour is not a known field here; ignored \(expected one of .*, found "colour"\)\n$/);
    expect(run.out).toBe('app/switchyard.config.yaml: ok (0 plugins, 0 engines, 2 models)\n');
  });

  it('covers model packs (models.packages) and refuses an id two models share, naming both files', async () => {
    const pack = join(root, 'app', 'node_modules', '@acme', 'model-good');
    mkdirSync(pack, { recursive: true });
    writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: '@acme/model-good', version: '1.0.0' }));
    writeFileSync(join(pack, 'model_metadata.json'), onnx('good', { execution_template: { type: 'Onnx' } }));
    writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'models:\n  dirs: [models]\n  packages: ["@acme/model-good"]\n');
    const run = await runCli(['validate', 'app']);
    expect(run.exitCode).toBe(1);
    expect(run.err).toContain('  @acme/model-good/model_metadata.json: /execution_template');
    expect(run.err).toContain('  app/models/good/model_metadata.json: /model_id repeats the id of @acme/model-good/model_metadata.json');
  });

  it('a models.dirs entry that does not exist is located in the config file', async () => {
    writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'models:\n  dirs: [gone]\n');
    const run = await runCli(['validate', '--no-plugins', 'app']);
    expect(run.exitCode).toBe(1);
    expect(run.err).toContain("CONFIG_INVALID: app/switchyard.config.yaml:2:10: /models/dirs/0: 'gone' does not exist");
  });
});

describe('switchyard validate does not open the server state store', () => {
  it('creates no .switchyard/, leaves no state files after a failure and passes while a server holds the dataDir', async () => {
    // It opened (created and locked) the dataDir through the serve path: .switchyard/ appeared, a failed run left
    // state.lock/-wal/-shm, and a running server made it fail with "dataDir ... is in use by process N".
    expect((await runCli(['validate', 'app'])).exitCode).toBe(0);
    expect(existsSync(join(root, 'app', '.switchyard'))).toBe(false);
    writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'models:\n  dirs: [models]\nserver:\n  host: 0.0.0.0\n');
    const failed = await runCli(['validate', 'app']);
    expect(failed.err).toContain('CONFIG_INVALID: app/switchyard.config.yaml:4:9: /server/host:');
    expect(existsSync(join(root, 'app', '.switchyard'))).toBe(false);
    writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'models:\n  dirs: [models]\n');
    const { server } = await startServe({ config: 'app', port: '0' }, {});
    try {
      const before = readdirSync(join(root, 'app', '.switchyard')).sort();
      expect(await runCli(['validate', 'app'])).toEqual({ out: 'app/switchyard.config.yaml: ok (0 plugins, 0 engines, 1 model)\n', err: '', exitCode: 0 });
      expect(readdirSync(join(root, 'app', '.switchyard')).sort()).toEqual(before);
    } finally {
      await server.close({ deadlineMs: 10 });
    }
  });
});

describe('switchyard validate checks models.overrides.<id>.options against the engine\'s modelOptionsSchema', () => {
  beforeEach(() => {
    // The app loads the ONNX plugin from a file of its own (this repo's build: a temp folder has no node_modules).
    writeFileSync(join(root, 'app', 'onnx.mjs'), `export { default } from ${JSON.stringify(new URL('../../../plugin-onnx/dist/index.js', import.meta.url).href)};\n`);
  });
  const configWith = (options: string) =>
    writeFileSync(join(root, 'app', 'switchyard.config.yaml'), `plugins: [./onnx.mjs]\nmodels:\n  dirs: [models]\n  overrides:\n    good:\n      options: ${options}\n`);

  it('a value the engine refuses exits 1 with the located message (it passed, then `run` failed as "truncated or not an ONNX model?")', async () => {
    configWith('{ intraOpNumThreads: "two", graphOptimizationLevel: fastest }');
    const run = await runCli(['validate', 'app']);
    expect(run).toEqual({
      out: '',
      err: [
        'CONFIG_INVALID: Invalid config app/switchyard.config.yaml (2 errors):',
        `  app/switchyard.config.yaml:6:37: /models/overrides/good/options/intraOpNumThreads: expected integer, found string "two" (model options of engine 'onnx')`,
        `  app/switchyard.config.yaml:6:68: /models/overrides/good/options/graphOptimizationLevel: expected one of "disabled", "basic", "extended", "all", found string "fastest" (model options of engine 'onnx')`,
        '',
      ].join('\n'),
      exitCode: 1,
    });
  });

  it('an unknown key exits 1 at the key, with the close match (it was accepted)', async () => {
    configWith('{ intraOpNumThreds: 2 }');
    const run = await runCli(['validate', 'app']);
    expect(run.exitCode).toBe(1);
    expect(run.err).toBe(
      `CONFIG_INVALID: app/switchyard.config.yaml:6:18: /models/overrides/good/options/intraOpNumThreds: expected one of the known keys (executionProviders, intraOpNumThreads, interOpNumThreads, graphOptimizationLevel), found unknown key "intraOpNumThreds" (did you mean "intraOpNumThreads"?) (model options of engine 'onnx')\n`,
    );
  });

  // It printed "ok" with the options unchecked, and said nothing about it.
  it('--no-plugins and --allow-missing-env say the options were not checked (the engines are not started)', async () => {
    configWith('{ intraOpNumThreads: "two" }');
    for (const flag of ['--no-plugins', '--allow-missing-env']) {
      const run = await runCli(['validate', flag, 'app']);
      expect(run.exitCode, flag).toBe(0);
      expect(run.err).toBe(`note: models.overrides.good.options not checked against the engine's modelOptionsSchema (${flag}: engines are not started); run \`switchyard validate\` without it to check them\n`);
    }
  });

  it('options the engine takes are ok', async () => {
    configWith('{ intraOpNumThreads: 2 }');
    expect(await runCli(['validate', 'app'])).toEqual({ out: 'app/switchyard.config.yaml: ok (1 plugin, 1 engine, 1 model)\n', err: '', exitCode: 0 });
  });
});

describe('validate -c/--config, like serve, worker, run, models and codegen', () => {
  // It was refused as an unknown option.
  it('takes the config as -c/--config or [config]; both naming different files is a usage error', async () => {
    expect((await runCli(['validate', '-c', 'app', '--no-plugins'])).out).toBe('app/switchyard.config.yaml: ok (1 model)\n');
    expect((await runCli(['validate', '--config', 'app/switchyard.config.yaml'])).out).toBe('app/switchyard.config.yaml: ok (0 plugins, 0 engines, 1 model)\n');
    expect((await runCli(['validate', '--no-plugins', '-c', 'app', 'app'])).exitCode).toBe(0);
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'switchyard.config.yaml'), '{}\n');
    const both = await runCli(['validate', '-c', 'other', 'app']);
    expect(both.exitCode).toBe(1);
    expect(both.out).toBe('');
    expect(both.err).toBe("validate: give the config as [config] or -c/--config, not both (found 'app' and --config 'other')\nusage: switchyard validate [config]  |  switchyard validate -c <config>\n");
  });
});

describe('validate warns about a stale generated registry, as the app does at start', () => {
  // It printed "ok" without a word; `serve` then ran the model interpreted.
  it('names the model whose model_metadata.json changed since codegen, with the text the app logs (exit 0)', async () => {
    const entry = { id: 'good', dir: 'models/good', metadataSha256: '0'.repeat(64), metadata: {} };
    writeFileSync(join(root, 'app', 'registry.mjs'), `const entry = ${JSON.stringify(entry)};\nexport const registry = { list: () => [entry], get: (id) => (id === entry.id ? entry : undefined) };\n`);
    writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'models:\n  registry: ./registry.mjs\n');
    const stale = "warning: generated registry is stale for 'good' (models/good/model_metadata.json changed since codegen): run `npx switchyard codegen`; until then the model runs interpreted, as the file says now\n";
    // Plain validate (the app started, as serve starts it) printed core's raw JSON log line instead.
    for (const flags of [[], ['--no-plugins'], ['--allow-missing-env']]) {
      const run = await runCli(['validate', ...flags, 'app']);
      const flag = flags.join(' ') || '(no flag)';
      expect(run.exitCode, flag).toBe(0);
      expect(run.err, flag).toBe(stale);
      expect(run.out, flag).toMatch(/^app\/switchyard\.config\.yaml: ok/);
    }
  });
});

describe('validate with queue.redis', () => {
  // Documented in docs/cli.md: plain validate checks that Redis answers, as serve and worker do; the flags skip it.
  it('names queue.redis when Redis does not answer (exit 1), and --no-plugins / --allow-missing-env skip the check', async () => {
    writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'models:\n  dirs: [models]\nqueue:\n  redis: redis://127.0.0.1:1\n');
    const down = await runCli(['validate', 'app']);
    expect(down.exitCode).toBe(1);
    expect(down.err).toMatch(/^CONNECTION_FAILED: queue\.redis: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 /);
    expect(down.err).not.toMatch(/\n\s+at /);
    expect((await runCli(['validate', 'app', '--no-plugins'])).exitCode).toBe(0);
    expect((await runCli(['validate', 'app', '--allow-missing-env'])).exitCode).toBe(0);
  });
});
