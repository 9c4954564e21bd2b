import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isXybPath, openXybBundle, type OpenXybOptions } from '../bundles/xyb-bundle.js';
import { SwitchyardError } from '@switchyard/spec';
import { resolveModelPack, type ModelCatalog, type RegisteredModel } from './model-catalog.js';
import { LruCache } from '../routing/lru-cache.js';

/** A registry entry read from `<dir>/<id>/model_metadata.json`, a bundle or a model pack; `dir` is absolute. */
export interface DirectoryModel extends RegisteredModel {
  readonly dir: string;
}

/** Ids remembered by a DirectoryModelCatalog (found or not); docs/server.md#limits. */
export const DIRECTORY_CATALOG_CACHE_SIZE = 1024;

export interface DirectoryModelCatalogOptions {
  /**
   * `models.dirs`, relative to baseDir or absolute: folders holding `<id>/model_metadata.json`, model folders (holding
   * model_metadata.json themselves: one model, found by its model_id), or `.xyb` bundles.
   */
  readonly dirs: readonly string[];
  /** Model packs (`models.packages`): npm packages whose root holds model_metadata.json. */
  readonly packages?: readonly string[];
  /** The app's config folder. */
  readonly baseDir: string;
  readonly engineFor?: (id: string) => string | undefined;
  /** Ids remembered (found or not); default DIRECTORY_CATALOG_CACHE_SIZE. */
  readonly capacity?: number;
}

function readMetadata(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${file}: not valid JSON: ${(error as Error).message}`, details: { file }, cause: error });
  }
}

/**
 * Finds models in the configured model folders (`models.dirs`, default `models/`) by folder name, lazily, once per
 * id; in the configured model packs (`models.packages`) and in `models.dirs` entries that are a model folder by their
 * metadata's model_id. An entry of `models.dirs` that
 * is a `.xyb` bundle (xybrid's format) holds one model: `openBundles()` extracts it (verified, into the bundle cache)
 * and the model is found by the id in its model_metadata.json. Used for every model the generated registry lacks.
 */
export class DirectoryModelCatalog implements ModelCatalog {
  /** Found and not-found ids alike, bounded: distinct unknown names cannot grow memory (null = not found). */
  private readonly cache: LruCache<string, DirectoryModel | null>;
  private readonly bundled = new Map<string, DirectoryModel>();
  private packs: Map<string, DirectoryModel> | undefined;
  private folders: Map<string, DirectoryModel> | undefined;
  readonly dirs: readonly string[];
  readonly bundles: readonly string[];
  /** Entries of `models.dirs` that are one model folder each. */
  readonly modelFolders: readonly string[];
  private readonly packages: readonly string[];
  private readonly baseDir: string;
  private readonly engineFor: (id: string) => string | undefined;

  constructor(options: DirectoryModelCatalogOptions) {
    this.baseDir = resolve(options.baseDir);
    const entries = options.dirs.map((d) => resolve(this.baseDir, d));
    const isModelFolder = (d: string): boolean => !isXybPath(d) && existsSync(join(d, 'model_metadata.json'));
    this.dirs = entries.filter((d) => !isXybPath(d) && !isModelFolder(d));
    this.bundles = entries.filter(isXybPath);
    this.modelFolders = entries.filter(isModelFolder);
    this.packages = options.packages ?? [];
    this.engineFor = options.engineFor ?? (() => undefined);
    this.cache = new LruCache(options.capacity ?? DIRECTORY_CATALOG_CACHE_SIZE);
  }

  get size(): number {
    return this.cache.size;
  }

  /** Opens every `.xyb` entry of `models.dirs` (once; later opens reuse the extracted folder). */
  async openBundles(options: OpenXybOptions = {}): Promise<void> {
    for (const bundle of this.bundles) {
      const { dir } = await openXybBundle(bundle, options);
      const file = join(dir, 'model_metadata.json');
      if (!existsSync(file)) {
        throw new SwitchyardError({ code: 'BUNDLE_INVALID', message: `${bundle}: has no model_metadata.json, so it cannot be listed in models.dirs`, details: { file: bundle } });
      }
      let metadata: Record<string, unknown>;
      try {
        metadata = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      } catch (error) {
        throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${bundle}: model_metadata.json is not valid JSON: ${(error as Error).message}`, details: { file: bundle }, cause: error });
      }
      const id = typeof metadata.model_id === 'string' ? metadata.model_id : undefined;
      if (!id) throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${bundle}: model_metadata.json has no string model_id`, details: { file: bundle, pointer: '/model_id' } });
      this.bundled.set(id, this.entry(id, dir, metadata));
    }
  }

  get(modelId: string): DirectoryModel | undefined {
    const pack = this.packModels().get(modelId) ?? this.folderModels().get(modelId);
    if (pack) return pack;
    const bundled = this.bundled.get(modelId);
    if (bundled) return bundled;
    const cached = this.cache.get(modelId);
    if (cached !== undefined) return cached ?? undefined;
    let found: DirectoryModel | undefined;
    if (/^[A-Za-z0-9._-]+$/.test(modelId)) {
      for (const dir of this.dirs) {
        const file = join(dir, modelId, 'model_metadata.json');
        if (!existsSync(file)) continue;
        found = this.entry(modelId, join(dir, modelId), readMetadata(file));
        break;
      }
    }
    this.cache.set(modelId, found ?? null);
    return found;
  }

  /** Ids of the packs, of the model folders, of every folder holding a model_metadata.json, and of opened bundles (sorted). */
  ids(): string[] {
    const ids = new Set([...this.packModels().keys(), ...this.folderModels().keys()]);
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      // existsSync follows symlinks: a linked model folder counts like a real one.
      for (const name of readdirSync(dir)) if (existsSync(join(dir, name, 'model_metadata.json'))) ids.add(name);
    }
    for (const id of this.bundled.keys()) ids.add(id);
    return [...ids].sort();
  }

  private entry(id: string, dir: string, metadata: unknown, pack?: string): DirectoryModel {
    const engine = this.engineFor(id);
    return { id, dir, metadata, ...(pack ? { package: pack } : {}), ...(engine ? { engine } : {}) };
  }

  /** The model of each `models.dirs` entry that is a model folder, keyed by its model_id (read once). */
  private folderModels(): Map<string, DirectoryModel> {
    if (this.folders) return this.folders;
    const folders = new Map<string, DirectoryModel>();
    for (const dir of this.modelFolders) {
      const file = join(dir, 'model_metadata.json');
      const metadata = readMetadata(file);
      const id = metadata['model_id'];
      if (typeof id !== 'string') throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${file}: has no string model_id`, details: { file, pointer: '/model_id' } });
      folders.set(id, this.entry(id, dir, metadata));
    }
    this.folders = folders;
    return folders;
  }

  /** Each pack's model, keyed by its model_id (read once, at the first lookup). */
  private packModels(): Map<string, DirectoryModel> {
    if (this.packs) return this.packs;
    const packs = new Map<string, DirectoryModel>();
    for (const name of this.packages) {
      const root = resolveModelPack(name, this.baseDir);
      const file = join(root, 'model_metadata.json');
      if (!existsSync(file)) {
        throw new SwitchyardError({
          code: 'METADATA_INVALID',
          message: `model pack '${name}' (models.packages) has no model_metadata.json at its root (${file})`,
          details: { package: name, file },
        });
      }
      const metadata = readMetadata(file);
      const id = typeof metadata['model_id'] === 'string' ? metadata['model_id'] : name;
      packs.set(id, this.entry(id, root, metadata, name));
    }
    this.packs = packs;
    return packs;
  }
}
