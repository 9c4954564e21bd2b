import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { configuredModelsDirs, DirectoryModelCatalog, MetadataInvalidError, STEP_FACTORIES, SwitchyardError, type MetadataIssue } from '@switchyard/core';
import { compareGenerated, hasDrift, type GeneratedDrift } from './check-generated.js';
import { DEFAULT_OUT_DIR, generate, type GeneratedFile, type ModelSource } from './generate.js';

export interface CodegenOptions {
  /** The folder of the app's switchyard.config.yaml: every relative path resolves against it. */
  readonly baseDir: string;
  /**
   * `models.dirs`, relative to baseDir or absolute: folders of `<id>/model_metadata.json`, model folders and `.xyb`
   * bundles, each of which must exist. Absent: `models/` when it exists (as the runtime reads a config without it).
   */
  readonly modelDirs?: readonly string[];
  /** `models.cacheDir` (relative to baseDir): `.xyb` entries are extracted into its `bundles/`, as the runtime does. Default `.switchyard/cache`. */
  readonly cacheDir?: string;
  /** Model packs (`models.packages`): npm packages whose root holds model_metadata.json, resolved from baseDir. */
  readonly modelPackages?: readonly string[];
  /** Where the registry and pipelines go (`codegen.out`), relative to baseDir or absolute. Default `src/switchyard.generated`. */
  readonly outDir?: string;
  /** Compare only. */
  readonly check?: boolean;
  /** Unknown metadata fields are errors instead of warnings. */
  readonly strict?: boolean;
  /** Writes one file, given its absolute path (the CLI passes a real writer; --check never calls it). */
  readonly write?: (path: string, contents: string) => Promise<void>;
  /** Removes a leftover generated file, given its absolute path. */
  readonly remove?: (path: string) => Promise<void>;
}

export interface CodegenReport {
  /** Generated files, paths as shown (relative to baseDir when inside it). */
  readonly files: readonly GeneratedFile[];
  readonly drift: GeneratedDrift;
  readonly written: readonly string[];
  /** The output folder as shown. */
  readonly outDir: string;
  /** Unknown or unused metadata fields (each located by file and pointer). */
  readonly warnings: readonly MetadataIssue[];
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** A path as messages show it: relative to the config folder (POSIX), or absolute when outside it. */
export function displayPath(baseDir: string, absolute: string): string {
  const rel = relative(baseDir, absolute);
  return rel === '' ? '.' : isAbsolute(rel) ? toPosix(absolute) : toPosix(rel);
}

/**
 * Reads every model of the model dirs and packs, found the way the runtime finds them (core's DirectoryModelCatalog:
 * folders of model folders, model folders, `.xyb` bundles, packs). Invalid JSON is a located issue; a pack not
 * installed, or a listed dir that does not exist, is an error. Bundles are opened into `bundleCacheDir`.
 */
export async function readModelSources(
  baseDir: string,
  modelDirs: readonly string[] | undefined,
  modelPackages: readonly string[],
  bundleCacheDir: string = join(baseDir, '.switchyard', 'cache', 'bundles'),
): Promise<ModelSource[]> {
  const catalog = new DirectoryModelCatalog({ ...(modelDirs ? { dirs: modelDirs } : {}), packages: modelPackages, baseDir });
  await catalog.openBundles({ cacheDir: bundleCacheDir });
  const { models, issues } = catalog.list();
  if (issues.length) throw new MetadataInvalidError({ issues });
  return models.map((model) => {
    const { origin } = model;
    const ref: ModelSource['ref'] =
      origin.kind === 'package' ? { package: origin.name } : origin.kind === 'bundle' ? { bundle: toPosix(relative(baseDir, origin.entry)) } : { dir: toPosix(relative(baseDir, model.dir)) || '.' };
    return { file: model.file, ref, root: model.dir, ...(origin.kind === 'dir' ? { folderName: origin.folder } : {}), metadata: model.metadata };
  });
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** Refuses output folders codegen must never write into: a dependency (node_modules) or the model folders. */
function checkOutDir(baseDir: string, outDir: string, modelDirs: readonly string[]): void {
  const parts = toPosix(outDir).split('/');
  const inside = (dir: string): boolean => {
    const rel = relative(dir, outDir);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (parts.includes('node_modules') || modelDirs.some((d) => inside(resolve(baseDir, d)))) {
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message: `codegen output ${displayPath(baseDir, outDir)} is inside ${parts.includes('node_modules') ? 'node_modules' : 'a models dir'}: generate into the app's own source (e.g. ${DEFAULT_OUT_DIR})`,
      details: { file: outDir },
    });
  }
}

/** Generates in memory, compares with the disk, and (unless check) hands changed files to `write`. */
export async function runCodegen(options: CodegenOptions): Promise<CodegenReport> {
  const baseDir = resolve(options.baseDir);
  const outAbs = resolve(baseDir, options.outDir ?? DEFAULT_OUT_DIR);
  checkOutDir(baseDir, outAbs, configuredModelsDirs(options.modelDirs, baseDir));
  const outDir = displayPath(baseDir, outAbs);
  const bundleCacheDir = join(resolve(baseDir, options.cacheDir ?? join('.switchyard', 'cache')), 'bundles');
  const { files, warnings } = await generate({
    models: await readModelSources(baseDir, options.modelDirs, options.modelPackages ?? [], bundleCacheDir),
    availableSteps: Object.keys(STEP_FACTORIES),
    outDir,
    strict: options.strict ?? false,
  });
  const abs = (path: string): string => resolve(baseDir, path);
  const read = (path: string): string | undefined => (existsSync(abs(path)) ? readFileSync(abs(path), 'utf8') : undefined);
  const drift = compareGenerated(files, read, listFiles(outAbs).map((f) => displayPath(baseDir, f)));
  const written: string[] = [];
  if (!options.check && hasDrift(drift)) {
    for (const file of files) {
      if (drift.stale.includes(file.path) || drift.missing.includes(file.path)) {
        await options.write?.(abs(file.path), file.contents);
        written.push(file.path);
      }
    }
    for (const path of drift.extra) await options.remove?.(abs(path));
  }
  return { files, drift, written, outDir, warnings };
}
