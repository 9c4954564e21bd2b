import type { GeneratedFile } from './generate.js';

export interface GeneratedDrift {
  /** On disk but different from what codegen would write. */
  readonly stale: readonly string[];
  /** Would be written but is not on disk. */
  readonly missing: readonly string[];
  /** On disk under the generated dir but codegen would not write it. */
  readonly extra: readonly string[];
}

/**
 * Compares generated files with what is on disk (pure: the caller reads the disk). `existing` lists files currently
 * under the generated output directory, so leftovers of deleted models show up as extra.
 */
export function compareGenerated(
  files: readonly GeneratedFile[],
  read: (path: string) => string | undefined,
  existing: readonly string[],
): GeneratedDrift {
  const stale: string[] = [];
  const missing: string[] = [];
  for (const file of files) {
    const current = read(file.path);
    if (current === undefined) missing.push(file.path);
    else if (current !== file.contents) stale.push(file.path);
  }
  const wanted = new Set(files.map((f) => f.path));
  const extra = existing.filter((path) => !wanted.has(path)).sort();
  return { stale, missing, extra };
}

export function hasDrift(drift: GeneratedDrift): boolean {
  return drift.stale.length + drift.missing.length + drift.extra.length > 0;
}
