import { Ajv, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '@switchyard/spec';
import type { ConfigSource } from '../config/config-source.js';
import { formatIssue, toConfigIssues } from '../config/schema-issues.js';
import { SwitchyardError } from '@switchyard/spec';

// One Ajv per process for plugin schemas; compiled validators are cached by schema object identity.
const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false });
const cache = new WeakMap<object, ValidateFunction>();

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
  let validate = cache.get(schema);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new SwitchyardError({
        code: 'PLUGIN_LOAD_FAILED',
        message: `plugin '${pluginName}' has an invalid configSchema: ${(error as Error).message}`,
        details: { plugin: pluginName },
        cause: error,
      });
    }
    cache.set(schema, validate);
  }
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
