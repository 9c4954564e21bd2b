#!/usr/bin/env node
// The outside-the-repo journey test (issue 11). `npm test` runs it after the turbo tests; on its own:
//   node scripts/journey.mjs [--keep]        (needs `npm run build` first)
//
// It packs every published package with `npm pack`, checks each tarball (our rules, publint --strict,
// @arethetypeswrong/cli with the ESM profile), then plays three users in temp dirs OUTSIDE the checkout, with
// nothing from this repo but the tarballs and a few input files. Network: only the npm registry (npm's cache
// is used first). Every step is PASS or FAIL with a reason; the script exits 1 if any step failed.
//   A (app)           install the tarballs, `npx switchyard --version`, a model pack run, tsc strict with skipLibCheck:false
//   B (CI codegen)    an app-owned model: `npx switchyard codegen`, `--check` 0, and 1 after a hand edit, a metadata
//                     change and a stray file; a type test against the app's own generated registry; the compiled
//                     registry plugged in (models.registry) runs the model through its generated pipeline
//   C (plugin author) copy examples/third-party-plugin out, install spec/core/testkit tarballs, build and run its
//                     conformance tests; install it into the app by package name, `switchyard plugins` lists it,
//                     `/v1/chat/completions` (official openai client) reaches it
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const KEEP = process.argv.includes('--keep');
const started = Date.now();

const work = mkdtempSync(join(tmpdir(), 'switchyard-journey-'));
if (!relative(ROOT, work).startsWith('..')) throw new Error(`journey temp dir ${work} must be outside the checkout ${ROOT}`);
const tarballDir = join(work, 'tarballs');
mkdirSync(tarballDir);

/** Env for commands in the temp dirs: none of the repo's npm settings (npm run exports .npmrc as npm_config_*). */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_OPTIONS'));
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

const results = [];
function record(name, status, detail, ms) {
  results.push({ name, status, detail, ms });
  const mark = status === 'pass' ? 'PASS' : 'FAIL';
  console.log(`${mark} ${name} (${(ms / 1000).toFixed(1)} s)${detail ? `\n     ${String(detail).split('\n').join('\n     ')}` : ''}`);
}

/** Runs one journey step; a thrown error is a FAIL with its message, never a crash of the whole script. */
async function step(name, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    record(name, 'pass', detail, Date.now() - t0);
    return true;
  } catch (error) {
    record(name, 'fail', error instanceof Error ? error.message : String(error), Date.now() - t0);
    return false;
  }
}

class StepError extends Error {}
const check = (condition, message) => {
  if (!condition) throw new StepError(message);
};

function run(cmd, args, { cwd, env = cleanEnv, allowFail = false, timeout = 180_000 } = {}) {
  const result = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  const out = { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  if (result.error) throw new StepError(`${cmd} ${args.join(' ')}: ${result.error.message}`);
  if (!allowFail && out.status !== 0) {
    const output = `${out.stdout}\n${out.stderr}`;
    throw new StepError(`\`${cmd} ${args.join(' ')}\` exited ${out.status} in ${cwd}\n${tail(output.trim())}${explainNotAModule(output)}`);
  }
  return out;
}
/** Where the tarball checks unpack a package (one folder per package name). */
const unpackedDir = (name) => join(work, 'unpacked', name.replace('/', '__'));
/** A file's size and first bytes, for a failure message. */
const describeFile = (path) => (existsSync(path) ? `${path}: ${statSync(path).size} bytes, starts ${JSON.stringify(readFileSync(path, 'utf8').slice(0, 120))}` : `${path}: missing`);
/**
 * tsc's TS2306 ("File '…' is not a module") on a shipped .d.ts: print the installed file's size and first bytes next
 * to the unpacked tarball's copy, so a CI log says whether the tarball or the install held the broken file.
 */
function explainNotAModule(output) {
  const lines = [];
  for (const [, file] of output.matchAll(/File '([^']+\.d\.ts)' is not a module/g)) {
    lines.push(describeFile(file));
    const match = /node_modules\/(@switchyard\/[^/]+)\/(.+)$/.exec(file);
    if (match) lines.push(describeFile(join(unpackedDir(match[1]), match[2])));
  }
  return lines.length ? `\n${lines.join('\n')}` : '';
}
/** Like run, without blocking the event loop (lets tarball checks overlap the npm installs). */
function runAsync(cmd, args, { cwd, env = cleanEnv, allowFail = false, timeout = 180_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (error) => reject(new StepError(`${cmd} ${args.join(' ')}: ${error.message}`)));
    child.on('close', (status) => {
      clearTimeout(timer);
      if (!allowFail && status !== 0) reject(new StepError(`\`${cmd} ${args.join(' ')}\` exited ${status} in ${cwd}\n${tail(stderr || stdout)}`));
      else resolve({ status, stdout, stderr });
    });
  });
}
/** SIGTERM to a detached child's whole process group, SIGKILL after 5 s; resolves once the child has exited. */
function stopGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const signal = (name) => {
      try {
        process.kill(-child.pid, name);
      } catch {
        // the group is gone already
      }
    };
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      signal('SIGKILL'); // the CLI's own children, if any outlived npx
      resolve();
    });
    signal('SIGTERM');
  });
}
const tail = (text, lines = 15) => text.trim().split('\n').slice(-lines).join('\n');
const npm = (args, options) => run('npm', args, options);
const npx = (args, options) => run('npx', ['--no-install', ...args], options);

// ---------------------------------------------------------------------------------------------------------------
// Packing and tarball checks
// ---------------------------------------------------------------------------------------------------------------

const workspaces = readdirSync(join(ROOT, 'packages'))
  .map((dir) => ({ dir: join('packages', dir), manifest: join(ROOT, 'packages', dir, 'package.json') }))
  .filter(({ manifest }) => existsSync(manifest))
  .map(({ dir, manifest }) => ({ dir, pkg: JSON.parse(readFileSync(manifest, 'utf8')) }));
const published = workspaces.filter(({ pkg }) => !pkg.private);
const tarballs = new Map(); // name -> { file, size, unpackedSize, files, version }

await step(`pack ${published.length} published packages (${workspaces.length - published.length} private: ${workspaces.filter(({ pkg }) => pkg.private).map(({ pkg }) => pkg.name).join(', ') || 'none'})`, () => {
  const out = npm(['pack', ...published.flatMap(({ dir }) => ['-w', dir]), '--pack-destination', tarballDir, '--json', '--loglevel=error'], { cwd: ROOT, env: process.env });
  for (const entry of JSON.parse(out.stdout)) {
    const manifest = published.find(({ pkg }) => pkg.name === entry.name)?.pkg ?? {};
    tarballs.set(entry.name, { file: join(tarballDir, entry.filename), size: entry.size, unpackedSize: entry.unpackedSize, files: entry.files.map((f) => f.path), version: entry.version, manifest });
  }
  check(tarballs.size === published.length, `packed ${tarballs.size} of ${published.length}`);
  return [...tarballs].map(([name, t]) => `${name}@${t.version}: ${(t.size / 1024).toFixed(1)} kB packed, ${(t.unpackedSize / 1024).toFixed(0)} kB unpacked, ${t.files.length} files`).join('\n');
});

const FORBIDDEN = [/\.test\.[cm]?[jt]s/, /\.test-d\.ts/, /(^|\/)__fixtures__\//, /\.tsbuildinfo$/, /-fixtures\.[cm]?[jt]s/, /step-test-env/, /(^|\/)test\/.*fixture/];

/** Our own rules for one tarball; returns the problems. */
function tarballProblems(name, tarball) {
  const problems = [];
  const dir = unpackedDir(name);
  mkdirSync(dir, { recursive: true });
  run('tar', ['xzf', tarball.file, '-C', dir, '--strip-components=1'], { cwd: work });
  const license = join(dir, 'LICENSE');
  if (!existsSync(license)) problems.push('no LICENSE');
  else if (!/Apache License\s+Version 2\.0/.test(readFileSync(license, 'utf8'))) problems.push('LICENSE is not the Apache-2.0 text');
  if (!existsSync(join(dir, 'README.md'))) problems.push('no README.md');
  for (const file of tarball.files) if (FORBIDDEN.some((re) => re.test(file))) problems.push(`ships a test-only file: ${file}`);
  if (name === '@switchyard/core') {
    for (const schema of ['config', 'model-metadata', 'pipeline']) {
      if (!tarball.files.includes(`schemas/${schema}.schema.json`)) problems.push(`does not ship schemas/${schema}.schema.json (docs/config.md points editors at it)`);
    }
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.license !== 'Apache-2.0') problems.push(`license is ${JSON.stringify(pkg.license)}, expected "Apache-2.0"`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
      if (dep.startsWith('@switchyard/') && !/^\^0\.\d+\.\d+$/.test(range)) problems.push(`${field}.${dep} is ${JSON.stringify(range)}, expected a ^0.x range`);
    }
  }
  const walk = (d) => readdirSync(d).flatMap((entry) => (statSync(join(d, entry)).isDirectory() ? walk(join(d, entry)) : [join(d, entry)]));
  for (const file of existsSync(join(dir, 'dist')) ? walk(join(dir, 'dist')).filter((f) => f.endsWith('.js')) : []) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(dir, file).split(sep).join('/');
    if (name !== '@switchyard/testkit' && /from ['"]vitest['"]/.test(text)) problems.push(`${rel} imports vitest`);
    if (/VERSION\s*=\s*['"]\d+\.\d+\.\d+/.test(text)) problems.push(`${rel} hard-codes a VERSION string (read package.json instead)`);
  }
  return problems;
}

/** publint and attw over every tarball, two at a time, while journey C installs (results are recorded in order). */
async function checkTarballs() {
  const queue = [...tarballs];
  const outcomes = new Map();
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [name, tarball] = next;
      const t0 = Date.now();
      const problems = tarballProblems(name, tarball);
      const publint = await runAsync(join(BIN, 'publint'), ['run', tarball.file, '--strict'], { cwd: work, allowFail: true });
      // A data-only package (a model pack: metadata + README, no JS) has no entry point for attw to resolve.
      const dataOnly = !tarball.manifest.exports && !tarball.manifest.main && !tarball.manifest.types && !tarball.files.some((f) => /\.[cm]?js$/.test(f));
      const attw = dataOnly
        ? { status: 0, stdout: 'n/a: data-only package (no exports, main, types or .js files)', stderr: '', dataOnly }
        : await runAsync(join(BIN, 'attw'), [tarball.file, '--profile', 'esm-only', '--format', 'ascii'], { cwd: work, allowFail: true });
      outcomes.set(name, { problems, publint, attw, ms: Date.now() - t0 });
    }
  };
  await Promise.all([worker(), worker()]);
  for (const [name] of tarballs) {
    const { problems, publint, attw, ms } = outcomes.get(name);
    record(`tarball ${name}: LICENSE, README, no test files, ^0.x internal ranges, no hard-coded versions`, problems.length === 0 ? 'pass' : 'fail', problems.join('\n'), 0);
    record(`tarball ${name}: publint --strict`, publint.status === 0 ? 'pass' : 'fail', publint.status === 0 ? '' : tail(publint.stdout + publint.stderr), 0);
    record(`tarball ${name}: attw --profile esm-only`, attw.status === 0 ? 'pass' : 'fail', attw.dataOnly ? attw.stdout : attw.status === 0 ? '' : tail(attw.stdout + attw.stderr, 30), ms);
  }
}
const tarballChecks = checkTarballs().catch((error) => record('tarball checks', 'fail', error.message, 0));

const needTarball = (name) => {
  const tarball = tarballs.get(name);
  check(tarball, `${name} was not packed (is it a workspace package? private?)`);
  return tarball.file;
};

// ---------------------------------------------------------------------------------------------------------------
// C (plugin author): the standalone template, built and tested against the tarballs
// ---------------------------------------------------------------------------------------------------------------

const pluginDir = join(work, 'third-party-plugin');
let pluginTarball;
await step('C: copy examples/third-party-plugin out and install spec, core and testkit from tarballs', async () => {
  cpSync(join(ROOT, 'examples', 'third-party-plugin'), pluginDir, {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|dist|\.turbo)([\\/]|$)/.test(relative(ROOT, source)),
  });
  const pkgText = readFileSync(join(pluginDir, 'package.json'), 'utf8');
  check(!pkgText.includes('"*"'), 'the template package.json still has "*" ranges');
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'vitest.config.mjs']) {
    check(existsSync(join(pluginDir, file)), `the template has no ${file}`);
    check(!readFileSync(join(pluginDir, file), 'utf8').includes('../../'), `${file} reaches into the monorepo (../../)`);
  }
  await runAsync('npm', ['install', ...NPM_FLAGS, needTarball('@switchyard/spec'), needTarball('@switchyard/core'), needTarball('@switchyard/testkit')], { cwd: pluginDir, timeout: 300_000 });
  // npm wrote file:../tarballs/... into package.json; the plugin's own manifest keeps its real ^0.x ranges (it is published as is).
  writeFileSync(join(pluginDir, 'package.json'), pkgText);
});

await step('C: the template builds (tsc) and passes its tests, including the conformance suite', () => {
  npx(['tsc', '-p', 'tsconfig.build.json'], { cwd: pluginDir });
  check(existsSync(join(pluginDir, 'dist', 'index.js')), 'tsc wrote no dist/index.js');
  const out = npx(['vitest', 'run', '--reporter=verbose'], { cwd: pluginDir, timeout: 240_000 });
  const text = (out.stdout + out.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  check(/✓ .*conformance suite > answers a chat request given as messages/.test(text), `the conformance suite (with its messages check) did not pass:\n${tail(text)}`);
  const passed = /Tests\s+(\d+) passed/.exec(text);
  check(passed, `vitest printed no pass count\n${tail(text)}`);
  pluginTarball = join(work, npm(['pack', '--pack-destination', work, '--loglevel=error'], { cwd: pluginDir }).stdout.trim().split('\n').pop());
  const packed = run('tar', ['xzOf', pluginTarball, 'package/package.json'], { cwd: work }).stdout;
  check(!packed.includes('file:'), `the packed plugin's package.json has file: ranges:\n${packed}`);
  return `${passed[1]} tests passed; packed ${relative(work, pluginTarball)}`;
});

// ---------------------------------------------------------------------------------------------------------------
// A (app): install every published tarball (+ the plugin) in a fresh app
// ---------------------------------------------------------------------------------------------------------------

const appDir = join(work, 'app');
mkdirSync(appDir);
writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'journey-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
// What docs/getting-started.md tells users: skip onnxruntime-node's CUDA download.
writeFileSync(join(appDir, '.npmrc'), 'onnxruntime-node-install=skip\n');
const appInstalled = await step('A: npm install every published tarball and the plugin into a fresh app (with .npmrc onnxruntime-node-install=skip)', async () => {
  const files = [...tarballs.values()].map((t) => t.file);
  if (pluginTarball) files.push(pluginTarball);
  // One install (a second one re-resolves everything): the tarballs, the openai client, and the app's tsc.
  await runAsync('npm', ['install', ...NPM_FLAGS, ...files, 'openai@^6.0.0', 'typescript@~5.9.3', '@types/node@^20.19.0'], { cwd: appDir, timeout: 420_000 });
});
await tarballChecks;

await step('A: npx switchyard --version prints the CLI package version', () => {
  check(appInstalled, 'the app install failed');
  const out = npx(['switchyard', '--version'], { cwd: appDir });
  const expected = tarballs.get('@switchyard/cli')?.version;
  check(out.stdout.trim() === expected, `printed ${JSON.stringify(out.stdout.trim())}, expected ${expected}`);
  return out.stdout.trim();
});

await step('A: importing @switchyard/spec in the app loads no native code', () => {
  const script = `const before = process.report.getReport().sharedObjects; await import('@switchyard/spec'); const added = process.report.getReport().sharedObjects.filter((s) => !before.includes(s)); console.log(JSON.stringify(added));`;
  const out = run('node', ['--input-type=module', '-e', script], { cwd: appDir });
  check(out.stdout.trim() === '[]', `loaded ${out.stdout.trim()}`);
});

await step('A: importing core and creating an app with only plugin-cloud-llm loads no native module (sharp, onnxruntime, tokenizers)', () => {
  check(appInstalled, 'the app install failed');
  const script = `
    const before = process.report.getReport().sharedObjects;
    const { createSwitchyardApp } = await import('@switchyard/core');
    const { default: cloud } = await import('@switchyard/plugin-cloud-llm');
    const app = await createSwitchyardApp({ config: { telemetry: { logLevel: 'silent' } }, plugins: [{ plugin: cloud, options: { providers: [{ id: 'vllm', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' }] } }] });
    await app.shutdown();
    console.log(JSON.stringify(process.report.getReport().sharedObjects.filter((s) => !before.includes(s))));`;
  const out = run('node', ['--input-type=module', '-e', script], { cwd: appDir });
  check(out.stdout.trim() === '[]', `loaded ${out.stdout.trim()}`);
});

await step('A: tsc --noEmit (strict, skipLibCheck: false) over an app importing every published package', () => {
  check(appInstalled, 'the app install failed');
  mkdirSync(join(appDir, 'src'), { recursive: true });
  // Code packages only: the model packs are data (model_metadata.json), with no "." entry to import.
  const codePackages = [...tarballs].filter(([, t]) => t.manifest?.exports?.['.'] || t.manifest?.main).map(([name]) => name);
  const imports = codePackages.map((name, i) => `import * as p${i} from '${name}';`).join('\n');
  writeFileSync(
    join(appDir, 'src', 'types-check.ts'),
    `${imports}\nimport { createSwitchyardApp, SwitchyardError, type EngineV1 } from '@switchyard/core';\n` +
      `export const all = [${codePackages.map((_, i) => `p${i}`).join(', ')}];\n` +
      `export async function main(): Promise<void> {\n  const app = await createSwitchyardApp({ config: {} });\n  const engines: readonly EngineV1[] = app.engines;\n  if (!SwitchyardError.isInstance(new Error('x'))) console.log(engines.length);\n  await app.shutdown();\n}\n`,
  );
  writeFileSync(
    join(appDir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] }, include: ['src'] }, null, 2),
  );
  npx(['tsc', '-p', 'tsconfig.json'], { cwd: appDir });
});

// C, second half: the installed plugin inside the app
writeFileSync(
  join(appDir, 'switchyard.config.yaml'),
  [
    'plugins:',
    "  - package: '@switchyard/example-third-party-plugin'",
    '    options: { id: pii-redactor, entities: [email] }',
    '',
  ].join('\n'),
);

await step('C: `npx switchyard plugins` in the app lists the plugin installed by package name', () => {
  check(pluginTarball && appInstalled, 'the plugin was not built or the app install failed');
  const out = npx(['switchyard', 'plugins', '.'], { cwd: appDir });
  check(out.stdout.includes('@switchyard/example-third-party-plugin@'), `no plugin in:\n${out.stdout}`);
  check(out.stdout.includes('engine pii-redactor'), `no engine pii-redactor in:\n${out.stdout}`);
});

await step('C: `npx switchyard serve` + the official openai client: /v1/chat/completions reaches the plugin engine', async () => {
  check(pluginTarball && appInstalled, 'the plugin was not built or the app install failed');
  // A process group of its own: npx runs the CLI as a child, which a signal to npx alone would leave serving.
  const server = spawn('npx', ['--no-install', 'switchyard', 'serve', '-c', '.', '--port', '0'], { cwd: appDir, env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new StepError(`serve printed no URL within 60 s:\n${tail(output)}`)), 60_000);
      const onData = (chunk) => {
        output += chunk;
        const match = /serving .* at (http:\/\/[^\s]+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.on('exit', (code) => reject(new StepError(`serve exited ${code}:\n${tail(output)}`)));
    });
    const client = `
      import OpenAI from 'openai';
      const client = new OpenAI({ baseURL: ${JSON.stringify(`${url}/v1`)}, apiKey: 'unused', maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'pii-redactor:pii', messages: [{ role: 'user', content: 'Mail ana.lopez@example.com today' }] });
      console.log(JSON.stringify(completion.choices[0].message.content));`;
    const out = run('node', ['--input-type=module', '-e', client], { cwd: appDir, timeout: 60_000 });
    const content = JSON.parse(out.stdout.trim());
    check(content.includes('[EMAIL]') && !content.includes('ana.lopez@example.com'), `answer ${JSON.stringify(content)} is not redacted`);
    return `answer: ${JSON.stringify(content)}`;
  } finally {
    await stopGroup(server);
    // The CLI process itself (not only npx) must be gone: nothing may still answer on its port.
    if (url) {
      const answered = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(() => true, () => false);
      check(!answered, `${url} still answers after the serve process group was stopped`);
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// A (app): a model pack, run from the CLI and from code (needs issue 10's model packs and `run` for any model)
// ---------------------------------------------------------------------------------------------------------------

const PACKS = { ocr: '@switchyard/model-paddleocr-v4', vad: '@switchyard/model-silero-vad' };
const packDir = join(appDir, 'pack-app');
const packsInstalled = await step(`A: a config with plugin-onnx and the model packs ${PACKS.ocr}, ${PACKS.vad}`, () => {
  check(appInstalled, 'the app install failed');
  for (const pack of Object.values(PACKS)) check(tarballs.has(pack), `${pack} is not a published workspace package (issue 10 model packs)`);
  mkdirSync(packDir, { recursive: true });
  cpSync(join(ROOT, 'examples', 'demo', 'assets', 'receipt.png'), join(packDir, 'receipt.png'));
  cpSync(join(ROOT, 'packages', 'model-silero-vad', 'test', 'speech-with-pauses.wav'), join(packDir, 'speech.wav'));
  writeFileSync(
    join(packDir, 'switchyard.config.yaml'),
    ['plugins:', "  - package: '@switchyard/plugin-onnx'", 'models:', `  packages: ['${PACKS.ocr}', '${PACKS.vad}']`, ''].join('\n'),
  );
});

await step('A: npx switchyard run paddleocr-v4 receipt.png --json contains the receipt total', () => {
  check(packsInstalled, 'the model packs are not installed');
  const out = npx(['switchyard', 'run', 'paddleocr-v4', 'receipt.png', '--json'], { cwd: packDir });
  check(/42[.,]50/.test(out.stdout), `no "42.50" in:\n${tail(out.stdout)}`);
});

await step('A: npx switchyard run silero-vad speech.wav --json gives 3 segments', () => {
  check(packsInstalled, 'the model packs are not installed');
  const out = npx(['switchyard', 'run', 'silero-vad', 'speech.wav', '--json'], { cwd: packDir });
  const parsed = JSON.parse(out.stdout);
  const segments = parsed.segments ?? parsed.output?.segments;
  check(Array.isArray(segments) && segments.length === 3, `expected 3 segments, found ${JSON.stringify(segments)?.slice(0, 200)}`);
});

await step("A: the README's example from code gives the same OCR total", () => {
  check(packsInstalled, 'the model packs are not installed');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- journey:readme-example -->\s*```ts\n([\s\S]*?)```/.exec(readme);
  check(block, 'README.md has no ```ts block marked <!-- journey:readme-example -->');
  writeFileSync(join(packDir, 'readme-example.mjs'), block[1]);
  const out = run('node', ['readme-example.mjs'], { cwd: packDir, timeout: 120_000 });
  check(/42[.,]50/.test(out.stdout), `no "42.50" in:\n${tail(out.stdout)}`);
});

// ---------------------------------------------------------------------------------------------------------------
// B (CI codegen): an app-owned model
// ---------------------------------------------------------------------------------------------------------------

const ciDir = join(appDir, 'ci-app');
const codegen = (args) => npx(['switchyard', 'codegen', ...args], { cwd: ciDir, allowFail: true });
const ran = await step('B: npx switchyard codegen for an app-owned model, then --check exits 0', () => {
  check(appInstalled, 'the app install failed');
  mkdirSync(join(ciDir, 'models'), { recursive: true });
  cpSync(join(ROOT, 'models', 'xybrid-digits'), join(ciDir, 'models', 'my-digits'), { recursive: true });
  const metadataFile = join(ciDir, 'models', 'my-digits', 'model_metadata.json');
  writeFileSync(metadataFile, readFileSync(metadataFile, 'utf8').replace('"model_id": "xybrid-digits"', '"model_id": "my-digits"'));
  writeFileSync(join(ciDir, 'switchyard.config.yaml'), ['plugins:', "  - package: '@switchyard/plugin-onnx'", 'models:', '  dirs: [models]', ''].join('\n'));
  const first = codegen([]);
  check(first.status === 0, `codegen exited ${first.status}:\n${tail(first.stderr || first.stdout)}`);
  const check0 = codegen(['--check']);
  check(check0.status === 0, `codegen --check on fresh output exited ${check0.status}:\n${tail(check0.stderr || check0.stdout)}`);
});

function generatedFiles() {
  const out = join(ciDir, 'src', 'switchyard.generated');
  check(existsSync(out), `codegen wrote nothing to ${relative(ciDir, out)} (the documented default)`);
  const walk = (d) => readdirSync(d).flatMap((entry) => (statSync(join(d, entry)).isDirectory() ? walk(join(d, entry)) : [join(d, entry)]));
  return { out, files: walk(out) };
}
const expectStale = (what) => {
  const result = codegen(['--check']);
  check(result.status === 1, `--check after ${what} exited ${result.status}, expected 1`);
  check(codegen([]).status === 0, `codegen after ${what} failed`);
  check(codegen(['--check']).status === 0, `--check after regenerating (${what}) is not 0`);
};
await step('B: --check exits 1 after a hand edit, a metadata change and a stray file (0 again after codegen)', () => {
  check(ran, 'codegen did not run');
  const { out, files } = generatedFiles();
  const target = files.find((f) => f.endsWith('.ts'));
  check(target, 'no generated .ts file');
  writeFileSync(target, readFileSync(target, 'utf8') + '\n// hand edit\n');
  expectStale('a hand edit');
  const metadataFile = join(ciDir, 'models', 'my-digits', 'model_metadata.json');
  writeFileSync(metadataFile, readFileSync(metadataFile, 'utf8').replace('"k": 3', '"k": 2'));
  expectStale('a metadata change');
  writeFileSync(join(out, 'stray.ts'), 'export {};\n');
  const stray = codegen(['--check']);
  check(stray.status === 1, `--check with a stray file exited ${stray.status}, expected 1`);
  rmSync(join(out, 'stray.ts'));
});

await step("B: a type test against the app's own generated registry", () => {
  check(ran, 'codegen did not run');
  const { out } = generatedFiles();
  const entry = ['index.ts', 'registry.ts'].map((f) => join(out, f)).find(existsSync);
  check(entry, 'no generated index.ts/registry.ts');
  writeFileSync(
    join(ciDir, 'src', 'registry-types.ts'),
    `import { registry } from './switchyard.generated/${entry.endsWith('index.ts') ? 'index' : 'registry'}.js';\n` +
      `const ids: string[] = registry.list().map((model) => model.id);\n` +
      `// @ts-expect-error an unknown model id is a type error\n` +
      `registry.get(123);\nexport { ids };\n`,
  );
  writeFileSync(
    join(ciDir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'] }, include: ['src'] }, null, 2),
  );
  run(join(appDir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: ciDir });
});

await step('B: the app runs its own model through its own generated registry (compiled; config entry and code; pipeline "generated")', () => {
  check(ran, 'codegen did not run');
  generatedFiles();
  // The app compiles its generated code like the rest of its sources; the config names the compiled module.
  writeFileSync(
    join(ciDir, 'tsconfig.build.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, rootDir: 'src', outDir: 'dist', types: ['node'] }, include: ['src/switchyard.generated/**/*'] }, null, 2),
  );
  run(join(appDir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: ciDir });
  check(existsSync(join(ciDir, 'dist', 'switchyard.generated', 'index.js')), 'tsc wrote no dist/switchyard.generated/index.js');
  const config = join(ciDir, 'switchyard.config.yaml');
  writeFileSync(config, readFileSync(config, 'utf8').replace('models:\n', 'models:\n  registry: ./dist/switchyard.generated/index.js\n'));
  const rows = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (Math.abs(x - 14) < 3 && y > 4 && y < 24 ? 230 : 10)));
  writeFileSync(join(ciDir, 'digit.json'), JSON.stringify(rows));
  const cli = npx(['switchyard', 'run', 'my-digits', 'digit.json', '--json'], { cwd: ciDir });
  writeFileSync(
    join(ciDir, 'run-registry.mjs'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { createSwitchyardApp } from '@switchyard/core';",
      "const logger = { debug() {}, info() {}, warn() {}, error() {} };",
      "const app = await createSwitchyardApp({ configPath: '.', logger });",
      "const value = JSON.parse(readFileSync('digit.json', 'utf8'));",
      "const result = await app.orchestrator.run({ model: 'my-digits', workload: 'inference', input: { kind: 'json', value } });",
      "console.log(JSON.stringify({ pipeline: result.pipeline, output: result.output.value }));",
      'await app.shutdown();',
      '',
    ].join('\n'),
  );
  const code = JSON.parse(run('node', ['run-registry.mjs'], { cwd: ciDir, timeout: 120_000 }).stdout);
  check(code.pipeline === 'generated', `orchestrator.run used the ${code.pipeline} pipeline, expected generated`);
  check(JSON.stringify(code.output) === JSON.stringify(JSON.parse(cli.stdout)), `code and CLI outputs differ:\n${JSON.stringify(code.output)}\n${cli.stdout}`);
  check(Array.isArray(code.output?.[0]) && code.output[0].length === 2, `expected the top-2 classes (k: 2 after the metadata change), got ${JSON.stringify(code.output)}`);
  return `my-digits via the generated registry: ${JSON.stringify(code.output[0])}`;
});

// ---------------------------------------------------------------------------------------------------------------

const seconds = (Date.now() - started) / 1000;
const failed = results.filter((r) => r.status === 'fail');
console.log(`\njourney: ${results.length - failed.length} passed, ${failed.length} failed in ${seconds.toFixed(0)} s (temp dir ${work}${KEEP ? ', kept' : ''})`);
for (const r of failed) console.log(`  FAIL ${r.name}`);
writeFileSync(
  join(ROOT, 'scripts', '.journey-last.json'),
  JSON.stringify({ seconds, tarballs: Object.fromEntries([...tarballs].map(([name, t]) => [name, { size: t.size, unpackedSize: t.unpackedSize, files: t.files.length }])), results }, null, 2),
);
if (!KEEP) rmSync(work, { recursive: true, force: true });
process.exit(failed.length > 0 ? 1 : 0);
