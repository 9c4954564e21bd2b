export * from './config-types.js';
export { CONFIG_SCHEMA } from './config-schema.js';
export { parseConfigText, decodePointer, encodePointer, type ConfigSource } from './config-source.js';
export { interpolateEnv, envMissingError, type InterpolationResult } from './env-interpolation.js';
export { validateConfig, type ValidateConfigOptions } from './config-validator.js';
export { formatIssue, toConfigIssues, type IssueContext } from './schema-issues.js';
export { CONFIG_FILE_NAMES, loadConfig, parseConfig, resolveConfigFile, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { assertPluginManifest, importPlugin, loadConfiguredPlugins, resolvePluginSpecifier, type PluginSpec } from './plugin-loader.js';
