import { Ajv, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '@switchyard/spec';
import type { ConfigSource } from '../config/config-source.js';
import { formatIssue, toConfigIssues } from '../config/schema-issues.js';
import { SwitchyardError } from '@switchyard/spec';

// One Ajv per process for each way options are checked (defaults applied: plugin options; not: model options),
// compiled validators cached by schema object identity.
const compilers = {
  withDefaults: { ajv: new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false }), cache: new WeakMap<object, ValidateFunction>() },
  asWritten: { ajv: new Ajv({ allErrors: true, verbose: true, strict: false }), cache: new WeakMap<object, ValidateFunction>() },
};

/**
 * The validator of an options schema a plugin or engine declares (`configSchema`, `modelOptionsSchema`), compiled once
 * per schema; a schema that does not compile is PLUGIN_LOAD_FAILED, its message led by `owner`.
 */
export function compileOptionsSchema(schema: JsonSchema, options: { readonly applyDefaults: boolean; readonly owner: string; readonly details: Record<string, unknown> }): ValidateFunction {
  const { ajv, cache } = options.applyDefaults ? compilers.withDefaults : compilers.asWritten;
  let validate = cache.get(schema);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new SwitchyardError({ code: 'PLUGIN_LOAD_FAILED', message: `${options.owner}: ${(error as Error).message}`, details: options.details, cause: error });
    }
    cache.set(schema, validate);
  }
  return validate;
}

export interface OptionsLocation {
  readonly file?: string;
  /** Pointer of the options object in the config file, e.g. `/plugins/2/options`. */
  readonly pointer?: string;
  readonly source?: ConfigSource;
}

/**
 * Validates a plugin's options against its configSchema and returns a copy with the schema's defaults applied.
 * Failures are PLUGIN_OPTIONS_INVALID naming the plugin, the config file position and the JSON pointer.
 */
export function validatePluginOptions(pluginName: string, schema: JsonSchema, options: unknown, location: OptionsLocation = {}): Record<string, unknown> {
  const validate = compileOptionsSchema(schema, { applyDefaults: true, owner: `plugin '${pluginName}' has an invalid configSchema`, details: { plugin: pluginName } });
  const copy: unknown = structuredClone(options ?? {});
  if (validate(copy)) return copy as Record<string, unknown>;
  const file = location.file ?? `plugin '${pluginName}' options`;
  const issues = toConfigIssues(validate.errors ?? [], {
    file,
    ...(location.pointer !== undefined ? { basePointer: location.pointer } : {}),
    ...(location.source ? { source: location.source } : {}),
  });
  throw new SwitchyardError({
    code: 'PLUGIN_OPTIONS_INVALID',
    message:
      issues.length === 1
        ? `${formatIssue(issues[0]!)} (invalid options for plugin '${pluginName}')`
        : `Invalid options for plugin '${pluginName}':\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    details: { plugin: pluginName, errors: issues, ...(location.file !== undefined ? { file: location.file } : {}) },
  });
}
