import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { writeFixture } from '../../test/app-fixtures.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';
import { createSwitchyardApp } from './create-app.js';

const logger = createOrchestrationLogger({ logLevel: 'silent' });

async function registryError(registry: string, files: Record<string, string> = {}): Promise<{ error: SwitchyardError; dir: string }> {
  const dir = await writeFixture({ 'switchyard.config.yaml': `models:\n  registry: ${registry}\n`, ...files });
  const error = await createSwitchyardApp({ configPath: join(dir, 'switchyard.config.yaml'), logger }).catch((e: unknown) => e);
  await rm(dir, { recursive: true, force: true });
  expect(SwitchyardError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
  return { error: error as SwitchyardError, dir };
}

describe('models.registry errors are located, name the path as written and say what is expected', () => {
  it('a module that does not exist (it was "Cannot find module \'/abs/dist/nope.js\' imported from /abs/node_modules/...")', async () => {
    const { error, dir } = await registryError('./dist/nope.js');
    expect(error.message).toMatch(/switchyard\.config\.yaml:2:13: \/models\/registry: '\.\/dist\/nope\.js' does not exist \(relative to the config file's folder\); expected a compiled \.js or \.mjs module exporting the generated registry/);
    expect(error.details).toMatchObject({ pointer: '/models/registry', line: 2, column: 13 });
    expect(error.message.replace(/^.*switchyard\.config\.yaml/, '')).not.toContain(dir);
    expect(error.message).not.toContain('node_modules');
  });

  it('a .png file is not a module; a .ts file without a TypeScript loader says so (it was "Unknown file extension")', async () => {
    const dir = await writeFixture({ 'switchyard.config.yaml': 'models:\n  registry: ./src/switchyard.generated/index.ts\n', 'src/switchyard.generated/index.ts': 'export const registry = {};\n' });
    // Plain node (vitest itself imports .ts): the app is created from core's build.
    const core = new URL('../../dist/index.js', import.meta.url).href;
    const script = `const { createSwitchyardApp } = await import(${JSON.stringify(core)}); await createSwitchyardApp({ configPath: ${JSON.stringify(join(dir, 'switchyard.config.yaml'))}, logger: { debug() {}, info() {}, warn() {}, error() {} } }).catch((e) => console.log(e.message));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    await rm(dir, { recursive: true, force: true });
    expect(run.stdout).toContain("/models/registry: './src/switchyard.generated/index.ts' is TypeScript, which this Node process cannot import (no TypeScript loader such as tsx); expected a compiled .js or .mjs module");
    const png = await registryError('./logo.png', { 'logo.png': 'x' });
    expect(png.error.message).toContain("'./logo.png' is not a compiled module (found a .png file)");
  });

  it('a module that fails to import is named as written, without absolute paths', async () => {
    const { error, dir } = await registryError('./broken.mjs', { 'broken.mjs': "import './missing-dep.mjs';\n" });
    expect(error.message).toMatch(/:2:13: \/models\/registry: cannot import '\.\/broken\.mjs' \(relative to the config file's folder\): Error: Cannot find module '(\.\/)?missing-dep\.mjs'/);
    expect(error.message.replace(/^.*switchyard\.config\.yaml/, '')).not.toContain(dir);
  });
});
