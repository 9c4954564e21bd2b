import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_PLUGIN_SOURCE, writeFixture } from '../../test/app-fixtures.js';
import { SwitchyardError } from '@switchyard/spec';
import { loadConfig } from './load-config.js';
import { activeConditions, importPlugin, loadConfiguredPlugins } from './plugin-loader.js';

let dir: string;

beforeAll(async () => {
  dir = await writeFixture({
    'plugins/echo.mjs': ECHO_PLUGIN_SOURCE,
    'plugins/factory.mjs': `export default () => ({ name: 'made', version: '1.0.0', core: '*', configSchema: {}, register() {} });`,
    'plugins/named.mjs': `export const plugin = { name: 'named', version: '1.0.0', core: '*', configSchema: {}, register() {} };`,
    'plugins/nothing.mjs': `export const answer = 42;`,
    'plugins/half.mjs': `export default { name: '', core: 5, configSchema: {}, register() {}, shutdown: 'no' };`,
    'plugins/throws.mjs': `throw new Error('top-level boom');`,
    // An import-only package (no "require"/"default" condition), like many ESM plugins.
    'node_modules/@acme/switchyard-echo/package.json': JSON.stringify({ name: '@acme/switchyard-echo', type: 'module', exports: { '.': { import: './dist/index.js' } } }),
    'node_modules/@acme/switchyard-echo/dist/index.js': ECHO_PLUGIN_SOURCE,
    'node_modules/plain-plugin/package.json': JSON.stringify({ name: 'plain-plugin', type: 'module', main: 'main.js' }),
    'node_modules/plain-plugin/main.js': ECHO_PLUGIN_SOURCE.replace("name: 'echo'", "name: 'plain'"),
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(specifier: string): Promise<SwitchyardError> {
  const file = join(dir, 'switchyard.config.yaml');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, `version: 1\nplugins:\n  - ${JSON.stringify(specifier)}\n`);
  const loaded = await loadConfig(file, { env: {} });
  try {
    await loadConfiguredPlugins(loaded);
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected loading to fail');
}

describe('importPlugin', () => {
  it('loads a default-exported manifest from a path relative to the config', async () => {
    expect((await importPlugin('./plugins/echo.mjs', dir)).name).toBe('echo');
  });

  it('loads an import-only scoped package from node_modules', async () => {
    expect((await importPlugin('@acme/switchyard-echo', dir)).name).toBe('echo');
  });

  it('loads a package through "main"', async () => {
    expect((await importPlugin('plain-plugin', dir)).name).toBe('plain');
  });

  it('calls a default-exported factory and accepts a named `plugin` export', async () => {
    expect((await importPlugin('./plugins/factory.mjs', dir)).name).toBe('made');
    expect((await importPlugin('./plugins/named.mjs', dir)).name).toBe('named');
  });
});

describe('PLUGIN_LOAD_FAILED names the package, the config location and why', () => {
  it('a package that is not installed', async () => {
    const error = await loadError('@acme/not-installed');
    expect(error.code).toBe('PLUGIN_LOAD_FAILED');
    expect(error.message).toBe(`${join(dir, 'switchyard.config.yaml')}:3:5: /plugins/0: cannot load plugin '@acme/not-installed': package not found from the config file's folder (is it installed?)`);
  });

  it('a path that does not exist is named as the config wrote it, relative to the config file\'s folder (not absolute)', async () => {
    const error = await loadError('./plugins/missing.mjs');
    expect(error.message).toMatch(/:\d+:\d+: \/plugins\/0: cannot load plugin '\.\/plugins\/missing\.mjs': file \.\/plugins\/missing\.mjs does not exist \(relative to the config file's folder\)$/);
    expect(error.message.split('cannot load plugin')[1]).not.toContain(dir);
  });

  it('a module that exports no plugin', async () => {
    const error = await loadError('./plugins/nothing.mjs');
    expect(error.message).toContain("cannot load plugin './plugins/nothing.mjs': the module does not export a plugin");
  });

  it('a manifest with bad fields', async () => {
    const error = await loadError('./plugins/half.mjs');
    expect(error.message).toContain('"name" must be a non-empty string; "version" must be a string; "core" must be a semver range string; "shutdown" must be a function');
  });

  it('a module that throws while importing', async () => {
    const error = await loadError('./plugins/throws.mjs');
    expect(error.message).toContain("cannot load plugin './plugins/throws.mjs': top-level boom");
    expect((error.cause as Error).message).toBe('top-level boom');
  });
});

describe('loadConfiguredPlugins', () => {
  it('keeps config order, passes options and skips disabled entries', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = join(dir, 'ordered.yaml');
    await writeFile(file, 'plugins:\n  - plain-plugin\n  - package: ./plugins/echo.mjs\n    options: { greeting: yo }\n  - name: ./plugins/named.mjs\n    enabled: false\n');
    const specs = await loadConfiguredPlugins(await loadConfig(file, { env: {} }));
    expect(specs.map((s) => [s.plugin.name, s.specifier, s.pointer, s.options])).toEqual([
      ['plain', 'plain-plugin', '/plugins/0', undefined],
      ['echo', './plugins/echo.mjs', '/plugins/1', { greeting: 'yo' }],
    ]);
  });
});

describe('dual packages', () => {
  it('loads the ESM entry of a package that also ships CommonJS', async () => {
    const dual = await writeFixture({
      'node_modules/dual-plugin/package.json': JSON.stringify({ name: 'dual-plugin', exports: { '.': { require: './cjs.cjs', import: './esm.mjs' } } }),
      'node_modules/dual-plugin/esm.mjs': ECHO_PLUGIN_SOURCE.replace("name: 'echo'", "name: 'dual-esm'"),
      'node_modules/dual-plugin/cjs.cjs': `module.exports = { name: 'dual-cjs', version: '1.0.0', core: '*', configSchema: {}, register() {} };`,
    });
    try {
      expect((await importPlugin('dual-plugin', dual)).name).toBe('dual-esm');
    } finally {
      await rm(dual, { recursive: true, force: true });
    }
  });
});

describe('export conditions', () => {
  it('reads custom conditions from execArgv and NODE_OPTIONS', () => {
    expect(activeConditions(['--conditions', 'source', '--conditions=dev', '-C', 'x', '--inspect'], '-C=y --max-old-space-size=100')).toEqual(['source', 'dev', 'x', 'y']);
  });

  it('honours the conditions this process runs with (vitest passes --conditions @switchyard/source)', async () => {
    const pkg = await writeFixture({
      'node_modules/cond-plugin/package.json': JSON.stringify({ name: 'cond-plugin', exports: { '.': { '@switchyard/source': './src.mjs', types: './x.d.ts', default: './dist.mjs' } } }),
      'node_modules/cond-plugin/src.mjs': ECHO_PLUGIN_SOURCE.replace("name: 'echo'", "name: 'from-source'"),
      'node_modules/cond-plugin/dist.mjs': ECHO_PLUGIN_SOURCE.replace("name: 'echo'", "name: 'from-dist'"),
    });
    try {
      const expected = activeConditions().includes('@switchyard/source') ? 'from-source' : 'from-dist';
      expect((await importPlugin('cond-plugin', pkg)).name).toBe(expected);
    } finally {
      await rm(pkg, { recursive: true, force: true });
    }
  });
});
