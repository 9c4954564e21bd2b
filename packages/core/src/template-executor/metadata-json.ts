import { statSync } from 'node:fs';
import { MetadataInvalidError, type MetadataIssue } from './metadata-invalid-error.js';

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * The issue of a model_metadata.json that JSON.parse refused: where (line, column; never a character offset) and
 * why, the file as messages show it.
 */
export function invalidJsonIssue(text: string, error: unknown, file: string): MetadataIssue {
  const raw = error instanceof Error ? error.message : String(error);
  const offset = /at position (\d+)/.exec(raw);
  const reason = raw.replace(/\s*(in JSON )?at position \d+.*$/s, '').replace(/^JSON\.parse: /, '') || 'unexpected input';
  const at = offset ? lineColumn(text, Number(offset[1])) : /^Unexpected end of JSON input/.test(raw) ? lineColumn(text, text.length) : undefined;
  return { file, pointer: '', message: `is not valid JSON${at ? ` at line ${at.line}, column ${at.column}` : ''}: ${reason}` };
}

/** Parses a model_metadata.json's text: invalid JSON is METADATA_INVALID located by file, line and column. */
export function parseMetadataJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new MetadataInvalidError({ issues: [invalidJsonIssue(text, cause, file)], cause });
  }
}

/**
 * METADATA_INVALID when `file` (shown as `shown`) is a folder: a model_metadata.json must be a file, and reading a
 * folder would fail as an unlocated EISDIR.
 */
export function refuseMetadataFolder(file: string, shown: string): void {
  let folder = false;
  try {
    folder = statSync(file).isDirectory();
  } catch {
    return; // absent or unreadable: the read says so
  }
  if (folder) throw new MetadataInvalidError({ issues: [{ file: shown, pointer: '', message: 'is a folder, not a file', expected: 'a model_metadata.json file', found: 'a folder' }] });
}
