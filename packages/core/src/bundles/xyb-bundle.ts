import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decompress } from 'fzstd';
import { createTarDecoder } from 'modern-tar';
import { SwitchyardError } from '@switchyard/spec';
import { unsafePathReason } from '../provisioning/path-safety.js';
import { computeXybHash, parseXybManifest, type XybManifest } from './xyb-manifest.js';

/** Caps that stop a hostile bundle (a zip bomb, a flood of entries) before it fills the disk. */
export interface XybLimits {
  /** Total uncompressed bytes of the tar stream (default 16 GiB). */
  readonly maxTotalBytes?: number;
  /** Entries in the archive (default 10,000). */
  readonly maxEntries?: number;
}

export interface OpenXybOptions extends XybLimits {
  /** Where bundles are extracted, one folder per bundle sha256 (default `$XDG_CACHE_HOME/switchyard/bundles`). */
  readonly cacheDir?: string;
}

export interface OpenedXyb {
  /** The folder holding the bundle's files (model_metadata.json among them when has_metadata). */
  readonly dir: string;
  readonly manifest: XybManifest;
  /** sha256 of the .xyb file: the cache key. */
  readonly sha256: string;
}

const DEFAULT_MAX_TOTAL = 16 * 1024 ** 3;
const DEFAULT_MAX_ENTRIES = 10_000;
const COMPLETE_MARKER = '.xyb-complete';

export function defaultBundleCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'switchyard', 'bundles');
}

export function isXybPath(path: string): boolean {
  return path.toLowerCase().endsWith('.xyb');
}

function bundleError(file: string, message: string, details: Record<string, unknown> = {}, cause?: unknown): SwitchyardError {
  return new SwitchyardError({ code: 'BUNDLE_INVALID', message: `${basename(file)}: ${message}`, details: { file: basename(file), ...details }, cause });
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Opens a `.xyb` bundle (xybrid's format: a zstd-compressed tar of manifest.json plus the model files): extracts it
 * once into `<cacheDir>/<sha256 of the bundle>/`, refusing entries that escape the folder (absolute, `..`, links,
 * devices), duplicates, files the manifest does not list (or lists but lacks), more than `maxTotalBytes` of
 * uncompressed data or `maxEntries` entries, and a manifest hash that does not match the contents (xybrid's hash
 * over every file). Later opens of the same bundle reuse the folder.
 */
export async function openXybBundle(path: string, options: OpenXybOptions = {}): Promise<OpenedXyb> {
  const file = resolve(path);
  const info = await stat(file).catch((cause: unknown) => {
    throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `Cannot read bundle ${basename(file)}`, details: { file: basename(file) }, cause });
  });
  if (!info.isFile()) throw bundleError(file, 'is not a file');
  const sha256 = await sha256File(file);
  const cacheDir = resolve(options.cacheDir ?? defaultBundleCacheDir());
  const dir = join(cacheDir, sha256);
  if (existsSync(join(dir, COMPLETE_MARKER))) {
    const parsed = parseXybManifest(JSON.parse(await readFile(join(dir, COMPLETE_MARKER), 'utf8')));
    if ('manifest' in parsed) return { dir, manifest: parsed.manifest, sha256 };
  }
  await mkdir(cacheDir, { recursive: true });
  const staging = join(cacheDir, `.staging-${sha256.slice(0, 16)}-${randomUUID()}`);
  await mkdir(staging);
  try {
    const manifest = await extractInto(file, staging, options);
    const actual = await computeXybHash(staging, manifest);
    if (actual !== manifest.hash) {
      throw new SwitchyardError({
        code: 'UNTRUSTED_ARTIFACT',
        message: `${basename(file)}: the manifest hash does not match the bundle's files (expected ${manifest.hash}, computed ${actual}); not loaded`,
        details: { file: basename(file), expected: manifest.hash, found: actual },
      });
    }
    await writeFile(join(staging, COMPLETE_MARKER), JSON.stringify(manifest));
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    return { dir, manifest, sha256 };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Streams zstd -> tar -> files under `target`, enforcing every limit as bytes arrive. Returns the manifest. */
async function extractInto(file: string, target: string, options: XybLimits): Promise<XybManifest> {
  const maxTotal = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const decoder = createTarDecoder({ strict: true });
  const tarWriter = decoder.writable.getWriter();
  let total = 0;
  let failure: unknown;
  let pending: Promise<void> = Promise.resolve();
  const zstd = new Decompress((chunk) => {
    total += chunk.length;
    if (total > maxTotal) {
      failure ??= bundleError(file, `expands to more than ${maxTotal} bytes (a decompression bomb?); refused`, { limit: maxTotal });
      return;
    }
    const copy = chunk.slice();
    pending = pending.then(() => tarWriter.write(copy));
  });

  const entries = consumeEntries(decoder.readable, file, target, maxEntries);
  entries.catch(() => undefined); // awaited below; a refusal must not surface as an unhandled rejection first
  try {
    await pipeline(
      createReadStream(file),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (failure) return done(failure as Error);
          try {
            zstd.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          } catch (cause) {
            return done(bundleError(file, `is not zstd-compressed data (${(cause as Error).message})`, {}, cause));
          }
          // Wait for the tar side so memory stays bounded.
          pending.then(() => done(failure as Error | undefined), done);
        },
        final(done) {
          try {
            zstd.push(new Uint8Array(0), true);
          } catch (cause) {
            return done(bundleError(file, `has a truncated zstd stream (${(cause as Error).message})`, {}, cause));
          }
          pending.then(() => tarWriter.close()).then(() => done(failure as Error | undefined), done);
        },
      }),
    );
  } catch (error) {
    await tarWriter.abort(error).catch(() => undefined);
    // A refused entry (traversal, link, bomb) is the real reason the stream stopped: report it first.
    const entryError = await entries.then(() => undefined, (e: unknown) => e);
    if (SwitchyardError.isInstance(entryError)) throw entryError;
    throw SwitchyardError.isInstance(error) ? error : bundleError(file, `is not a valid bundle (${(error as Error).message})`, {}, error);
  }
  const { names, manifestJson } = await entries.catch((error: unknown) => {
    throw SwitchyardError.isInstance(error) ? error : bundleError(file, `is not a valid tar archive (${(error as Error).message})`, {}, error);
  });
  if (manifestJson === undefined) throw bundleError(file, 'has no manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(manifestJson);
  } catch (cause) {
    throw bundleError(file, `manifest.json is not valid JSON (${(cause as Error).message})`, {}, cause);
  }
  const parsed = parseXybManifest(json);
  if ('problem' in parsed) throw bundleError(file, parsed.problem);
  const listed = new Set(parsed.manifest.files);
  const missing = [...listed].filter((n) => !names.has(n));
  const extra = [...names].filter((n) => !listed.has(n));
  if (missing.length || extra.length) {
    throw bundleError(file, `manifest.json /files does not match the archive (listed but absent: ${missing.join(', ') || 'none'}; present but unlisted: ${extra.join(', ') || 'none'})`, { missing, extra });
  }
  return parsed.manifest;
}

async function consumeEntries(
  readable: ReadableStream<{ header: { name: string; size: number; type?: string }; body: ReadableStream<Uint8Array> }>,
  file: string,
  target: string,
  maxEntries: number,
): Promise<{ names: Set<string>; manifestJson: string | undefined }> {
  const names = new Set<string>();
  let manifestJson: string | undefined;
  let count = 0;
  for await (const entry of readable as unknown as AsyncIterable<{ header: { name: string; size: number; type?: string }; body: ReadableStream<Uint8Array> }>) {
    count += 1;
    if (count > maxEntries) throw bundleError(file, `has more than ${maxEntries} entries; refused`, { limit: maxEntries });
    const { name: rawName, type = 'file' } = entry.header;
    const name = rawName.replace(/^\.\//, '');
    if (type === 'directory') {
      await entry.body.cancel();
      continue;
    }
    if (type !== 'file') throw bundleError(file, `entry '${name}' is a ${type}; only regular files are allowed (no links or devices)`, { entry: name, type });
    const reason = unsafePathReason(name);
    if (reason !== undefined) throw bundleError(file, `entry '${name.slice(0, 120)}' ${reason}; refused`, { entry: name.slice(0, 120) });
    if (name === '.xyb-complete' || name.startsWith('.staging-')) throw bundleError(file, `entry '${name}' uses a reserved name`, { entry: name });
    if (names.has(name) || (name === 'manifest.json' && manifestJson !== undefined)) throw bundleError(file, `entry '${name}' appears twice`, { entry: name });
    if (name === 'manifest.json') {
      const chunks: Uint8Array[] = [];
      for await (const chunk of entry.body as unknown as AsyncIterable<Uint8Array>) {
        chunks.push(chunk);
        if (chunks.reduce((n, c) => n + c.length, 0) > 1024 * 1024) throw bundleError(file, 'manifest.json is larger than 1 MiB');
      }
      manifestJson = Buffer.concat(chunks).toString('utf8');
      continue;
    }
    names.add(name);
    const out = join(target, name);
    await mkdir(dirname(out), { recursive: true });
    await pipeline(entry.body as unknown as AsyncIterable<Uint8Array>, createWriteStream(out, { flags: 'wx' }));
  }
  return { names, manifestJson };
}
