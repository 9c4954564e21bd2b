import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { STEP_FACTORIES } from '@switchyard/core';
import { MetadataInvalidError, type MetadataIssue } from '@switchyard/core';
import { compareGenerated, hasDrift, type GeneratedDrift } from './check-generated.js';
import { DEFAULT_OUT_DIR, DEFAULT_TYPES_DIR, generate, type GeneratedFile, type GenerateInput } from './generate.js';

export interface CodegenOptions {
  /** Repository root; every other path is relative to it. */
  readonly root: string;
  readonly modelsDir?: string;
  readonly outDir?: string;
  readonly typesDir?: string;
  readonly schemaFile?: string;
  /** Compare only. */
  readonly check?: boolean;
  /** Unknown metadata fields are errors instead of warnings. */
  readonly strict?: boolean;
  /** Writes one file (the CLI passes a real writer; --check never calls it). */
  readonly write?: (path: string, contents: string) => Promise<void>;
  /** Removes a leftover generated file. */
  readonly remove?: (path: string) => Promise<void>;
}

export interface CodegenReport {
  readonly files: readonly GeneratedFile[];
  readonly drift: GeneratedDrift;
  readonly written: readonly string[];
  /** Unknown or unused metadata fields (each located by file and pointer). */
  readonly warnings: readonly MetadataIssue[];
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** Reads `<modelsDir>/*\/model_metadata.json` (invalid JSON becomes a located METADATA_INVALID issue). */
export function readModelsDir(root: string, modelsDir = 'models'): GenerateInput['models'] {
  const base = join(root, modelsDir);
  if (!existsSync(base)) return [];
  const models: { dir: string; metadata: unknown }[] = [];
  const issues = [];
  for (const name of readdirSync(base).sort()) {
    const file = join(base, name, 'model_metadata.json');
    if (!existsSync(file)) continue;
    const dir = toPosix(join(modelsDir, name));
    try {
      models.push({ dir, metadata: JSON.parse(readFileSync(file, 'utf8')) });
    } catch (cause) {
      issues.push({ file: `${dir}/model_metadata.json`, pointer: '', message: `is not valid JSON: ${(cause as Error).message}` });
    }
  }
  if (issues.length) throw new MetadataInvalidError({ issues });
  return models;
}

function listFiles(root: string, dir: string): string[] {
  const base = join(root, dir);
  if (!existsSync(base)) return [];
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push(toPosix(relative(root, full)));
    }
  };
  walk(base);
  return out.sort();
}

/** Generates in memory, compares with the disk, and (unless check) hands changed files to `write`. */
export async function runCodegen(options: CodegenOptions): Promise<CodegenReport> {
  const root = options.root;
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const schema = JSON.parse(readFileSync(join(root, options.schemaFile ?? 'schemas/model-metadata.schema.json'), 'utf8')) as object;
  const { files, warnings } = await generate({
    models: readModelsDir(root, options.modelsDir),
    schemas: { modelMetadata: schema },
    availableSteps: Object.keys(STEP_FACTORIES),
    outDir,
    typesDir: options.typesDir ?? DEFAULT_TYPES_DIR,
    strict: options.strict ?? false,
  });
  const read = (path: string): string | undefined => {
    const full = join(root, path);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
  const drift = compareGenerated(files, read, listFiles(root, outDir));
  const written: string[] = [];
  if (!options.check && hasDrift(drift)) {
    for (const file of files) {
      if (drift.stale.includes(file.path) || drift.missing.includes(file.path)) {
        await options.write?.(file.path, file.contents);
        written.push(file.path);
      }
    }
    for (const path of drift.extra) await options.remove?.(path);
  }
  return { files, drift, written, warnings };
}
