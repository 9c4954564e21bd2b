import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { ModelCatalog, RegisteredModel } from './model-catalog.js';

/** A registry entry read from `<dir>/<id>/model_metadata.json`; `dir` is what the provisioner resolves files in. */
export interface DirectoryModel extends RegisteredModel {
  readonly dir: string;
}

/**
 * Finds models in the configured model folders (`models.dirs`, default `models/`) by id, lazily, once per id.
 * Used when no generated registry is registered under TOKENS.ModelRegistry.
 */
export class DirectoryModelCatalog implements ModelCatalog {
  private readonly cache = new Map<string, DirectoryModel | undefined>();
  readonly dirs: readonly string[];

  constructor(dirs: readonly string[], baseDir: string, private readonly engineFor: (id: string) => string | undefined = () => undefined) {
    this.dirs = dirs.map((d) => resolve(baseDir, d));
  }

  /** Ids of every folder holding a model_metadata.json, in the order of `dirs`. */
  ids(): string[] {
    const ids = new Set<string>();
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(join(dir, entry.name, 'model_metadata.json'))) ids.add(entry.name);
      }
    }
    return [...ids];
  }

  get(modelId: string): DirectoryModel | undefined {
    if (this.cache.has(modelId)) return this.cache.get(modelId);
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
    this.cache.set(modelId, found);
    return found;
  }
}
