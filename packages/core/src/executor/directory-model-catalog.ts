import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isXybPath, openXybBundle, type OpenXybOptions } from '../bundles/xyb-bundle.js';
import { SwitchyardError } from '@switchyard/spec';
import type { ModelCatalog, RegisteredModel } from './model-catalog.js';
import { LruCache } from '../routing/lru-cache.js';

/** A registry entry read from `<dir>/<id>/model_metadata.json`; `dir` is what the provisioner resolves files in. */
export interface DirectoryModel extends RegisteredModel {
  readonly dir: string;
}

/** Ids remembered by a DirectoryModelCatalog (found or not); docs/server.md#limits. */
export const DIRECTORY_CATALOG_CACHE_SIZE = 1024;

/**
 * Finds models in the configured model folders (`models.dirs`, default `models/`) by id, lazily, once per id.
 * An entry that is a `.xyb` bundle (xybrid's format) holds one model: `openBundles()` extracts it (verified, into
 * the bundle cache) and the model is found by the id in its model_metadata.json.
 * Used when no generated registry is registered under TOKENS.ModelRegistry.
 */
export class DirectoryModelCatalog implements ModelCatalog {
  /** Found and not-found ids alike, bounded: distinct unknown names cannot grow memory (null = not found). */
  private readonly cache: LruCache<string, DirectoryModel | null>;
  private readonly bundled = new Map<string, DirectoryModel>();
  readonly dirs: readonly string[];
  readonly bundles: readonly string[];

  constructor(
    dirs: readonly string[],
    baseDir: string,
    private readonly engineFor: (id: string) => string | undefined = () => undefined,
    capacity = DIRECTORY_CATALOG_CACHE_SIZE,
  ) {
    const entries = dirs.map((d) => resolve(baseDir, d));
    this.dirs = entries.filter((d) => !isXybPath(d));
    this.bundles = entries.filter(isXybPath);
    this.cache = new LruCache(capacity);
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
      const engine = this.engineFor(id);
      this.bundled.set(id, { id, dir, metadata, ...(engine ? { engine } : {}) });
    }
  }

  /** Ids of every folder holding a model_metadata.json, in the order of `dirs`, then those of opened bundles. */
  ids(): string[] {
    const ids = new Set<string>();
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(join(dir, entry.name, 'model_metadata.json'))) ids.add(entry.name);
      }
    }
    for (const id of this.bundled.keys()) ids.add(id);
    return [...ids];
  }

  get(modelId: string): DirectoryModel | undefined {
    const bundled = this.bundled.get(modelId);
    if (bundled) return bundled;
    const cached = this.cache.get(modelId);
    if (cached !== undefined) return cached ?? undefined;
    let found: DirectoryModel | undefined;
    if (/^[A-Za-z0-9._-]+$/.test(modelId)) {
      for (const dir of this.dirs) {
        const file = join(dir, modelId, 'model_metadata.json');
        if (!existsSync(file)) continue;
        let metadata: unknown;
        try {
          metadata = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${file}: not valid JSON: ${(error as Error).message}`, details: { file }, cause: error });
        }
        const engine = this.engineFor(modelId);
        found = { id: modelId, dir: join(dir, modelId), metadata, ...(engine ? { engine } : {}) };
        break;
      }
    }
    this.cache.set(modelId, found ?? null);
    return found;
  }
}
