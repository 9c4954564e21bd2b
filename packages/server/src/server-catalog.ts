import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelProvisioner, NoSuchModelError, SwitchyardError, isXybPath, openXybBundle, readProvisioningMetadata, sha256File, type EngineModelSpec } from '@switchyard/core';
import { redactPaths, registerPrivateRoot } from './redaction.js';

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
  readonly source: string;
  readonly expected_sha256: string | null;
  readonly sha256: string | null;
  /** ok = digest matches; unverified = no digest declared; mismatch / missing = not loadable. */
  readonly status: 'ok' | 'unverified' | 'mismatch' | 'missing';
  readonly ok: boolean;
  readonly error?: string;
}

export interface CatalogVerifyReport {
  readonly id: string;
  readonly ok: boolean;
  readonly files: readonly CatalogFileReport[];
}

export type FileSource = { readonly npm: string; readonly path: string; readonly sha256?: string } | { readonly path: string; readonly sha256?: string } | { readonly url: string; readonly sha256?: string };

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

interface DirectoryModel {
  entry: CatalogEntry;
  dir: string;
  metadata: Record<string, unknown>;
}

export interface DirectoryCatalogOptions {
  /** Folders holding `<id>/model_metadata.json` (config `models.dirs`). */
  readonly modelsDirs: readonly string[];
  /** App directory (npm sources resolve from here too); default cwd. */
  readonly appDir?: string;
  /** Which engine serves a model (default `onnx`). */
  readonly engineFor?: (metadata: Record<string, unknown>) => string | undefined;
  readonly provisioner?: ModelProvisioner;
  /** Where `.xyb` entries of modelsDirs are extracted (default `<appDir>/.switchyard/cache/bundles`). */
  readonly bundleCacheDir?: string;
  /** Where entries added through the API are kept (the server's state store), so they survive a restart. */
  readonly store?: { getCatalog<T>(key: string): T | undefined; putCatalog(key: string, value: unknown): void; catalogEntries<T>(): { key: string; value: T }[] };
}

interface StoredCatalogEntry {
  readonly entry: CatalogEntry;
  readonly metadata: Record<string, unknown>;
}

/**
 * Catalog over model folders. Files are resolved and sha256-checked by core's ModelProvisioner (model dir,
 * installed npm package or local path; URLs only when the provisioner allows downloads).
 */
export async function createDirectoryCatalog(options: DirectoryCatalogOptions): Promise<ServerCatalog> {
  const provisioner = options.provisioner ?? new ModelProvisioner({ appDir: options.appDir ?? process.cwd() });
  const models = new Map<string, DirectoryModel>();
  // npm packages an API-added entry may take files from: only those the configured models already name.
  const namedPackages = new Set<string>();
  registerPrivateRoot(resolve(options.appDir ?? process.cwd()));
  const appDir = resolve(options.appDir ?? process.cwd());
  for (const modelsDir of options.modelsDirs.map((dir) => resolve(dir))) {
    registerPrivateRoot(modelsDir);
    if (!existsSync(modelsDir)) continue;
    // A `.xyb` entry (xybrid bundle) holds one model: extracted (verified) into the app's bundle cache, like core's catalog.
    const bundle = isXybPath(modelsDir) ? await openXybBundle(modelsDir, { cacheDir: options.bundleCacheDir ?? join(appDir, '.switchyard', 'cache', 'bundles') }) : undefined;
    if (bundle) registerPrivateRoot(bundle.dir);
    const folders = bundle
      ? [{ dir: bundle.dir, name: bundle.manifest.model_id, isDirectory: true }]
      : (await readdir(modelsDir, { withFileTypes: true })).map((d) => ({ dir: join(modelsDir, d.name), name: d.name, isDirectory: d.isDirectory() }));
    for (const dirent of folders) {
      const dir = dirent.dir;
      const metadataPath = join(dir, 'model_metadata.json');
      if (!dirent.isDirectory || !existsSync(metadataPath)) continue;
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
      models.set(id, { entry, dir, metadata });
      for (const source of Object.values((metadata.sources ?? {}) as Record<string, { npm?: unknown }>)) if (typeof source?.npm === 'string') namedPackages.add(source.npm);
    }
  }
  const lookup = (id: string): DirectoryModel => {
    const model = models.get(id);
    if (!model) throw new NoSuchModelError({ modelId: id, available: [...models.keys()] });
    return model;
  };
  const firstDir = resolve(options.modelsDirs[0] ?? '.');
  // Entries added through the API earlier (before a restart); model folders win over a stored entry of the same id.
  for (const { key, value } of options.store?.catalogEntries<StoredCatalogEntry>() ?? []) {
    if (!key.startsWith('model:') || models.has(value.entry.id)) continue;
    models.set(value.entry.id, { entry: value.entry, dir: join(firstDir, value.entry.id), metadata: value.metadata });
  }

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
      const metadata = { model_id: entry.id, files: entry.files, ...(sources ? { sources } : {}) };
      // The one path-safety check (core): relative paths inside the model folder, valid npm names, http(s) URLs.
      const parsed = readProvisioningMetadata(metadata, 'body');
      for (const [file, source] of Object.entries(parsed.sources)) {
        if (source.kind === 'npm' && !namedPackages.has(source.npm)) {
          throw new SwitchyardError({
            code: 'INVALID_PARAMS',
            message: `body: /sources/${file}/npm names package '${source.npm}', which no configured model uses; allowed: ${[...namedPackages].join(', ') || 'none'}`,
            details: { field: 'body', pointer: `/sources/${file}/npm`, expected: 'an npm package named by a configured model' },
          });
        }
      }
      models.set(entry.id, { entry: plain, dir: join(firstDir, entry.id), metadata });
      options.store?.putCatalog(`model:${entry.id}`, { entry: plain, metadata } satisfies StoredCatalogEntry);
      return plain;
    },
    async verify(id) {
      const model = lookup(id);
      const rows = await provisioner.verify(model.dir, model.metadata);
      const files = rows.map(
        (row): CatalogFileReport => ({
          name: row.file,
          source: redactPaths(row.source),
          expected_sha256: row.expected ?? null,
          sha256: row.found ?? null,
          status: row.status,
          ok: row.status === 'ok' || row.status === 'unverified',
          ...(row.error ? { error: redactPaths(row.error.message) } : {}),
        }),
      );
      return { id, ok: files.every((file) => file.ok), files };
    },
    async resolve(id) {
      const model = lookup(id);
      const provisioned = await provisioner.resolve(model.dir, model.metadata);
      return { id, files: provisioned.files, metadata: model.metadata };
    },
  };
}

export { sha256File };
