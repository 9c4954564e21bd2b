import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { NoSuchModelError, SwitchyardError, type EngineModelSpec } from '@switchyard/core';

export interface CatalogEntry {
  readonly id: string;
  readonly version?: string;
  readonly task?: string;
  /** Engine that serves the model (used for per-engine concurrency and /v1/models owned_by). */
  readonly engine?: string;
  readonly description?: string;
  readonly files: readonly string[];
  readonly deprecated?: boolean;
}

export interface CatalogFileReport {
  readonly name: string;
  readonly expected_sha256: string | null;
  readonly sha256: string | null;
  readonly ok: boolean;
  readonly error?: string;
}

export interface CatalogVerifyReport {
  readonly id: string;
  readonly ok: boolean;
  readonly files: readonly CatalogFileReport[];
}

/** What the server needs from the model catalog. The server never reads model folders itself. */
export interface ServerCatalog {
  list(): Promise<readonly CatalogEntry[]>;
  get(id: string): Promise<CatalogEntry | undefined>;
  /** Registers an entry (POST /v2/catalog/models); absent = read-only catalog. */
  add?(entry: CatalogEntry & { readonly sources?: Readonly<Record<string, FileSource>> }): Promise<CatalogEntry>;
  /** sha256 of every file against the digests the metadata declares. */
  verify(id: string): Promise<CatalogVerifyReport>;
  /** Resolved, verified load spec for pool reloads. */
  resolve?(id: string): Promise<EngineModelSpec>;
}

export type FileSource = { readonly npm: string; readonly path: string; readonly sha256?: string } | { readonly path: string; readonly sha256?: string } | { readonly url: string; readonly sha256?: string };

interface DirectoryModel {
  entry: CatalogEntry;
  dir: string;
  metadata: unknown;
  sources: Readonly<Record<string, FileSource>>;
}

/**
 * Catalog over `models/<id>/model_metadata.json` folders. Files resolve from the model folder, an installed
 * npm package or a local path (URLs are never fetched). Used until core's provisioner is wired in.
 */
export async function createDirectoryCatalog(options: { modelsDir: string; engineFor?: (metadata: Record<string, unknown>) => string | undefined }): Promise<ServerCatalog> {
  const modelsDir = resolve(options.modelsDir);
  const models = new Map<string, DirectoryModel>();
  const names = existsSync(modelsDir) ? await readdir(modelsDir, { withFileTypes: true }) : [];
  for (const dirent of names) {
    if (!dirent.isDirectory()) continue;
    const dir = join(modelsDir, dirent.name);
    const metadataPath = join(dir, 'model_metadata.json');
    if (!existsSync(metadataPath)) continue;
    const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as Record<string, unknown>;
    const extra = (metadata.metadata ?? {}) as Record<string, unknown>;
    const id = typeof metadata.model_id === 'string' ? metadata.model_id : dirent.name;
    const entry: CatalogEntry = {
      id,
      ...(typeof metadata.version === 'string' ? { version: metadata.version } : {}),
      ...(typeof extra.task === 'string' ? { task: extra.task } : {}),
      engine: options.engineFor?.(metadata) ?? 'onnx',
      ...(typeof metadata.description === 'string' ? { description: metadata.description } : {}),
      files: Array.isArray(metadata.files) ? (metadata.files as string[]) : [],
    };
    models.set(id, { entry, dir, metadata, sources: (metadata.sources ?? {}) as Record<string, FileSource> });
  }
  const require = createRequire(join(modelsDir, 'noop.js'));

  const lookup = (id: string): DirectoryModel => {
    const model = models.get(id);
    if (!model) throw new NoSuchModelError({ modelId: id, available: [...models.keys()] });
    return model;
  };
  const pathOf = (model: DirectoryModel, file: string): string => {
    const source = model.sources[file];
    if (source && 'npm' in source) return join(packageDir(require, source.npm), source.path);
    if (source && 'url' in source) {
      throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `${model.entry.id}: ${file} comes from a URL; this catalog does not download`, details: { modelId: model.entry.id, field: file } });
    }
    return source ? resolve(model.dir, source.path) : join(model.dir, file);
  };
  const verifyFile = async (model: DirectoryModel, file: string): Promise<CatalogFileReport> => {
    const expected = model.sources[file]?.sha256?.toLowerCase() ?? null;
    try {
      const sha256 = await sha256File(pathOf(model, file));
      return { name: file, expected_sha256: expected, sha256, ok: expected === null || expected === sha256 };
    } catch (error) {
      return { name: file, expected_sha256: expected, sha256: null, ok: false, error: SwitchyardError.isInstance(error) ? error.message : 'file cannot be read' };
    }
  };

  return {
    async list() {
      return [...models.values()].map((model) => model.entry);
    },
    async get(id) {
      return models.get(id)?.entry;
    },
    async add(entry) {
      if (models.has(entry.id)) throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `Model '${entry.id}' is already in the catalog`, details: { field: 'id' } });
      const { sources, ...plain } = entry;
      models.set(entry.id, { entry: plain, dir: modelsDir, metadata: { model_id: entry.id, files: entry.files }, sources: sources ?? {} });
      return plain;
    },
    async verify(id) {
      const model = lookup(id);
      const files = await Promise.all(model.entry.files.map((file) => verifyFile(model, file)));
      return { id, ok: files.every((file) => file.ok), files };
    },
    async resolve(id) {
      const model = lookup(id);
      const files: Record<string, string> = {};
      for (const file of model.entry.files) {
        const report = await verifyFile(model, file);
        if (!report.ok) {
          if (report.sha256 === null) throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `${id}: ${file}: ${report.error ?? 'missing'}`, details: { modelId: id, field: file } });
          throw new SwitchyardError({ code: 'UNTRUSTED_ARTIFACT', message: `${id}: sha256 mismatch for ${file}`, details: { modelId: id, field: file, expected: report.expected_sha256, found: report.sha256 } });
        }
        files[file] = pathOf(model, file);
      }
      return { id, files, metadata: model.metadata };
    },
  };
}

function packageDir(require: NodeJS.Require, name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return dirname(dirname(require.resolve(name)));
  }
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}
