import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { loadConfig, parseConfig } from './load-config.js';
import type { ConfigIssue } from './config-types.js';

function fail(file: string, text: string, env: Record<string, string> = {}): SwitchyardError {
  try {
    parseConfig(file, text, { env });
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

interface BadCase {
  readonly name: string;
  readonly file?: string;
  readonly text: string;
  readonly code: string;
  /** Substrings the message must contain: the location (file:line:col and/or pointer) and what was wrong. */
  readonly contains: readonly string[];
  readonly env?: Record<string, string>;
}

const Y = '/cfg/switchyard.config.yaml';
const J = '/cfg/switchyard.config.json';

const BAD: readonly BadCase[] = [
  { name: 'unknown top-level key', text: 'version: 1\nplugns: []\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:1: /plugns:`, 'unknown key "plugns"', 'plugins'] },
  { name: 'wrong version', text: 'version: 2\n', code: 'CONFIG_INVALID', contains: [`${Y}:1:10: /version: expected one of 1, found integer 2`] },
  { name: 'version as string', text: 'version: "1"\n', code: 'CONFIG_INVALID', contains: [`${Y}:1:10: /version: expected integer, found string "1"`] },
  { name: 'plugins not an array', text: 'plugins: onnx\n', code: 'CONFIG_INVALID', contains: [`${Y}:1:10: /plugins: expected array, found string "onnx"`] },
  { name: 'plugin entry of the wrong type', text: 'plugins:\n  - 42\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:5: /plugins/0: expected object, found integer 42`] },
  { name: 'bad plugin package name', text: 'plugins:\n  - "My Plugin!"\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:5: /plugins/0: expected an npm package name`, 'found string "My Plugin!"'] },
  { name: 'bad plugin name in an entry', text: 'plugins:\n  - package: "UPPER/Case Name"\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:14: /plugins/0/package:`, 'found string "UPPER/Case Name"'] },
  { name: 'plugin entry without package', text: 'plugins:\n  - options: {}\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:5: /plugins/0: expected exactly one of "package" or "name"`] },
  { name: 'plugin entry unknown key', text: 'plugins:\n  - package: "@switchyard/plugin-onnx"\n    option: {}\n', code: 'CONFIG_INVALID', contains: [`${Y}:3:5: /plugins/0/option:`, 'unknown key "option"'] },
  { name: 'plugin options not an object', text: 'plugins:\n  - package: x\n    options: [1]\n', code: 'CONFIG_INVALID', contains: [`${Y}:3:14: /plugins/0/options: expected object, found array`] },
  { name: 'models.dirs not an array', text: 'models:\n  dirs: ./models\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:9: /models/dirs: expected array, found string "./models"`] },
  { name: 'models.dirs empty string', text: 'models:\n  dirs: [""]\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:10: /models/dirs/0: expected a string of at least 1 character(s)`] },
  { name: 'unknown key in models', text: 'models:\n  dir: [models]\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:3: /models/dir:`, 'unknown key "dir"', 'dirs'] },
  { name: 'model override with a target (not a setting)', text: 'models:\n  overrides:\n    whisper-tiny:\n      target: mars\n', code: 'CONFIG_INVALID', contains: [`${Y}:4:7: /models/overrides/whisper-tiny/target:`, 'unknown key "target"'] },
  { name: 'engine options (they belong in plugins[].options)', text: 'engines:\n  onnx: { options: { threads: 2 } }\n', code: 'CONFIG_INVALID', contains: [`/engines/onnx/options:`, 'unknown key "options"'] },
  { name: 'a pipelines section (pipelines are files run by run-pipeline)', text: 'pipelines:\n  dirs: [pipelines]\n', code: 'CONFIG_INVALID', contains: [`${Y}:1:1: /pipelines:`, 'unknown key "pipelines"'] },
  { name: 'engine settings not an object', text: 'engines:\n  onnx: true\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:9: /engines/onnx: expected object, found boolean true`] },
  { name: 'policy rule without action', text: 'policy:\n  rules:\n    - id: no-pii\n', code: 'CONFIG_INVALID', contains: [`${Y}:3:7: /policy/rules/0: expected property "action"`] },
  { name: 'policy rule with unknown action', text: 'policy:\n  rules:\n    - {id: r1, action: block}\n', code: 'CONFIG_INVALID', contains: [`/policy/rules/0/action: expected one of "allow", "deny", "redact", found string "block"`, `${Y}:3:24`] },
  { name: 'server port out of range', text: 'server:\n  port: 70000\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:9: /server/port: expected a number <= 65535, found integer 70000`] },
  { name: 'server port as a string', text: 'server:\n  port: "8080"\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:9: /server/port: expected integer, found string "8080"`] },
  { name: 'resilience timeout not positive', text: 'resilience:\n  timeoutMs: 0\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:14: /resilience/timeoutMs: expected a number > 0, found integer 0`] },
  { name: 'telemetry log level unknown', text: 'telemetry:\n  logLevel: loud\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:13: /telemetry/logLevel: expected one of`, 'found string "loud"'] },
  { name: 'telemetry price in the old per-1k unit', text: 'telemetry:\n  prices:\n    m: { inputPer1k: 1, outputPer1k: 2 }\n', code: 'CONFIG_INVALID', contains: ['/telemetry/prices/m/inputPer1k: expected one of the known keys (inputPerMillion, outputPerMillion, cacheReadPerMillion, cacheWritePerMillion), found unknown key "inputPer1k"', '/telemetry/prices/m: expected property "inputPerMillion"'] },
  { name: 'top level is a list', text: '- a\n- b\n', code: 'CONFIG_INVALID', contains: [`${Y}:1:1: /: expected object, found array`] },
  { name: 'bad YAML syntax', text: 'version: 1\nplugins: [a, b\nserver: {}\n', code: 'CONFIG_PARSE', contains: [`${Y}:`, 'invalid YAML'] },
  { name: 'YAML bad indentation', text: 'server:\n  port: 1\n   host: x\n', code: 'CONFIG_PARSE', contains: [`${Y}:2:9:`, 'invalid YAML'] },
  { name: 'duplicate YAML key', text: 'version: 1\nversion: 1\n', code: 'CONFIG_PARSE', contains: [`${Y}:2:1:`, 'invalid YAML'] },
  { name: 'bad JSON syntax', file: J, text: '{\n  "version": 1,\n  "plugins": [,]\n}\n', code: 'CONFIG_PARSE', contains: [`${J}:3:15:`, 'invalid JSON'] },
  { name: 'duplicate key in a JSON file', file: J, text: '{\n  "version": 1,\n  "version": 1\n}\n', code: 'CONFIG_PARSE', contains: [`${J}:3:3: invalid JSON: duplicate key`] },
  { name: 'wrong type in a JSON file (line numbers too)', file: J, text: '{\n  "version": 1,\n  "server": { "port": true }\n}\n', code: 'CONFIG_INVALID', contains: [`${J}:3:23: /server/port: expected integer, found boolean true`] },
  { name: 'missing env variable', text: 'server:\n  auth:\n    apiKeys:\n      - ${env:OPENAI_KEY_FOR_TEST}\n', code: 'CONFIG_ENV_MISSING', contains: [`${Y}:4:9: /server/auth/apiKeys/0: environment variable OPENAI_KEY_FOR_TEST is not set`] },
  { name: 'malformed env reference', text: 'server:\n  host: ${env:bad-name}\n', code: 'CONFIG_INVALID', contains: [`${Y}:2:9: /server/host: expected \${env:NAME}`] },
  { name: 'several errors at once', text: 'version: 3\nserver:\n  port: -1\nextra: 1\n', code: 'CONFIG_INVALID', contains: ['(3 errors)', `${Y}:1:10: /version`, `${Y}:3:9: /server/port`, `${Y}:4:1: /extra`] },
];

describe('bad configs are rejected with located messages', () => {
  it('has at least 20 distinct cases', () => {
    expect(new Set(BAD.map((c) => c.name)).size).toBeGreaterThanOrEqual(20);
  });

  it.each(BAD)('$name', ({ file, text, code, contains, env }) => {
    const error = fail(file ?? Y, text, env);
    expect(error.code).toBe(code);
    for (const fragment of contains) expect(error.message).toContain(fragment);
    expect(error.details.file).toBe(file ?? Y);
  });
});

describe('config details', () => {
  it('lists every schema problem in details.errors with pointer, line and column', () => {
    const error = fail(Y, 'version: 3\nserver:\n  port: -1\n');
    const issues = error.details.errors as ConfigIssue[];
    expect(issues.map((i) => [i.pointer, i.line, i.column])).toEqual([
      ['/version', 1, 10],
      ['/server/port', 3, 9],
    ]);
    expect(issues[1]).toMatchObject({ expected: 'a number >= 0', found: 'integer -1' });
  });

  it('reports missing env variables together with schema errors', () => {
    const error = fail(Y, 'version: 9\nserver:\n  host: ${env:SY_TEST_HOST}\n');
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`${Y}:3:9: /server/host: environment variable SY_TEST_HOST is not set`);
    expect(error.message).toContain(`${Y}:1:10: /version`);
  });

  it('names every missing variable', () => {
    const error = fail(Y, 'server:\n  host: ${env:SY_A}\n  apiKeys: ["${env:SY_B}"]\n');
    expect(error.code).toBe('CONFIG_ENV_MISSING');
    expect(error.details.names).toEqual(['SY_A', 'SY_B']);
    expect(error.message).toContain('2 environment variables are not set');
  });

  it('never echoes a value that came from the environment', () => {
    const error = fail(Y, 'server:\n  port: ${env:SY_PORT}\n', { SY_PORT: 'sk-secret-value' });
    expect(error.message).toContain('/server/port: expected integer, found string (from environment, value hidden)');
    expect(error.message).not.toContain('sk-secret-value');
  });
});

describe('valid configs', () => {
  it('interpolates ${env:NAME} and ${env:NAME:-default}', () => {
    const { config, secretPointers } = parseConfig(
      Y,
      'server:\n  host: ${env:SY_HOST:-127.0.0.1}\n  apiKeys:\n    - key-${env:SY_KEY}\n',
      { env: { SY_KEY: 'abc' } },
    );
    expect(config.server).toEqual({ host: '127.0.0.1', apiKeys: ['key-abc'] });
    expect([...secretPointers].sort()).toEqual(['/server/apiKeys/0', '/server/host']);
  });

  it('accepts every top-level section in one file', () => {
    const text = [
      '$schema: ../schemas/config.schema.json',
      'version: 1',
      'plugins:',
      '  - "@switchyard/plugin-onnx"',
      '  - package: ./local-plugin.js',
      '    options: { threads: 2 }',
      '  - name: "@acme/switchyard-plugin"',
      '    enabled: false',
      'models:',
      '  dirs: [models]',
      '  overrides:',
      '    whisper-tiny: { engine: onnx, options: { intraOpThreads: 2 } }',
      'engines:',
      '  openai: { enabled: false }',
      'policy: { rules: [{ id: no-pii, when: "request.tags contains \\"pii\\"", action: deny }] }',
      // routing/resilience are owned (and tested in detail) by the orchestrator.
      'routing: {}',
      'resilience: { retry: { maxAttempts: 3 } }',
      'server: { host: 127.0.0.1, port: 0 }',
      'telemetry: { logLevel: warn }',
    ].join('\n');
    const { config, baseDir } = parseConfig(Y, text, { env: {} });
    expect(config.plugins).toHaveLength(3);
    expect(baseDir).toBe('/cfg');
  });

  it('treats an empty file as an empty config', () => {
    expect(parseConfig(Y, '', { env: {} }).config).toEqual({});
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds switchyard.config.yaml in a directory', async () => {
    await writeFile(join(dir, 'switchyard.config.yaml'), 'version: 1\n');
    const loaded = await loadConfig(dir, { env: {} });
    expect(loaded.file).toBe(join(dir, 'switchyard.config.yaml'));
    expect(loaded.config).toEqual({ version: 1 });
  });

  it('reads a JSON file given by path', async () => {
    const file = join(dir, 'other.json');
    await writeFile(file, '{ "version": 1, "models": { "dirs": ["m"] } }');
    expect((await loadConfig(file, { env: {} })).config.models).toEqual({ dirs: ['m'] });
  });

  it('relativeTo: messages name the file relative to that folder; file and baseDir stay absolute', async () => {
    await mkdir(join(dir, 'app'), { recursive: true });
    await writeFile(join(dir, 'app', 'switchyard.config.yaml'), 'server:\n  port: x\n');
    await expect(loadConfig(join(dir, 'app'), { env: {}, relativeTo: dir })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: 'app/switchyard.config.yaml:2:9: /server/port: expected integer, found string "x"' });
    await writeFile(join(dir, 'app', 'switchyard.config.yaml'), 'server:\n  port: 1\n');
    const loaded = await loadConfig(join(dir, 'app'), { env: {}, relativeTo: dir });
    expect(loaded).toMatchObject({ file: join(dir, 'app', 'switchyard.config.yaml'), shownAs: join('app', 'switchyard.config.yaml'), baseDir: join(dir, 'app') });
    expect((await loadConfig(join(dir, 'app'), { env: {} })).shownAs).toBe(join(dir, 'app', 'switchyard.config.yaml'));
  });

  it('reports a missing file as CONFIG_NOT_FOUND naming it', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadConfig(missing)).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', message: `Config file ${missing} does not exist` });
  });

  it('relativeTo: CONFIG_NOT_FOUND names the missing file or folder relative to that folder; details.file stays absolute', async () => {
    const missing = join(dir, 'sub', 'nope.yaml');
    await expect(loadConfig(missing, { relativeTo: dir })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', message: `Config file ${join('sub', 'nope.yaml')} does not exist`, details: { file: missing } });
    const empty = await mkdtemp(join(dir, 'empty-'));
    await expect(loadConfig(empty, { relativeTo: dir })).rejects.toMatchObject({ message: expect.stringMatching(/^No config file in empty-\w+ \(looked for /), details: { file: empty } });
  });

  it.skipIf(process.platform !== 'linux')('relativeTo: a config file that cannot be read is named relative to that folder, with the system code', async () => {
    // /proc/self/mem is a file that stat finds and reading fails (EIO), even as root.
    await expect(loadConfig('/proc/self/mem', { relativeTo: '/proc' })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', message: 'Cannot read config file self/mem: EIO', details: { file: '/proc/self/mem' } });
  });

  it('reports a directory without a config file', async () => {
    const empty = await mkdtemp(join(dir, 'empty-'));
    await expect(loadConfig(empty)).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', message: expect.stringContaining('switchyard.config.yaml, switchyard.config.yml, switchyard.config.json') });
  });
});

describe('allowMissingEnv', () => {
  it('leaves unset references in place and still validates the rest', () => {
    const { config } = parseConfig(Y, 'server:\n  host: ${env:SY_UNSET_HOST}\n', { env: {}, allowMissingEnv: true });
    expect(config.server).toEqual({ host: '${env:SY_UNSET_HOST}' });
    expect(() => parseConfig(Y, 'server:\n  host: ${env:SY_UNSET_HOST}\n  port: x\n', { env: {}, allowMissingEnv: true })).toThrow('/server/port: expected integer');
  });
});
