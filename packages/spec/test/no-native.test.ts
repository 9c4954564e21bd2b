import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const entry = new URL('../dist/index.js', import.meta.url).href;

/** Runs a fresh node that (optionally) imports the built package, and reports what it loaded. */
function loadReport(importEntry: boolean): { sharedObjects: string[]; exports: string[] } {
  const script = `
    const loaded = ${importEntry} ? await import(${JSON.stringify(entry)}) : {};
    const report = process.report.getReport();
    console.log(JSON.stringify({ sharedObjects: report.sharedObjects, exports: Object.keys(loaded) }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, encoding: 'utf8' });
  return JSON.parse(out) as { sharedObjects: string[]; exports: string[] };
}

describe('@switchyard/spec', () => {
  it('has no runtime dependencies', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
    expect(manifest.optionalDependencies ?? {}).toEqual({});
  });

  it('importing it loads no native code (same shared objects as a bare node)', () => {
    const bare = loadReport(false);
    const withSpec = loadReport(true);
    expect(withSpec.exports).toEqual(expect.arrayContaining(['SwitchyardError', 'NoSuchModelError', 'definePlugin', 'TOKENS', 'ERROR_CODES']));
    expect(withSpec.sharedObjects.filter((so) => !bare.sharedObjects.includes(so))).toEqual([]);
  });

  it('imports nothing outside its own dist (no bare specifiers, not even node: builtins)', () => {
    const distDir = fileURLToPath(new URL('../dist/', import.meta.url));
    const files = readdirSync(distDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
    expect(files.length).toBeGreaterThan(5);
    const bare = files.flatMap((file) =>
      [...readFileSync(join(distDir, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!).filter((spec) => !spec.startsWith('.')).map((spec) => `${file}: ${spec}`),
    );
    expect(bare).toEqual([]);
  });
});
