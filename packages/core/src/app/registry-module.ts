import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const EXPECTED = 'a compiled .js or .mjs module exporting the generated registry (`npx switchyard codegen`, then build it)';
const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);
/** TypeScript sources: imported when Node runs under a TypeScript loader (tsx, ts-node), else refused with how to fix it. */
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** Absolute paths and file URLs in an import error, shown relative to the config's folder (never the server's layout). */
function withoutAbsolutePaths(text: string, baseDir: string): string {
  return text.replace(/(?<=^|[\s'"(])(?:file:\/\/)?(\/[^\s'"`()]+)/g, (whole, path: string) => {
    const absolute = whole.startsWith('file://') ? fileURLToPath(whole) : path;
    const shown = relative(baseDir, absolute);
    return shown === '' ? '.' : shown.startsWith(`..${sep}..${sep}`) || isAbsolute(shown) ? absolute.split(sep).pop()! : shown;
  });
}

/**
 * Imports the module `models.registry` names (as written, relative to the config file's folder). A problem is
 * reported through `invalid` naming the path as written and what is expected; never an absolute path.
 */
export async function importRegistryModule(path: string, baseDir: string, invalid: (message: string, cause?: unknown) => Error): Promise<Record<string, unknown>> {
  const absolute = resolve(baseDir, path);
  if (!existsSync(absolute)) throw invalid(`'${path}' does not exist (relative to the config file's folder); expected ${EXPECTED}`);
  if (statSync(absolute).isDirectory()) throw invalid(`'${path}' is a folder; expected ${EXPECTED}`);
  const extension = extname(absolute);
  if (!MODULE_EXTENSIONS.has(extension) && !TYPESCRIPT_EXTENSIONS.has(extension)) throw invalid(`'${path}' is not a compiled module (found ${extension === '' ? 'no file extension' : `a ${extension} file`}); expected ${EXPECTED}`);
  try {
    return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    if (TYPESCRIPT_EXTENSIONS.has(extension) && (error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw invalid(`'${path}' is TypeScript, which this Node process cannot import (no TypeScript loader such as tsx); expected ${EXPECTED}`, error);
    }
    const message = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
    throw invalid(`cannot import '${path}' (relative to the config file's folder): ${withoutAbsolutePaths(message, baseDir).slice(0, 300)}; expected ${EXPECTED}`, error);
  }
}
