import type { GeneratedFile } from './generate.js';
import { isWrittenByCodegen } from './generated-banner.js';

export interface GeneratedDrift {
  /** On disk but different from what codegen would write. */
  readonly stale: readonly string[];
  /** Would be written but is not on disk. */
  readonly missing: readonly string[];
  /** Written by codegen (its banner is the first line) under the output folder, but codegen would not write it now. */
  readonly extra: readonly string[];
}

/** A file under the output folder and the start of its text (enough to read the banner). */
export interface ExistingFile {
  readonly path: string;
  readonly head: string;
}

/**
 * Whether a file under the output folder `outDir` is one codegen generated there: where it writes (index.ts,
 * registry.ts, pipelines/<id>.ts) and with its banner as the first line. Nothing else is ever extra or removed.
 */
export function isGeneratedOutput(outDir: string, file: ExistingFile): boolean {
  const rel = file.path.startsWith(`${outDir}/`) ? file.path.slice(outDir.length + 1) : undefined;
  const where = rel === 'index.ts' || rel === 'registry.ts' || (rel !== undefined && /^pipelines\/[^/]+\.ts$/.test(rel));
  return where && isWrittenByCodegen(file.head);
}

/**
 * Compares generated files with what is on disk (pure: the caller reads the disk). `existing` lists the files under
 * the output folder `outDir` (paths as shown): those codegen generated there and would not write now (a deleted
 * model's pipeline) are extra; the app's own files are never extra.
 */
export function compareGenerated(
  files: readonly GeneratedFile[],
  read: (path: string) => string | undefined,
  existing: readonly ExistingFile[],
  outDir: string,
): GeneratedDrift {
  const stale: string[] = [];
  const missing: string[] = [];
  for (const file of files) {
    const current = read(file.path);
    if (current === undefined) missing.push(file.path);
    else if (current !== file.contents) stale.push(file.path);
  }
  const wanted = new Set(files.map((f) => f.path));
  const extra = existing.filter((f) => isGeneratedOutput(outDir, f) && !wanted.has(f.path)).map((f) => f.path).sort();
  return { stale, missing, extra };
}

/**
 * The files under the output folder `outDir` that codegen did not generate there: it never changes or removes them,
 * and `--check` fails while they are there (the folder is codegen's). Hidden files (`.gitkeep`, `.DS_Store`) do not count.
 */
export function foreignFiles(existing: readonly ExistingFile[], outDir: string): string[] {
  return existing.filter((f) => !isGeneratedOutput(outDir, f) && !f.path.split('/').pop()!.startsWith('.')).map((f) => f.path).sort();
}

export function hasDrift(drift: GeneratedDrift): boolean {
  return drift.stale.length + drift.missing.length + drift.extra.length > 0;
}
