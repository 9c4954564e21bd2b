import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

/**
 * An app with only a cloud plugin must not pay for local inference: importing core and creating the app loads
 * no native addon (sharp/libvips, onnxruntime) and none of the heavy step modules (tokenizers, phonemizer).
 * A fresh node records every module it resolves (a module.register hook) and compares its shared objects with
 * the same process before the imports. Runs the built packages (dist), as an installed app would.
 */
const HEAVY = ['sharp', '@huggingface/tokenizers', 'phonemizer', 'onnxruntime-node', 'onnxruntime-common', '@img/'];

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'switchyard-lazy-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const hook = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.SWITCHYARD_RESOLVE_LOG, result.url + '\\n');
  return result;
}`;

const script = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
const before = process.report.getReport().sharedObjects;
const { createSwitchyardApp } = await import('@switchyard/core');
const { default: cloud } = await import('@switchyard/plugin-cloud-llm');
const app = await createSwitchyardApp({
  config: { telemetry: { logLevel: 'silent' } },
  plugins: [{ plugin: cloud, options: { providers: [{ id: 'vllm', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' }] } }],
});
const engines = app.engines.map((engine) => engine.id);
await app.shutdown();
const after = process.report.getReport().sharedObjects;
console.log(JSON.stringify({ engines, added: after.filter((so) => !before.includes(so)) }));
`;

function run(source: string): { engines: string[]; added: string[]; resolved: string[] } {
  const log = join(workDir, `resolved-${Math.random().toString(36).slice(2)}.log`);
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: packageDir,
    encoding: 'utf8',
    env: { ...process.env, SWITCHYARD_RESOLVE_LOG: log, NODE_OPTIONS: '' },
  });
  const lines = out.trim().split('\n');
  return { ...(JSON.parse(lines[lines.length - 1]!) as { engines: string[]; added: string[] }), resolved: readFileSync(log, 'utf8').trim().split('\n') };
}

it('importing core and creating an app with only a cloud plugin loads no native or heavy module', () => {
  const { engines, added, resolved } = run(script);
  expect(engines).toEqual(['vllm']);
  expect(resolved.some((url) => url.includes('/core/dist/'))).toBe(true);
  expect(resolved.filter((url) => HEAVY.some((name) => url.includes(`/node_modules/${name}`)))).toEqual([]);
  expect(added).toEqual([]);
});

it('the check sees a native module when one is loaded (so it can fail)', () => {
  const { added, resolved } = run(script.replace("const after =", "await import('sharp');\nconst after ="));
  expect(resolved.some((url) => url.includes('/node_modules/sharp/'))).toBe(true);
  expect(added.length).toBeGreaterThan(0);
});
