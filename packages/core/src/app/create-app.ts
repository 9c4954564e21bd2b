import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import pino from 'pino';
import type { DependencyContainer } from 'tsyringe';
import type { EngineV1, OrchestratorApi, PluginLogger, SwitchyardPlugin } from '@switchyard/spec';
import type { ConfigIssue, SwitchyardConfig } from '../config/config-types.js';
import { formatIssue } from '../config/schema-issues.js';
import { validateConfig } from '../config/config-validator.js';
import { encodePointer, parseConfigText, type ConfigSource } from '../config/config-source.js';
import { loadConfig, readConfigText, resolveConfigFile } from '../config/load-config.js';
import { loadConfiguredPlugins, type PluginSpec } from '../config/plugin-loader.js';
import { createAppContainer } from '../di/container.js';
import { PluginHost, type LoadedPluginInfo } from '../di/plugin-host.js';
import { NoSuchEngineError, SwitchyardError, TOKENS } from '@switchyard/spec';
import type { ModelCatalog, ModelRegistry } from '../executor/model-catalog.js';
import type { AppExtension } from './app-extension.js';
import { closeMatches } from '../orchestrator/model-names.js';
import { coreAppExtensions } from './core-extensions.js';
import { interpretStaleEntries } from './generated-registry-freshness.js';
import { checkEngineReferences } from './engine-references.js';
import { checkModelOptions } from './model-options.js';
import { importRegistryModule } from './registry-module.js';

export interface CreateSwitchyardAppOptions {
  /**
   * A config file or a directory holding switchyard.config.yaml|.yml|.json. Not with `config`, `configFile` or
   * `baseDir` (the file is the config, names itself and its folder is the base directory).
   */
  readonly configPath?: string;
  /** An in-memory config (validated like a file), instead of `configPath`. */
  readonly config?: SwitchyardConfig;
  /**
   * The file an in-memory `config` was read from (or a folder holding one, resolved like `configPath`), named as the
   * user should see it (relative to the current directory, or absolute): its errors and warnings name this file, at
   * the pointer's line and column (the file is read again for positions only), `app.configFile` is its absolute path
   * and its folder is the default `baseDir`. It must exist and be readable. Default: `<config object>`.
   */
  readonly configFile?: string;
  /** Base directory for relative paths in an in-memory config (default: the folder of `configFile`, else cwd). */
  readonly baseDir?: string;
  /** Plugins passed as code, in addition to the config's; `{ plugin, options }` to give options. */
  readonly plugins?: readonly (SwitchyardPlugin<any> | { readonly plugin: SwitchyardPlugin<any>; readonly options?: Record<string, unknown> })[];
  /** Environment for `${env:NAME}` (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Logger for the app and plugins (default: pino to stderr at config.telemetry.logLevel or 'info'). */
  readonly logger?: PluginLogger;
  /** Extra app extensions, run after CORE_APP_EXTENSIONS. */
  readonly extensions?: readonly AppExtension[];
  /** Parent for the app's child container (default tsyringe's root; never written to). */
  readonly parentContainer?: DependencyContainer;
  /**
   * The app's generated model registry (`npx switchyard codegen`): its models run through their generated
   * pipelines. Same as the config entry `models.registry` (give one, not both).
   */
  readonly registry?: ModelRegistry;
}

export interface SwitchyardApp {
  /** The app's own child container. */
  readonly container: DependencyContainer;
  readonly config: SwitchyardConfig;
  /** Absolute config file path, when loaded from a file. */
  readonly configFile?: string;
  readonly baseDir: string;
  readonly engines: readonly EngineV1[];
  readonly plugins: readonly LoadedPluginInfo[];
  readonly logger: PluginLogger;
  getEngine(id: string): EngineV1;
  /** Resolves a service registered by a plugin or extension, or undefined. */
  tryResolve<T>(token: symbol): T | undefined;
  /** TOKENS.Orchestrator, registered by the orchestrator extension (UNSUPPORTED if none is). */
  readonly orchestrator: OrchestratorApi;
  /** TOKENS.Executor, registered by the executor extension (UNSUPPORTED if none is). */
  readonly executor: unknown;
  /** Shuts extensions down (reverse), then plugins (reverse); safe to call twice. */
  shutdown(): Promise<void>;
}

function defaultLogger(config: SwitchyardConfig): PluginLogger {
  const level = (config.telemetry?.logLevel as string | undefined) ?? 'info';
  return pino({ name: 'switchyard', level }, pino.destination(2));
}

/** An error naming a config pointer (policy, routing, models.dirs...) gets `file:line:col:` in front. */
export function locateConfigError(error: unknown, file: string, source: { locate(pointer: string): { line: number; column: number } | undefined }): unknown {
  if (!SwitchyardError.isInstance(error)) return error;
  const pointer = error.details['pointer'];
  const errors = error.details['errors'];
  // Several issues, each with its own pointer (e.g. every bad server.models entry): each located, as one error.
  if (pointer === undefined && error.details['file'] === undefined && Array.isArray(errors) && errors.length > 0 && errors.every((issue) => typeof issue?.pointer === 'string' && typeof issue?.message === 'string')) {
    const issues: ConfigIssue[] = (errors as { pointer: string; message: string }[]).map((issue) => ({ ...issue, file, ...(source.locate(issue.pointer) ?? {}) }));
    const message = issues.length === 1 ? formatIssue(issues[0]!) : `Invalid config ${file} (${issues.length} errors):\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`;
    return new SwitchyardError({ code: error.code, message, retriable: error.retriable, details: { ...error.details, file, errors: issues }, cause: error });
  }
  if (typeof pointer !== 'string' || error.details['file'] !== undefined || error.message.startsWith(file)) return error;
  const position = source.locate(pointer);
  const where = `${file}${position ? `:${position.line}:${position.column}` : ''}`;
  const message = error.message.startsWith(pointer) ? `${where}: ${error.message}` : `${where}: ${pointer}: ${error.message}`;
  return new SwitchyardError({ code: error.code, message, retriable: error.retriable, details: { ...error.details, file, ...(position ?? {}) }, cause: error });
}

/**
 * An override for an id no catalog has (generated registry, models.dirs, models.packages) can be meant (a cloud model
 * requested as `<engine>:<id>`, a model added at run time), but a typo would go unnoticed: a located warning at start.
 */
function warnUnknownOverrides(
  config: SwitchyardConfig,
  catalog: ModelCatalog | undefined,
  logger: PluginLogger,
  file: string,
  locatePointer: (pointer: string) => { line: number; column: number } | undefined,
): void {
  if (!catalog) return;
  for (const id of Object.keys(config.models?.overrides ?? {})) {
    let known: boolean;
    try {
      known = catalog.get(id) !== undefined;
    } catch {
      continue; // a lookup that fails (a pack not installed) fails the model's first use, with its own error
    }
    if (known) continue;
    const pointer = encodePointer(['models', 'overrides', id]);
    const at = locatePointer(pointer);
    const close = closeMatches(id, catalog.ids?.() ?? [], 3);
    logger.warn(
      { file, pointer, ...(at ?? {}) },
      `${file}${at ? `:${at.line}:${at.column}` : ''}: ${pointer}: no catalog has a model '${id}' (registry, models.dirs, models.packages${close.length ? `; did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : ''}): it applies to a model of this id added at run time, and its options to requests for '<engine>:${id}' (e.g. a cloud model)`,
    );
  }
}

/**
 * The file an in-memory config came from (`configFile`, a folder resolved like loadConfig resolves one): absolute, as
 * messages name it (as typed, plus the file name for a folder) and parsed, to locate pointers in it.
 */
async function configFileOption(typed: string): Promise<{ file: string; shown: string; source: ConfigSource | undefined }> {
  const relativeTo = isAbsolute(typed) ? {} : { relativeTo: process.cwd() };
  let file: string;
  let shown: string;
  let text: string;
  try {
    file = await resolveConfigFile(typed, relativeTo);
    shown = file === resolve(typed) ? typed : join(typed, basename(file));
    text = await readConfigText(file, shown);
  } catch (error) {
    if (!SwitchyardError.isInstance(error)) throw error;
    throw new SwitchyardError({ code: error.code, message: `createSwitchyardApp({ configFile }): ${error.message}`, details: { ...error.details, field: 'configFile' }, cause: error });
  }
  try {
    return { file, shown, source: parseConfigText(shown, text) };
  } catch {
    return { file, shown, source: undefined }; // the config object is what runs: text that does not parse only loses line and column
  }
}

function normalizeProgrammatic(plugins: CreateSwitchyardAppOptions['plugins']): PluginSpec[] {
  return (plugins ?? []).map((entry) =>
    'plugin' in entry && typeof (entry as { register?: unknown }).register !== 'function'
      ? { plugin: entry.plugin, ...(entry.options ? { options: entry.options } : {}) }
      : { plugin: entry as SwitchyardPlugin<any> },
  );
}

/** Loads config, creates a child container, starts plugins in dependency order and runs app extensions. */
export async function createSwitchyardApp(options: CreateSwitchyardAppOptions = {}): Promise<SwitchyardApp> {
  let config: SwitchyardConfig;
  let baseDir: string;
  let configFile: string | undefined;
  // How errors and warnings name the config: the loaded file, the file an in-memory config came from, or neither.
  let shownFile = '<config object>';
  let specs: PluginSpec[];
  let locate: (error: unknown) => unknown = (error) => error;
  let locatePointer: (pointer: string) => { line: number; column: number } | undefined = () => undefined;
  // The parsed file and its env-interpolated pointers, for issues located by ajv (keys and values).
  let configSource: ConfigSource | undefined;
  let secretPointers: ReadonlySet<string> | undefined;
  if (options.configPath !== undefined) {
    const ignored = (['config', 'configFile', 'baseDir'] as const).filter((key) => options[key] !== undefined);
    if (ignored.length > 0) {
      throw new SwitchyardError({
        code: 'INVALID_PARAMS',
        message: `createSwitchyardApp({ configPath, ${ignored.join(', ')} }): give configPath (the file is the config, names itself and its folder is the base directory) or config with configFile/baseDir, not both`,
        details: { field: ignored[0]! },
      });
    }
    const loaded = await loadConfig(options.configPath, options.env ? { env: options.env } : {});
    locate = (error) => locateConfigError(error, loaded.file, loaded.source);
    locatePointer = (pointer) => loaded.source.locate(pointer);
    configSource = loaded.source;
    secretPointers = loaded.secretPointers;
    config = loaded.config;
    baseDir = loaded.baseDir;
    configFile = loaded.file;
    shownFile = loaded.file;
    specs = await loadConfiguredPlugins(loaded);
  } else {
    const from = options.configFile !== undefined ? await configFileOption(options.configFile) : undefined;
    const source = from?.source;
    if (from) {
      shownFile = from.shown;
      configFile = from.file;
      locate = (error) => locateConfigError(error, from.shown, source ?? { locate: () => undefined });
      locatePointer = (pointer) => source?.locate(pointer);
      configSource = source;
    }
    config = validateConfig(options.config ?? {}, { file: shownFile, ...(source ? { source } : {}) });
    baseDir = resolve(options.baseDir ?? (configFile ? dirname(configFile) : process.cwd()));
    specs = await loadConfiguredPlugins({ config, baseDir, ...(from ? { file: shownFile } : {}), ...(source ? { source } : {}) });
  }
  specs.push(...normalizeProgrammatic(options.plugins));

  const logger = options.logger ?? defaultLogger(config);
  // A model whose metadata changed since codegen runs interpreted (what the file says now), with a warning.
  const generated = await appRegistry(options.registry, config, baseDir, shownFile, locatePointer);
  const registry = generated && interpretStaleEntries(generated, baseDir, logger);
  const container = createAppContainer(options.parentContainer);
  const host = new PluginHost({ container, logger, baseDir });
  host.registerInstance(TOKENS.AppConfig, config);
  host.registerInstance(TOKENS.Logger, logger);
  if (registry) host.registerInstance(TOKENS.ModelRegistry, registry);
  try {
    await host.start(specs);
  } catch (error) {
    await container.dispose();
    throw error;
  }

  // `engines.<id>.enabled: false` keeps a registered engine out of everything the app builds; an engine id no plugin
  // registered, anywhere the config names one (engines, model overrides, resilience, admission, routes, fallbacks),
  // is an error.
  const registeredIds = host.engines.map((engine) => engine.id);
  try {
    checkEngineReferences(config, registeredIds, (pointer, engine, plugins) => {
      const at = locatePointer(pointer);
      logger.warn(
        { file: shownFile, pointer, ...(at ?? {}) },
        `${shownFile}${at ? `:${at.line}:${at.column}` : ''}: ${pointer}: no loaded plugin registered an engine '${engine}' (registered: ${registeredIds.join(', ') || 'none'}); the disabled plugin${plugins.length > 1 ? 's' : ''} ${plugins.map((p) => `'${p}'`).join(', ')} may provide it: left out while disabled`,
      );
    });
  } catch (error) {
    await host.shutdown().catch(() => undefined);
    await container.dispose();
    throw locate(error);
  }
  const enabledEngines = (): readonly EngineV1[] => host.engines.filter((engine) => config.engines?.[engine.id]?.enabled !== false);

  const started: AppExtension[] = [];
  const shutdownExtensions = async (): Promise<unknown[]> => {
    const errors: unknown[] = [];
    for (const extension of started.reverse()) {
      try {
        await extension.shutdown?.();
      } catch (error) {
        errors.push(new SwitchyardError({ code: 'INTERNAL', message: `error in 'shutdown' of app extension '${extension.name}': ${(error as Error).message}`, cause: error }));
      }
    }
    started.length = 0;
    return errors;
  };
  try {
    for (const extension of [...coreAppExtensions(), ...(options.extensions ?? [])]) {
      await extension.setup({ container, config, engines: enabledEngines(), logger, baseDir, registerInstance: (token, value) => host.registerInstance(token, value) });
      started.push(extension);
    }
  } catch (error) {
    await shutdownExtensions();
    await host.shutdown().catch(() => undefined);
    throw locate(error);
  }

  const tryResolve = <T>(token: symbol): T | undefined => (container.isRegistered(token, true) ? container.resolve<T>(token) : undefined);
  const catalog = tryResolve<ModelCatalog>(TOKENS.ModelCatalog);
  try {
    // Per-model engine options against the schema of the engine each model runs on: located now, not at first load.
    checkModelOptions(config, host.engines, enabledEngines(), catalog, { file: shownFile, ...(configSource ? { source: configSource } : {}), ...(secretPointers ? { secretPointers } : {}) });
  } catch (error) {
    await shutdownExtensions();
    await host.shutdown().catch(() => undefined);
    throw error;
  }
  warnUnknownOverrides(config, catalog, logger, shownFile, locatePointer);
  const required = <T>(token: symbol, what: string): T => {
    const value = tryResolve<T>(token);
    if (value === undefined) {
      throw new SwitchyardError({ code: 'UNSUPPORTED', message: `This app has no ${what}: no extension registered ${String(token)}` });
    }
    return value;
  };
  let shutdownPromise: Promise<void> | undefined;

  return {
    container,
    config,
    ...(configFile ? { configFile } : {}),
    baseDir,
    logger,
    get engines() {
      return enabledEngines();
    },
    get plugins() {
      return host.plugins;
    },
    getEngine(id) {
      const engine = enabledEngines().find((e) => e.id === id);
      if (!engine) throw new NoSuchEngineError({ engineId: id, available: enabledEngines().map((e) => e.id) });
      return engine;
    },
    tryResolve,
    get orchestrator() {
      return required<OrchestratorApi>(TOKENS.Orchestrator, 'orchestrator');
    },
    get executor() {
      return required<unknown>(TOKENS.Executor, 'executor');
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        const errors = await shutdownExtensions();
        try {
          await host.shutdown();
        } finally {
          await container.dispose();
        }
        if (errors.length > 0) throw errors[0];
      })();
      return shutdownPromise;
    },
  };
}

function isModelRegistry(value: unknown): value is ModelRegistry {
  return typeof value === 'object' && value !== null && typeof (value as ModelRegistry).list === 'function' && typeof (value as ModelRegistry).get === 'function';
}

/** The registry given in code, or the module named by `models.registry` (its `registry` export, else its default). */
/**
 * The warnings the app logs at start for the stale entries of its generated registry (`models.registry`), word for
 * word, without starting it: what `switchyard validate` prints. None without a registry.
 */
export async function staleRegistryWarnings(
  config: SwitchyardConfig,
  baseDir: string,
  file: string,
  locatePointer: (pointer: string) => { line: number; column: number } | undefined = () => undefined,
): Promise<string[]> {
  const registry = await appRegistry(undefined, config, baseDir, file, locatePointer);
  if (!registry) return [];
  const warnings: string[] = [];
  const collect = (obj: object | string, msg?: string) => void warnings.push(msg ?? String(obj));
  interpretStaleEntries(registry, baseDir, { debug() {}, info() {}, error() {}, warn: collect });
  return warnings;
}

async function appRegistry(
  given: ModelRegistry | undefined,
  config: SwitchyardConfig,
  baseDir: string,
  file: string,
  locatePointer: (pointer: string) => { line: number; column: number } | undefined,
): Promise<ModelRegistry | undefined> {
  const path = config.models?.registry;
  const at = locatePointer('/models/registry');
  const invalid = (message: string, cause?: unknown) =>
    new SwitchyardError({ code: 'CONFIG_INVALID', message: `${file}${at ? `:${at.line}:${at.column}` : ''}: /models/registry: ${message}`, details: { file, pointer: '/models/registry', ...(at ?? {}) }, ...(cause ? { cause } : {}) });
  if (given !== undefined) {
    if (path !== undefined) throw invalid('a registry was also passed to createSwitchyardApp({ registry }); give one of them');
    if (!isModelRegistry(given)) {
      throw new SwitchyardError({ code: 'INVALID_PARAMS', message: 'createSwitchyardApp({ registry }): expected a generated model registry (an object with list() and get(id))', details: { field: 'registry' } });
    }
    return given;
  }
  if (path === undefined) return undefined;
  const module = await importRegistryModule(path, baseDir, invalid);
  const candidate = module['registry'] ?? module['default'];
  if (!isModelRegistry(candidate)) throw invalid(`'${path}' exports no \`registry\` (an object with list() and get(id)); run \`npx switchyard codegen\``);
  return candidate;
}
