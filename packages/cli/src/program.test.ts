import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli.js';
import { VERSION } from './version.js';

const ECHO_PLUGIN = `export default {
  name: 'echo', version: '2.0.0', core: '^0.1.0',
  configSchema: { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string' } } },
  register(ctx) {
    ctx.registerEngine({ specificationVersion: 'v1', id: 'echo-local', capabilities: { workloads: ['completion', 'stream'], targets: ['local'], features: ['streaming'], contextWindow: 2048 },
      async doLoad() {}, async doRun() { return { output: { kind: 'text', text: 'x' } }; }, async *doStream() {}, async doUnload() {}, async health() { return { ok: true }; } });
  },
};`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  writeFileSync(join(dir, 'echo-plugin.mjs'), ECHO_PLUGIN);
  writeFileSync(join(dir, 'switchyard.config.yaml'), 'version: 1\nplugins:\n  - package: ./echo-plugin.mjs\n    options: { greeting: hi }\n');
  writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nplugins:\n  - package: ./echo-plugin.mjs\nserver:\n  port: "80"\nunknown: true\n');
  writeFileSync(join(dir, 'bad-options.yaml'), 'plugins:\n  - package: ./echo-plugin.mjs\n    options:\n      greeting: 7\n');
  writeFileSync(join(dir, 'missing-plugin.yaml'), 'plugins:\n  - "@acme/absent"\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchyard', () => {
  it('--version prints the package version', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(manifest.version);
    const { out, exitCode } = await runCli(['--version']);
    expect([out.trim(), exitCode]).toEqual([VERSION, 0]);
  });

  it('--help lists the commands', async () => {
    const { out } = await runCli(['--help']);
    expect(out).toContain('Usage: switchyard');
    expect(out).toMatch(/validate \[options\] \[config\]/);
    expect(out).toMatch(/plugins \[options\] \[config\]/);
  });
});

describe('switchyard validate', () => {
  it('exits 0 for a good config and says how many plugins it checked', async () => {
    const { out, exitCode } = await runCli(['validate', dir]);
    expect(exitCode).toBe(0);
    expect(out.trim()).toBe(`${join(dir, 'switchyard.config.yaml')}: ok (1 plugin, 1 engine)`);
  });

  it('exits 1 listing every schema error with file:line:col and pointer', async () => {
    const file = join(dir, 'bad.yaml');
    const { err, exitCode } = await runCli(['validate', file]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`CONFIG_INVALID: Invalid config ${file} (2 errors):`);
    expect(err).toContain(`${file}:5:9: /server/port: expected integer, found string "80"`);
    expect(err).toContain(`${file}:6:1: /unknown: expected one of the known keys`);
  });

  it('plugins and worker name a config typed as a relative path relative to the current folder', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const plugins = await runCli(['plugins', 'bad-options.yaml']);
      expect(plugins.exitCode).toBe(1);
      expect(plugins.err).toContain('PLUGIN_OPTIONS_INVALID: ');
      expect(plugins.err).toContain('bad-options.yaml:4:17: /plugins/0/options/greeting: expected string, found integer 7');
      expect(plugins.err).not.toContain(dir);
      writeFileSync(join(dir, 'no-queue.yaml'), 'server:\n  port: 0\n');
      const worker = await runCli(['worker', '--config', 'no-queue.yaml']);
      expect(worker.err).toBe('CONFIG_INVALID: no-queue.yaml: switchyard worker needs queue.redis (e.g. queue: { redis: "redis://127.0.0.1:6379" })\n');
    } finally {
      process.chdir(cwd);
    }
  });

  it("exits 1 when plugin options fail the plugin's schema", async () => {
    const file = join(dir, 'bad-options.yaml');
    const { err, exitCode } = await runCli(['validate', file]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`PLUGIN_OPTIONS_INVALID: `);
    expect(err).toContain(`(invalid options for plugin 'echo')`);
    expect(err).toContain(`${file}:4:17: /plugins/0/options/greeting: expected string, found integer 7`);
  });

  it('--no-plugins checks the file only', async () => {
    const { out, exitCode } = await runCli(['validate', '--no-plugins', join(dir, 'missing-plugin.yaml')]);
    expect(exitCode).toBe(0);
    expect(out).toContain(': ok');
  });

  it('exits 1 naming a plugin that cannot be loaded', async () => {
    const { err, exitCode } = await runCli(['validate', join(dir, 'missing-plugin.yaml')]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`PLUGIN_LOAD_FAILED: ${join(dir, 'missing-plugin.yaml')}:2:5: /plugins/0: cannot load plugin '@acme/absent': package not found`);
  });

  it('fails on an unset env variable unless --allow-missing-env is given', async () => {
    const file = join(dir, 'env.yaml');
    writeFileSync(file, 'server:\n  apiKeys: ["${env:SY_CLI_TEST_UNSET_KEY}"]\n');
    const strict = await runCli(['validate', file]);
    expect(strict.exitCode).toBe(1);
    expect(strict.err).toContain(`CONFIG_ENV_MISSING: ${file}:2:13: /server/apiKeys/0: environment variable SY_CLI_TEST_UNSET_KEY is not set`);
    const lenient = await runCli(['validate', '--allow-missing-env', file]);
    expect(lenient.exitCode).toBe(0);
  });

  it('exits 1 when a plugin depends on one that is not listed', async () => {
    writeFileSync(join(dir, 'needy.mjs'), ECHO_PLUGIN.replace("name: 'echo'", "name: 'needy', dependsOn: ['router']"));
    const file = join(dir, 'needy.yaml');
    writeFileSync(file, 'plugins:\n  - ./needy.mjs\n');
    const { err, exitCode } = await runCli(['validate', file]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`PLUGIN_DEPENDENCY_MISSING: ${file}:2:5: /plugins/0: plugin 'needy' depends on plugin 'router', which is not loaded`);
  });

  it('exits 1 for a file that does not exist', async () => {
    const { err, exitCode } = await runCli(['validate', join(dir, 'nope.yaml')]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`CONFIG_NOT_FOUND: Config file ${join(dir, 'nope.yaml')} does not exist`);
  });
});

describe('switchyard plugins', () => {
  it('lists loaded plugins with their engines and capabilities', async () => {
    const { out, exitCode } = await runCli(['plugins', dir]);
    expect(exitCode).toBe(0);
    expect(out).toBe(
      [
        'echo@2.0.0 (./echo-plugin.mjs)',
        '  engine echo-local',
        '    workloads: completion, stream',
        '    targets:   local',
        '    features:  streaming',
        '    context:   2048 tokens',
        '',
      ].join('\n'),
    );
  });

  it('--json prints machine-readable output', async () => {
    const { out } = await runCli(['plugins', '--json', dir]);
    const parsed = JSON.parse(out) as { plugins: { name: string; engines: { id: string }[] }[] };
    expect(parsed.plugins.map((p) => [p.name, p.engines.map((e) => e.id)])).toEqual([['echo', ['echo-local']]]);
  });
});

describe('the switchyard binary', () => {
  it('exits with status 1 and a located message on a bad config', () => {
    const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', bin, 'validate', '--no-plugins', join(dir, 'bad.yaml')], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      timeout: 60_000,
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain(`${join(dir, 'bad.yaml')}:5:9: /server/port: expected integer`);
  });
});
