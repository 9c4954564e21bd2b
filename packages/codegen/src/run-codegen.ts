import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILE_NAMES, configuredModelsDirs, DirectoryModelCatalog, MetadataInvalidError, modelBundleCacheDir, STEP_FACTORIES, SwitchyardError, type MetadataIssue } from '@switchyard/core';
import { compareGenerated, foreignFiles, hasDrift, type GeneratedDrift } from './check-generated.js';
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
  /** The config file codegen read (absolute, or relative to baseDir): an output folder holding it is refused. */
  readonly configFile?: string;
  /** Compare only. */
  readonly check?: boolean;
  /** Unknown metadata fields are errors instead of warnings. */
  readonly strict?: boolean;
  /** Writes one file, given its absolute path (the CLI passes a real writer; --check never calls it). */
  readonly write?: (path: string, contents: string) => Promise<void>;
  /** Removes a file codegen generated before (its banner is its first line) but no longer writes, given its absolute path. */
  readonly remove?: (path: string) => Promise<void>;
  /**
   * How the report and the messages name a path, given it absolute (the CLI: relative to the current folder, or
   * absolute where the user typed an absolute path). Default displayPath(baseDir, path). A pack's model file stays
   * `<pack>/model_metadata.json`.
   */
  readonly shown?: (absolute: string) => string;
}

export interface CodegenReport {
  /** Generated files, paths as shown (CodegenOptions.shown). */
  readonly files: readonly GeneratedFile[];
  readonly drift: GeneratedDrift;
  readonly written: readonly string[];
  /** The output folder as shown. */
  readonly outDir: string;
  /** Unknown or unused metadata fields (each located by file and pointer). */
  readonly warnings: readonly MetadataIssue[];
  /** Files in the output folder that codegen did not write (no banner), as shown: left as they are. */
  readonly foreign: readonly string[];
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** A path as messages show it: relative to the config folder (POSIX), or absolute when outside it. */
export function displayPath(baseDir: string, absolute: string): string {
  const rel = relative(baseDir, absolute);
  return rel === '' ? '.' : isAbsolute(rel) ? toPosix(absolute) : toPosix(rel);
}

/**
 * Reads every model of the model dirs and packs, found the way the runtime finds them (core's DirectoryModelCatalog:
 * folders of model folders, model folders, `.xyb` bundles, packs). A file that cannot be read as a model (invalid
 * JSON, no model_id, a model_id that is not its folder's name) is a located issue, returned beside the models read,
 * so the checks of the others still run and every problem is reported at once; a pack not installed, or a listed dir
 * that does not exist, is an error. Bundles are opened into `bundleCacheDir`.
 */
export async function readModelSources(
  baseDir: string,
  modelDirs: readonly string[] | undefined,
  modelPackages: readonly string[],
  bundleCacheDir: string = modelBundleCacheDir(baseDir),
): Promise<{ models: ModelSource[]; issues: MetadataIssue[] }> {
  const catalog = new DirectoryModelCatalog({ ...(modelDirs ? { dirs: modelDirs } : {}), packages: modelPackages, baseDir });
  await catalog.openBundles({ cacheDir: bundleCacheDir });
  const { models, issues } = catalog.list();
  const sources = models.map((model): ModelSource => {
    const { origin } = model;
    const ref: ModelSource['ref'] =
      origin.kind === 'package' ? { package: origin.name } : origin.kind === 'bundle' ? { bundle: toPosix(relative(baseDir, origin.entry)) } : { dir: toPosix(relative(baseDir, model.dir)) || '.' };
    const metadataSha256 = createHash('sha256').update(readFileSync(join(model.dir, 'model_metadata.json'))).digest('hex');
    return { file: model.file, ref, root: model.dir, ...(origin.kind === 'dir' ? { folderName: origin.folder } : {}), metadata: model.metadata, metadataSha256 };
  });
  return { models: sources, issues };
}

/** Names in an output folder that say it is not codegen's own folder (an app, a package, a model). */
const APP_FILES = new Set<string>(['package.json', 'node_modules', 'model_metadata.json', ...CONFIG_FILE_NAMES]);

/** Reads the first bytes of a file: enough to see codegen's banner without reading the app's large files. */
function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The files under the output folder (symlinks are not followed: codegen never writes one), and the app's own things
 * found there (package.json, node_modules, a config file, a model's metadata), which make it no folder for codegen.
 * `deep: false` looks at the folder's own entries only.
 */
function scanOutDir(outAbs: string, deep: boolean): { files: string[]; appFiles: string[] } {
  const files: string[] = [];
  const appFiles: string[] = [];
  if (!existsSync(outAbs)) return { files, appFiles };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (APP_FILES.has(entry.name)) appFiles.push(full);
      if (entry.isDirectory() && deep && entry.name !== 'node_modules') walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  walk(outAbs);
  return { files: files.sort(), appFiles: appFiles.sort() };
}

const isInside = (dir: string, path: string): boolean => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** At most `max` names, then how many more (a folder with hundreds of files stays one readable line). */
function someOf(names: readonly string[], max = 5): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

/** An error about the output folder: named by --out (the CLI) or at /codegen/out in the config. */
function outDirError(shown: (absolute: string) => string, outAbs: string, why: string): SwitchyardError {
  return new SwitchyardError({
    code: 'CONFIG_INVALID',
    message: `codegen output ${shown(outAbs)} ${why}`,
    details: { outDir: outAbs, pointer: '/codegen/out' },
  });
}

/**
 * Refuses, before anything is read or written, an output folder codegen must not own: one inside a dependency
 * (node_modules) or a models dir, and one that is or holds the app itself (its folder, config, package.json,
 * node_modules, models), since codegen removes the files it generated there and no longer writes. Returns the files
 * under the folder.
 */
function checkOutDir(baseDir: string, outAbs: string, modelDirs: readonly string[], configFile: string | undefined, shownDir: (absolute: string) => string): string[] {
  const parts = toPosix(outAbs).split('/');
  const modelsDirs = modelDirs.map((d) => resolve(baseDir, d));
  if (parts.includes('node_modules') || modelsDirs.some((d) => isInside(d, outAbs))) {
    throw outDirError(shownDir, outAbs, `is inside ${parts.includes('node_modules') ? 'node_modules' : 'a models dir'}: generate into the app's own source (e.g. ${DEFAULT_OUT_DIR})`);
  }
  const app = outAbs === baseDir ? `is the app's folder (${configFile ? `the folder of ${shownDir(configFile)}` : 'the current folder'})` : isInside(outAbs, baseDir) ? "holds the app's folder" : undefined;
  // The app's folder (or one above it) is refused from its own entries: no walk through the whole tree.
  const { files, appFiles } = scanOutDir(outAbs, app === undefined);
  const holds = [
    ...new Set([
      ...(configFile !== undefined && isInside(outAbs, configFile) ? [shownDir(configFile)] : []),
      ...appFiles.map(shownDir),
      ...modelsDirs.filter((d) => isInside(outAbs, d)).map((d) => `${shownDir(d)} (a models dir)`),
    ]),
  ];
  if (app || holds.length) {
    const what = [app, holds.length ? `holds ${someOf(holds)}` : undefined].filter(Boolean).join(' and ');
    throw outDirError(shownDir, outAbs, `${what}: codegen removes the files it generated there, so give it a folder of its own (e.g. ${DEFAULT_OUT_DIR})`);
  }
  return files;
}

/**
 * Generates in memory, compares with the disk, and (unless check) hands changed files to `write` and the files it
 * generated before but no longer writes to `remove`. Files in the output folder that codegen did not write (no
 * banner) are left alone and reported as `foreign`; one where codegen would write is an error, before any write.
 */
export async function runCodegen(options: CodegenOptions): Promise<CodegenReport> {
  const baseDir = resolve(options.baseDir);
  const shownAbs = options.shown ?? ((path: string): string => displayPath(baseDir, path));
  const outAbs = resolve(baseDir, options.outDir ?? DEFAULT_OUT_DIR);
  const onDisk = checkOutDir(baseDir, outAbs, configuredModelsDirs(options.modelDirs, baseDir), options.configFile && resolve(baseDir, options.configFile), shownAbs);
  // Inside, paths are displayPath(baseDir, ·) (what generate and the drift compare take); `shown` names them outside.
  const outDir = displayPath(baseDir, outAbs);
  const abs = (path: string): string => resolve(baseDir, path);
  const shown = (path: string): string => shownAbs(abs(path));
  const packages = options.modelPackages ?? [];
  const shownIssue = (issue: MetadataIssue): MetadataIssue => (packages.some((name) => issue.file.startsWith(`${name}/`)) ? issue : { ...issue, file: shown(issue.file) });
  const bundleCacheDir = modelBundleCacheDir(baseDir, options.cacheDir);
  const { models, issues } = await readModelSources(baseDir, options.modelDirs, packages, bundleCacheDir);
  const { files, warnings } = await generate({ models, readIssues: issues, availableSteps: Object.keys(STEP_FACTORIES), outDir, strict: options.strict ?? false }).catch(
    (error: unknown) => {
      throw MetadataInvalidError.isInstance(error) ? new MetadataInvalidError({ issues: error.issues.map(shownIssue), cause: error }) : error;
    },
  );
  const read = (path: string): string | undefined => (existsSync(abs(path)) ? readFileSync(abs(path), 'utf8') : undefined);
  const existing = onDisk.map((file) => ({ path: displayPath(baseDir, file), head: readHead(file) }));
  const foreign = foreignFiles(existing, outDir);
  const wanted = new Set(files.map((f) => f.path));
  const clobbered = foreign.filter((path) => wanted.has(path));
  if (clobbered.length) {
    const [one, more] = [clobbered.length === 1, someOf(clobbered.map(shown))];
    throw outDirError(
      shownAbs,
      outAbs,
      `holds ${more}, which codegen did not write (${one ? 'its' : 'their'} first line is not codegen's banner) and would replace: move ${one ? 'it' : 'them'}, or give codegen a folder of its own (e.g. ${DEFAULT_OUT_DIR})`,
    );
  }
  const drift = compareGenerated(files, read, existing, outDir);
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
  return {
    files: files.map((file) => ({ ...file, path: shown(file.path) })),
    drift: { stale: drift.stale.map(shown), missing: drift.missing.map(shown), extra: drift.extra.map(shown) },
    written: written.map(shown),
    outDir: shown(outDir),
    warnings: warnings.map(shownIssue),
    foreign: foreign.map(shown),
  };
}
