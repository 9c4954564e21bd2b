import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { SwitchyardError } from '@switchyard/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli.js';
import { cliLogger } from './cli-logger.js';

const DIGITS = fileURLToPath(new URL('../../../models/xybrid-digits/', import.meta.url));
const STALE =
  "warning: generated registry is stale for 'xybrid-digits' (models/xybrid-digits/model_metadata.json changed since codegen): run `npx switchyard codegen`; until then the model runs interpreted, as the file says now\n";

let root: string;
let cwd: string;
beforeEach(() => {
  cwd = process.cwd();
  root = mkdtempSync(join(tmpdir(), 'cli-logger-'));
  // An app whose generated registry was made from another model_metadata.json than the one in the folder now.
  mkdirSync(join(root, 'models', 'xybrid-digits'), { recursive: true });
  for (const file of ['model_metadata.json', 'model.onnx']) copyFileSync(join(DIGITS, file), join(root, 'models', 'xybrid-digits', file));
  const metadata = JSON.parse(readFileSync(join(DIGITS, 'model_metadata.json'), 'utf8')) as unknown;
  const entry = { id: 'xybrid-digits', dir: 'models/xybrid-digits', metadataSha256: '0'.repeat(64), metadata };
  writeFileSync(join(root, 'registry.mjs'), `const entry = ${JSON.stringify(entry)};\nexport const registry = { list: () => [entry], get: (id) => (id === entry.id ? entry : undefined) };\n`);
  writeFileSync(join(root, 'switchyard.config.yaml'), 'models:\n  registry: ./registry.mjs\n');
  writeFileSync(join(root, 'digit.json'), JSON.stringify({ dims: [784], data: Array.from({ length: 784 }, (_, i) => (i % 28 === 14 ? 250 : 0)) }));
  process.chdir(root);
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(root, { recursive: true, force: true });
});

describe('the app warnings of the commands that start an app and exit are `warning:` lines on stderr', () => {
  it('run names a stale generated registry (it ran interpreted without a word), and --json keeps stdout JSON', async () => {
    const text = await runCli(['run', 'xybrid-digits', 'digit.json']);
    expect(text.exitCode).toBe(0);
    expect(text.err).toBe(STALE);
    expect(text.out).not.toContain('warning');
    const json = await runCli(['run', 'xybrid-digits', 'digit.json', '--json']);
    expect(json.exitCode).toBe(0);
    expect(json.err).toBe(STALE);
    expect((JSON.parse(json.out) as unknown[][])[0]).toHaveLength(3);
  });

  it('validate and plugins print the same line, not core JSON log line, with no absolute path', async () => {
    for (const args of [['validate'], ['plugins'], ['plugins', '--json']]) {
      const run = await runCli(args);
      expect(run.exitCode, args.join(' ')).toBe(0);
      expect(run.err, args.join(' ')).toBe(STALE);
      expect(run.err).not.toContain(root);
    }
  });

  it('run --pipeline shows them the same way, a located config warning too (the run itself may fail: no engine here)', async () => {
    writeFileSync(join(root, 'switchyard.config.yaml'), 'models:\n  registry: ./registry.mjs\n  overrides:\n    xybrid-digit: {}\n');
    writeFileSync(join(root, 'pipeline.yaml'), 'name: p\ninputs:\n  x: { kind: json }\nstages:\n  - id: s\n    model: xybrid-digits\n    input: inputs.x\n');
    const run = await runCli(['run', '--pipeline', 'pipeline.yaml', '--input', 'x=digit.json']);
    const warnings = run.err.split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([STALE.slice(0, -1), expect.stringMatching(/^warning: switchyard\.config\.yaml:\d+:\d+: \/models\/overrides\/xybrid-digit: no catalog has a model 'xybrid-digit'.*did you mean 'xybrid-digits'/)]);
    expect(run.err).not.toContain('{"level"');
  });
});

describe('cliLogger', () => {
  it('an app error is one `error:` line with the cause as CODE: message, no stack; debug and info are dropped', () => {
    let err = '';
    const logger = cliLogger(new Command().configureOutput({ writeErr: (text) => (err += text) }));
    logger.debug('d');
    logger.info({ a: 1 }, 'i');
    logger.error({ err: new SwitchyardError({ code: 'INTERNAL', message: 'shutdown failed\n  at x' }) }, 'plugin shutdown after a failed start also failed');
    logger.warn({ file: 'f' }, 'two\nlines');
    expect(err).toBe('error: plugin shutdown after a failed start also failed: INTERNAL: shutdown failed; at x\nwarning: two; lines\n');
  });
});
