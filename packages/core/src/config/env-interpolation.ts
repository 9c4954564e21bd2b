import { SwitchyardError } from '@switchyard/spec';
import type { ConfigSource } from './config-source.js';
import type { ConfigIssue } from './config-types.js';
import { encodePointer } from './config-source.js';

const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const MALFORMED = /\$\{env:(?![A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})/;

export interface InterpolationResult {
  readonly value: unknown;
  /** Pointers of strings that took a value from the environment (their values are secrets: never print them). */
  readonly interpolated: ReadonlySet<string>;
  /** Unset variables without a default (their references are left in place), one issue each. */
  readonly missing: readonly ConfigIssue[];
}

/**
 * Replaces `${env:NAME}` and `${env:NAME:-default}` inside every string of the config.
 * Unset variables without a default are returned as issues (the caller raises CONFIG_ENV_MISSING naming each
 * variable with its file, line and pointer); a malformed reference is CONFIG_INVALID.
 */
export function interpolateEnv(source: ConfigSource, env: Readonly<Record<string, string | undefined>>): InterpolationResult {
  const interpolated = new Set<string>();
  const missing: { name: string; pointer: string }[] = [];

  const visit = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('${env:')) return value;
      const pointer = encodePointer(path);
      if (MALFORMED.test(value)) {
        throw malformed(source, pointer, `expected \${env:NAME} or \${env:NAME:-default}, found malformed reference "${value}"`);
      }
      interpolated.add(pointer);
      return value.replace(REFERENCE, (match, name: string, fallback: string | undefined) => {
        const found = env[name];
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        missing.push({ name, pointer });
        return match; // kept so schema checks do not report a second, misleading problem
      });
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, i]));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = visit(item, [...path, key]);
      return out;
    }
    return value;
  };

  const value = visit(source.value, []);
  return {
    value,
    interpolated,
    missing: missing.map(({ name, pointer }) => {
      const position = source.locate(pointer);
      const expected = `environment variable ${name} to be set`;
      return { file: source.file, pointer, expected, found: 'it unset', message: `environment variable ${name} is not set`, variable: name, ...(position ? { line: position.line, column: position.column } : {}) };
    }),
  };
}

/** CONFIG_ENV_MISSING for the unset variables found by interpolateEnv. */
export function envMissingError(file: string, missing: readonly ConfigIssue[]): SwitchyardError {
  const names = [...new Set(missing.map((m) => m.variable ?? ''))];
  const lines = missing.map((m) => `${m.line !== undefined ? `${m.file}:${m.line}:${m.column}` : m.file}: ${m.pointer}: ${m.message}`);
  return new SwitchyardError({
    code: 'CONFIG_ENV_MISSING',
    message: missing.length === 1 ? lines[0]! : `${missing.length} environment variables are not set:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    details: { file, names, errors: missing },
  });
}

function where(source: ConfigSource, pointer: string): string {
  const position = source.locate(pointer);
  return position ? `${source.file}:${position.line}:${position.column}` : source.file;
}

function malformed(source: ConfigSource, pointer: string, message: string): SwitchyardError {
  const position = source.locate(pointer);
  return new SwitchyardError({
    code: 'CONFIG_INVALID',
    message: `${where(source, pointer)}: ${pointer}: ${message}`,
    details: { file: source.file, pointer, ...(position ? { line: position.line, column: position.column } : {}) },
  });
}
