import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { findPackageRoot, MetadataInvalidError, STEP_FACTORIES, SwitchyardError, type MetadataIssue } from '@switchyard/core';
import { compareGenerated, hasDrift, type GeneratedDrift } from './check-generated.js';
import { DEFAULT_OUT_DIR, generate, type GeneratedFile, type ModelSource } from './generate.js';

export interface CodegenOptions {
  /** The folder of the app's switchyard.config.yaml: every relative path resolves against it. */
  readonly baseDir: string;
  /** Folders holding `<id>/model_metadata.json` (`models.dirs`), relative to baseDir or absolute. Default `['models']`. */
  readonly modelDirs?: readonly string[];
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

function readJson(file: string, shown: string, issues: MetadataIssue[]): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    issues.push({ file: shown, pointer: '', message: `is not valid JSON: ${(cause as Error).message}` });
    return undefined;
  }
}

/** Reads every model of the model dirs and packs (invalid JSON and missing packs become located issues). */
export function readModelSources(baseDir: string, modelDirs: readonly string[], modelPackages: readonly string[]): ModelSource[] {
  const models: ModelSource[] = [];
  const issues: MetadataIssue[] = [];
  for (const dir of modelDirs) {
    const base = resolve(baseDir, dir);
    if (!existsSync(base) || !statSync(base).isDirectory()) {
      throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `models dir ${dir} does not exist (${base})`, details: { file: base } });
    }
    for (const name of readdirSync(base).sort()) {
      const folder = join(base, name);
      const file = join(folder, 'model_metadata.json');
      if (!existsSync(file)) continue;
      const shown = displayPath(baseDir, file);
      const metadata = readJson(file, shown, issues);
      if (metadata !== undefined) models.push({ file: shown, ref: { dir: toPosix(relative(baseDir, folder)) || '.' }, root: folder, folderName: name, metadata });
    }
  }
  for (const name of modelPackages) {
    const root = findPackageRoot(name, [baseDir]);
    if (!root) throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `model pack '${name}' (models.packages) is not installed: run npm install ${name}`, details: { package: name } });
    const file = join(root, 'model_metadata.json');
    const shown = `${name}/model_metadata.json`;
    if (!existsSync(file)) {
      issues.push({ file: shown, pointer: '', message: `is missing: a model pack holds model_metadata.json at its root (${displayPath(baseDir, root)})` });
      continue;
    }
    const metadata = readJson(file, shown, issues);
    if (metadata !== undefined) models.push({ file: shown, ref: { package: name }, root, metadata });
  }
  if (issues.length) throw new MetadataInvalidError({ issues });
  return models;
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
  const modelDirs = options.modelDirs ?? ['models'];
  const outAbs = resolve(baseDir, options.outDir ?? DEFAULT_OUT_DIR);
  checkOutDir(baseDir, outAbs, modelDirs);
  const outDir = displayPath(baseDir, outAbs);
  const { files, warnings } = await generate({
    models: readModelSources(baseDir, modelDirs, options.modelPackages ?? []),
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
