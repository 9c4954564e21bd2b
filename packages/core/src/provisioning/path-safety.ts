import { realpath } from 'node:fs/promises';
import { relative, resolve, isAbsolute, sep } from 'node:path';
import { SwitchyardError } from '@switchyard/spec';

/**
 * The one check for paths that model metadata and catalog entries may name (`files`, `sources/*\/path`): a
 * relative path that stays inside its folder. Returns why a path is unsafe, or undefined when it is safe.
 */
export function unsafePathReason(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 1024) return 'must be at most 1024 characters';
  if (value.includes('\0')) return 'must not contain a NUL byte';
  if (value.includes('\\')) return 'must use / as separator (no backslash)';
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value) || isAbsolute(value)) return 'must be a relative path (absolute paths are not allowed)';
  if (value.split('/').some((segment) => segment === '..')) return 'must not contain a ".." segment';
  return undefined;
}

/** Throws METADATA_INVALID `<where>: <pointer> must ... (found "...")` for an unsafe path. */
export function assertSafeModelPath(value: string, where: string, pointer: string): void {
  const reason = unsafePathReason(value);
  if (reason === undefined) return;
  throw new SwitchyardError({
    code: 'METADATA_INVALID',
    message: `${where}: ${pointer} ${reason} (found ${JSON.stringify(value.slice(0, 120))})`,
    details: { file: where, pointer, expected: 'a relative path inside the model folder', found: value.slice(0, 120) },
  });
}

/** True when `path` (after resolving symlinks) lies inside one of `roots` (also resolved). */
export async function isInsideRoots(path: string, roots: readonly string[]): Promise<boolean> {
  const real = await realpath(path).catch(() => resolve(path));
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => resolve(root));
    const rel = relative(realRoot, real);
    if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return true;
  }
  return false;
}
