import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompress } from 'fzstd';
import { packTar, unpackTar } from 'modern-tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { DirectoryModelCatalog } from '../executor/directory-model-catalog.js';
import { openXybBundle } from './xyb-bundle.js';
import { computeXybHash, type XybManifest } from './xyb-manifest.js';
import { writeXybBundle, zstdCompress } from './xyb-write.js';

const MODELS = fileURLToPath(new URL('../../../../models/', import.meta.url));
const MINILM = join(MODELS, 'xybrid-minilm');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'xyb-test-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A hand-built bundle: tar entries (name, body, type) zstd-compressed, with a manifest whose hash is right unless told. */
async function craft(name: string, entries: { name: string; body?: Uint8Array | string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string }[], manifest?: Partial<XybManifest>): Promise<string> {
  const files = entries.filter((e) => (e.type ?? 'file') === 'file').map((e) => e.name);
  const base: XybManifest = { model_id: 'm', version: '1', target: 'universal', hash: '', files, has_metadata: files.includes('model_metadata.json'), ...manifest };
  const bodies = new Map(entries.map((e) => [e.name, typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? new Uint8Array())]));
  const hash = manifest?.hash ?? (await computeXybHash('', base, async function* (p) { yield bodies.get(p)!; }));
  const manifestBytes = Buffer.from(JSON.stringify({ ...base, hash }));
  const tar = await packTar([
    { header: { name: 'manifest.json', size: manifestBytes.length, type: 'file' }, body: manifestBytes },
    ...entries.map((e) => {
      const body = bodies.get(e.name)!;
      const type = e.type ?? 'file';
      return { header: { name: e.name, size: type === 'file' ? body.length : 0, type, ...(e.linkname ? { linkname: e.linkname } : {}) }, ...(type === 'file' ? { body } : {}) };
    }),
  ]);
  const file = join(work, name);
  writeFileSync(file, await zstdCompress(tar));
  return file;
}

async function refusal(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    expect(SwitchyardError.isInstance(error)).toBe(true);
    return error as SwitchyardError;
  }
  throw new Error('expected a refusal');
}

describe('.xyb bundles (xybrid format: zstd tar + manifest.json)', () => {
  it('round trip: bundle a model folder, open it, the files and metadata come back byte for byte', async () => {
    const out = join(work, 'minilm.xyb');
    const manifest = await writeXybBundle(MINILM, out);
    expect(manifest).toMatchObject({ model_id: 'xybrid-minilm', target: 'universal', has_metadata: true, files: ['model_metadata.json', 'model.onnx', 'tokenizer.json'] });
    expect(manifest.hash).toMatch(/^[0-9a-f]{64}$/);

    // The layout xybrid's XyBundle::load reads: manifest.json first, then the listed files, nothing else.
    const entries = await unpackTar(decompress(readFileSync(out)));
    expect(entries.map((e) => e.header.name)).toEqual(['manifest.json', 'model_metadata.json', 'model.onnx', 'tokenizer.json']);
    expect(Object.keys(JSON.parse(Buffer.from(entries[0]!.data!).toString()) as object)).toEqual(['model_id', 'version', 'target', 'hash', 'files', 'has_metadata']);

    const cacheDir = join(work, 'cache');
    const opened = await openXybBundle(out, { cacheDir });
    expect(opened.manifest).toEqual(manifest);
    expect(opened.dir).toBe(join(cacheDir, opened.sha256));
    expect(readFileSync(join(opened.dir, 'model.onnx')).equals(readFileSync(join(MINILM, 'model.onnx')))).toBe(true);
    expect(JSON.parse(readFileSync(join(opened.dir, 'model_metadata.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(MINILM, 'model_metadata.json'), 'utf8')));
    // A second open reuses the extracted folder.
    const again = await openXybBundle(out, { cacheDir });
    expect(again.dir).toBe(opened.dir);
    expect(readdirSync(cacheDir).filter((n) => n.startsWith('.staging'))).toEqual([]);
  });

  it('the manifest hash is xybrid\'s: sha256(sorted path + contents..., manifest with hash "")', async () => {
    const manifest: XybManifest = { model_id: 'm', version: '1', target: 'x86_64-linux', hash: '', files: ['b.txt', 'a.txt'], has_metadata: false };
    const bodies: Record<string, string> = { 'a.txt': 'A', 'b.txt': 'BB' };
    const got = await computeXybHash('', manifest, async function* (p) { yield Buffer.from(bodies[p]!); });
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256')
      .update('a.txt').update('A').update('b.txt').update('BB')
      .update('{"model_id":"m","version":"1","target":"x86_64-linux","hash":"","files":["b.txt","a.txt"],"has_metadata":false}')
      .digest('hex');
    expect(got).toBe(expected);
  });

  it.each([
    ['a path escaping the bundle (..)', [{ name: '../evil.txt', body: 'x' }], /entry '\.\.\/evil\.txt' must not contain a "\.\." segment/],
    ['an absolute path', [{ name: '/etc/evil', body: 'x' }], /must be a relative path/],
    ['a symlink', [{ name: 'link', type: 'symlink' as const, linkname: '/etc/passwd' }], /entry 'link' is a symlink; only regular files/],
    ['a hard link', [{ name: 'hard', type: 'link' as const, linkname: 'model.onnx' }], /is a link; only regular files/],
    ['a file the manifest does not list', [{ name: 'a.txt', body: 'x' }, { name: 'b.txt', body: 'y' }], /present but unlisted: b\.txt/, { files: ['a.txt'] }],
    ['a listed file that is absent', [{ name: 'a.txt', body: 'x' }], /listed but absent: gone\.bin/, { files: ['a.txt', 'gone.bin'] }],
  ])('refuses %s with BUNDLE_INVALID and extracts nothing', async (what, entries, message, manifest?: Partial<XybManifest>) => {
    const cacheDir = join(work, `cache-${what.replace(/\W+/g, '-')}`);
    const file = await craft(`${what.replace(/\W+/g, '-')}.xyb`, entries, manifest ? { ...manifest, hash: '0'.repeat(64) } : undefined);
    const error = await refusal(openXybBundle(file, { cacheDir }));
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.message).toMatch(message);
    expect(existsSync(join(work, 'evil.txt'))).toBe(false);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('refuses a bundle whose files do not match the manifest hash (UNTRUSTED_ARTIFACT)', async () => {
    const file = await craft('tampered.xyb', [{ name: 'model.onnx', body: 'tampered' }], { hash: 'a'.repeat(64) });
    const error = await refusal(openXybBundle(file, { cacheDir: join(work, 'cache-tampered') }));
    expect(error.code).toBe('UNTRUSTED_ARTIFACT');
    expect(error.message).toMatch(/tampered\.xyb: the manifest hash does not match the bundle's files \(expected a{64}, computed [0-9a-f]{64}\); not loaded/);
  });

  it('refuses a decompression bomb once it passes the size limit, without writing it out', async () => {
    const file = await craft('bomb.xyb', [{ name: 'zeros.bin', body: new Uint8Array(8 * 1024 * 1024) }]);
    expect(readFileSync(file).length).toBeLessThan(64 * 1024);
    const cacheDir = join(work, 'cache-bomb');
    const error = await refusal(openXybBundle(file, { cacheDir, maxTotalBytes: 1024 * 1024 }));
    expect(error.code).toBe('BUNDLE_INVALID');
    expect(error.message).toMatch(/bomb\.xyb: expands to more than 1048576 bytes \(a decompression bomb\?\); refused/);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('refuses too many entries, a missing manifest and data that is not zstd', async () => {
    const many = await craft('many.xyb', Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, body: 'x' })));
    expect((await refusal(openXybBundle(many, { cacheDir: join(work, 'c1'), maxEntries: 3 }))).message).toMatch(/has more than 3 entries/);
    const tar = await packTar([{ header: { name: 'a.txt', size: 1, type: 'file' }, body: 'x' }]);
    writeFileSync(join(work, 'nomanifest.xyb'), await zstdCompress(tar));
    expect((await refusal(openXybBundle(join(work, 'nomanifest.xyb'), { cacheDir: join(work, 'c2') }))).message).toMatch(/has no manifest\.json/);
    writeFileSync(join(work, 'json.xyb'), '{"model_id": "not a bundle"}');
    const notZstd = await refusal(openXybBundle(join(work, 'json.xyb'), { cacheDir: join(work, 'c3') }));
    expect(notZstd.code).toBe('BUNDLE_INVALID');
    expect(notZstd.message).toMatch(/json\.xyb: is not zstd-compressed data/);
  });

  it('a models.dirs entry that is a .xyb file gives its model to the catalog (by model_id)', async () => {
    const out = join(work, 'catalog-minilm.xyb');
    await writeXybBundle(MINILM, out);
    const catalog = new DirectoryModelCatalog({ dirs: [out], baseDir: '/' });
    expect(catalog.bundles).toEqual([out]);
    await catalog.openBundles({ cacheDir: join(work, 'catalog-cache') });
    const entry = catalog.get('xybrid-minilm');
    expect(entry?.dir.startsWith(join(work, 'catalog-cache'))).toBe(true);
    expect((entry?.metadata as { model_id: string }).model_id).toBe('xybrid-minilm');
    expect(catalog.ids()).toEqual(['xybrid-minilm']);
    // Beside a dir that has the same model: that id is found twice, which is refused (naming both), not shadowed.
    const both = new DirectoryModelCatalog({ dirs: [MODELS, out], baseDir: '/' });
    await both.openBundles({ cacheDir: join(work, 'catalog-cache') });
    expect(() => both.get('xybrid-minilm')).toThrow(/repeats the id of/);
    expect(both.get('xybrid-digits')).toMatchObject({ id: 'xybrid-digits' });
  });

  it('refuses to bundle a folder whose sources escape it (the provisioner\'s path rules)', async () => {
    const dir = join(work, 'sourced');
    cpSync(MINILM, dir, { recursive: true });
    const external = join(work, 'elsewhere');
    cpSync(MINILM, external, { recursive: true });
    rmSync(join(dir, 'tokenizer.json'));
    const metadata = JSON.parse(readFileSync(join(dir, 'model_metadata.json'), 'utf8')) as Record<string, unknown>;
    metadata.sources = { 'tokenizer.json': { path: '../elsewhere/tokenizer.json' } };
    writeFileSync(join(dir, 'model_metadata.json'), JSON.stringify(metadata));
    const error = await writeXybBundle(dir, join(work, 'sourced.xyb')).catch((e: unknown) => e as SwitchyardError);
    // `path` sources must stay inside the model folder: the bundle writer shares the provisioner's path rules.
    expect(SwitchyardError.isInstance(error) && error.code).toBe('METADATA_INVALID');
  });
});
