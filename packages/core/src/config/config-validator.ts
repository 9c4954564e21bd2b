import { Ajv, type ValidateFunction } from 'ajv';
import { SwitchyardError } from '@switchyard/spec';
import type { ConfigSource } from './config-source.js';
import { encodePointer } from './config-source.js';
import { CONFIG_SCHEMA } from './config-schema.js';
import { envMissingError } from './env-interpolation.js';
import type { ConfigIssue, SwitchyardConfig } from './config-types.js';
import { formatIssue, toConfigIssues } from './schema-issues.js';

let compiled: ValidateFunction | undefined;

function configValidator(): ValidateFunction {
  // allErrors: report every problem in one pass; verbose: keep data/parentSchema for "found"/"expected".
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(CONFIG_SCHEMA);
  return compiled;
}

export interface ValidateConfigOptions {
  readonly file?: string;
  readonly source?: ConfigSource;
  readonly secretPointers?: ReadonlySet<string>;
  /** Unset `${env:NAME}` references (from interpolateEnv): CONFIG_ENV_MISSING alone, or listed with schema errors. */
  readonly envIssues?: readonly ConfigIssue[];
}

/** Checks that JSON Schema cannot express: a plugin entry needs exactly one of `package`/`name`. */
function entryIssues(value: unknown, options: ValidateConfigOptions, file: string): ConfigIssue[] {
  const plugins = (value as { plugins?: unknown }).plugins;
  if (!Array.isArray(plugins)) return [];
  const issues: ConfigIssue[] = [];
  plugins.forEach((entry, index) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return;
    const { package: pkg, name } = entry as { package?: unknown; name?: unknown };
    let found: string | undefined;
    if (pkg === undefined && name === undefined) found = 'an entry with neither';
    else if (pkg !== undefined && name !== undefined && pkg !== name) found = 'both, naming different packages';
    if (!found) return;
    const pointer = encodePointer(['plugins', index]);
    const position = options.source?.locate(pointer);
    const expected = 'exactly one of "package" or "name" (the plugin package to import)';
    issues.push({ file, pointer, expected, found, message: `expected ${expected}, found ${found}`, ...(position ? { line: position.line, column: position.column } : {}) });
  });
  return issues;
}

/** Validates a config value against schemas/config.schema.json; every problem is reported in one CONFIG_INVALID. */
export function validateConfig(value: unknown, options: ValidateConfigOptions = {}): SwitchyardConfig {
  const file = options.file ?? options.source?.file ?? '<config>';
  const validate = configValidator();
  const issues: ConfigIssue[] = [];
  if (!validate(value)) {
    issues.push(...toConfigIssues(validate.errors ?? [], { file, ...(options.source ? { source: options.source } : {}), ...(options.secretPointers ? { secretPointers: options.secretPointers } : {}) }));
  }
  if (value && typeof value === 'object') issues.push(...entryIssues(value, options, file));
  const envIssues = options.envIssues ?? [];
  if (issues.length === 0 && envIssues.length > 0) throw envMissingError(file, envIssues);
  issues.push(...envIssues);
  if (issues.length > 0) {
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    // One problem = one located line; several = a heading and one line each.
    const message = issues.length === 1 ? formatIssue(issues[0]!) : `Invalid config ${file} (${issues.length} errors):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`;
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message,
      details: { file, errors: issues },
    });
  }
  return value as SwitchyardConfig;
}
