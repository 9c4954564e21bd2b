import type { EngineV1 } from '../engine/v1/engine-v1.js';

/** A JSON Schema object (draft 2020-12 or draft-07), checked with ajv. */
export type JsonSchema = Record<string, unknown>;

/** Minimal structured logger handed to plugins (a pino child logger satisfies it). */
export interface PluginLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** The DI surface a plugin sees; a thin view over the app's child container. */
export interface PluginContainer {
  isRegistered(token: symbol): boolean;
  registerInstance<T>(token: symbol, value: T): void;
  resolve<T>(token: symbol): T;
  resolveAll<T>(token: symbol): T[];
}

export interface PluginContext<Options = Record<string, unknown>> {
  /** Options from config, already validated against the plugin's configSchema (defaults applied). */
  readonly options: Options;
  readonly coreVersion: string;
  readonly logger: PluginLogger;
  readonly container: PluginContainer;
  /** Registers an engine; refused with PLUGIN_REGISTRATION_CONFLICT if another plugin owns the id. */
  registerEngine(engine: EngineV1): void;
  /** Directory of the config file (for resolving relative paths in options). */
  readonly baseDir: string;
}

/**
 * A plugin manifest. Packages export it as `default` (and may export a factory too).
 * Lifecycle: register (in dependency order) -> initialize (dependency order) -> ... -> shutdown (reverse).
 */
export interface SwitchyardPlugin<Options = Record<string, unknown>> {
  readonly name: string;
  readonly version: string;
  /** Semver range of @switchyard/core this plugin works with, e.g. `^0.1.0`. */
  readonly core: string;
  /** Names of plugins that must be registered first. */
  readonly dependsOn?: readonly string[];
  readonly configSchema: JsonSchema;
  register(context: PluginContext<Options>): void | Promise<void>;
  initialize?(context: PluginContext<Options>): void | Promise<void>;
  shutdown?(): void | Promise<void>;
}

/** Identity helper that gives plugin authors type inference for their options. */
export function definePlugin<Options>(plugin: SwitchyardPlugin<Options>): SwitchyardPlugin<Options> {
  return plugin;
}
