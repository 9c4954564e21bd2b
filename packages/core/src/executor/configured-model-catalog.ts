import { join, resolve } from 'node:path';
import { DirectoryModelCatalog } from './directory-model-catalog.js';

/** The `models` section's fields the catalog of an app reads. */
export interface ConfiguredModels {
  /** `models.dirs` (absent: `models/` when it exists). */
  readonly dirs?: readonly string[];
  /** `models.packages`. */
  readonly packages?: readonly string[];
  /** `models.cacheDir` (default `.switchyard/cache`). */
  readonly cacheDir?: string;
}

/** `models.cacheDir` resolved against the config's folder (default `.switchyard/cache`): where fetched model files go. */
export function modelCacheDir(baseDir: string, cacheDir?: string): string {
  return resolve(baseDir, cacheDir ?? join('.switchyard', 'cache'));
}

/** Where `.xyb` bundles are extracted: `bundles/` under the model cache, for every reader of the same config. */
export function modelBundleCacheDir(baseDir: string, cacheDir?: string): string {
  return join(modelCacheDir(baseDir, cacheDir), 'bundles');
}

/**
 * The models a config lists (`models.dirs`, `models.packages`), read the way the app reads them: a
 * DirectoryModelCatalog relative to `baseDir` with its `.xyb` bundles opened into the model cache's `bundles/`.
 */
export async function openConfiguredModelCatalog(
  models: ConfiguredModels | undefined,
  baseDir: string,
  options: { readonly engineFor?: (id: string) => string | undefined } = {},
): Promise<DirectoryModelCatalog> {
  const catalog = new DirectoryModelCatalog({
    ...(models?.dirs ? { dirs: models.dirs } : {}),
    packages: models?.packages ?? [],
    baseDir,
    ...(options.engineFor ? { engineFor: options.engineFor } : {}),
  });
  await catalog.openBundles({ cacheDir: modelBundleCacheDir(baseDir, models?.cacheDir) });
  return catalog;
}
