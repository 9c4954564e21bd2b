import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { SwitchyardError } from '@switchyard/spec';
import type { ConfigSource } from './config-source.js';
import { parseConfigText } from './config-source.js';
import type { SwitchyardConfig } from './config-types.js';
import { validateConfig } from './config-validator.js';
import { interpolateEnv } from './env-interpolation.js';

/** Looked up in this order when a directory is given. */
export const CONFIG_FILE_NAMES = ['switchyard.config.yaml', 'switchyard.config.yml', 'switchyard.config.json'] as const;

export interface LoadedConfig {
  readonly config: SwitchyardConfig;
  /** Absolute path of the config file. */
  readonly file: string;
  /** The file as messages name it: `file`, or relative to `relativeTo` when that was given. */
  readonly shownAs: string;
  /** Directory of the config file: plugin paths and model dirs resolve against it. */
  readonly baseDir: string;
  readonly source: ConfigSource;
  /** Pointers whose values came from `${env:...}` (secrets: never print them). */
  readonly secretPointers: ReadonlySet<string>;
}

export interface LoadConfigOptions {
  /** Environment for `${env:NAME}` (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Leave unset `${env:NAME}` references in place instead of failing (e.g. validating in CI without secrets). */
  readonly allowMissingEnv?: boolean;
  /** Messages name the file relative to this folder (e.g. the current one, where the user typed a relative path). */
  readonly relativeTo?: string;
}

/** A path as messages name it: relative to `relativeTo` when given (the folder itself as `.`), else absolute. */
function shownPath(absolute: string, relativeTo: string | undefined): string {
  return relativeTo === undefined ? absolute : relative(relativeTo, absolute) || '.';
}

/**
 * Resolves a config path: a file as is, a directory to the first CONFIG_FILE_NAMES entry in it. Errors name the path
 * relative to `relativeTo` when given; `details.file` stays absolute.
 */
export async function resolveConfigFile(pathOrDir: string, options: { readonly relativeTo?: string } = {}): Promise<string> {
  const absolute = resolve(pathOrDir);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isFile()) return absolute;
  if (info?.isDirectory()) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(absolute, name);
      if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
    }
    throw new SwitchyardError({
      code: 'CONFIG_NOT_FOUND',
      message: `No config file in ${shownPath(absolute, options.relativeTo)} (looked for ${CONFIG_FILE_NAMES.join(', ')})`,
      details: { file: absolute },
    });
  }
  throw new SwitchyardError({ code: 'CONFIG_NOT_FOUND', message: `Config file ${shownPath(absolute, options.relativeTo)} does not exist`, details: { file: absolute } });
}

/** Reads a resolved config file; a failure is CONFIG_NOT_FOUND naming it as `shown` (the system's message names it absolute). */
export async function readConfigText(file: string, shown: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SwitchyardError({ code: 'CONFIG_NOT_FOUND', message: `Cannot read config file ${shown}: ${code ?? (error as Error).message}`, details: { file }, cause: error });
  }
}

/** Parses config text (YAML or JSON by the file's extension), interpolates env and validates. */
export function parseConfig(file: string, text: string, options: LoadConfigOptions = {}): LoadedConfig {
  const source = parseConfigText(file, text);
  const { value, interpolated, missing } = interpolateEnv(source, options.env ?? process.env);
  const config = validateConfig(value, { file, source, secretPointers: interpolated, envIssues: options.allowMissingEnv ? [] : missing });
  return { config, file, shownAs: file, baseDir: dirname(file), source, secretPointers: interpolated };
}

/** Reads and validates `switchyard.config.yaml|.yml|.json` (a file path or a directory holding one). */
export async function loadConfig(pathOrDir: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const file = await resolveConfigFile(pathOrDir, options);
  const text = await readConfigText(file, shownPath(file, options.relativeTo));
  if (options.relativeTo === undefined) return parseConfig(file, text, options);
  // Parsed under the name messages use; the file and the folder paths resolve against stay absolute.
  const parsed = parseConfig(shownPath(file, options.relativeTo), text, options);
  return { ...parsed, file, baseDir: dirname(file) };
}
