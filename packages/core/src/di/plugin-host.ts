import semver from 'semver';
import type { DependencyContainer } from 'tsyringe';
import type { EngineV1, PluginContext, PluginLogger, SwitchyardPlugin } from '@switchyard/spec';
import type { PluginSpec } from '../config/plugin-loader.js';
import { SwitchyardError } from '@switchyard/spec';
import { VERSION } from '../version.js';
import { orderByDependencies } from './plugin-order.js';
import { validatePluginOptions } from './plugin-options.js';
import { RegistrationLedger } from './registration-ledger.js';

export type PluginHook = 'register' | 'initialize' | 'shutdown';

/** What the app reports about each started plugin (CLI `plugins`, server /info). */
export interface LoadedPluginInfo {
  readonly name: string;
  readonly version: string;
  readonly specifier?: string;
  readonly engines: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
}

export interface PluginHostOptions {
  readonly container: DependencyContainer;
  readonly logger: PluginLogger & { child?(bindings: Record<string, unknown>): PluginLogger };
  readonly baseDir: string;
  /** The running core version (default VERSION); tests pass others to exercise range checks. */
  readonly coreVersion?: string;
}

interface StartedPlugin {
  readonly plugin: SwitchyardPlugin<any>;
  readonly context: PluginContext<any>;
  readonly specifier?: string;
}

export function hookFailed(plugin: string, hook: PluginHook, cause: unknown): SwitchyardError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SwitchyardError({
    code: 'PLUGIN_HOOK_FAILED',
    message: `error in '${hook}' of plugin '${plugin}': ${reason}`,
    details: { plugin, hook },
    cause,
  });
}

/** Prefixes a plugin error with the config location of that plugin's entry; already-located errors pass as they are. */
function locatePluginError(error: SwitchyardError, spec: PluginSpec): SwitchyardError {
  if (!spec.file || !spec.pointer || error.details['file'] !== undefined) return error;
  const position = spec.source?.locate(spec.pointer);
  const where = `${spec.file}${position ? `:${position.line}:${position.column}` : ''}: ${spec.pointer}: `;
  return new SwitchyardError({
    code: error.code,
    message: `${where}${error.message}`,
    retriable: error.retriable,
    details: { ...error.details, file: spec.file, pointer: spec.pointer, ...(position ?? {}) },
    cause: error,
  });
}

/** Refuses a plugin whose `core` range does not include the running core (or is not a valid range). */
export function checkCoreRange(plugin: Pick<SwitchyardPlugin, 'name' | 'core'>, coreVersion: string = VERSION): void {
  const range = semver.validRange(plugin.core);
  if (range === null) {
    throw new SwitchyardError({
      code: 'PLUGIN_VERSION_MISMATCH',
      message: `plugin '${plugin.name}' declares core range ${JSON.stringify(plugin.core)}, which is not a valid semver range`,
      details: { plugin: plugin.name, core: plugin.core, coreVersion },
    });
  }
  if (!semver.satisfies(coreVersion, range, { includePrerelease: true })) {
    throw new SwitchyardError({
      code: 'PLUGIN_VERSION_MISMATCH',
      message: `plugin '${plugin.name}' needs @switchyard/core ${plugin.core}, but this is ${coreVersion}`,
      details: { plugin: plugin.name, core: plugin.core, coreVersion },
    });
  }
}

/**
 * Runs plugin lifecycles for one app container. Order (documented in docs/internals.md):
 * check versions + options for all -> register in dependency order -> initialize in the same order;
 * shutdown in reverse, every plugin whose register completed, even if another's shutdown fails.
 */
export class PluginHost {
  private readonly ledger: RegistrationLedger;
  private readonly started: StartedPlugin[] = [];
  private readonly engineOwners = new Map<string, string[]>();
  private stopped = false;

  constructor(private readonly options: PluginHostOptions) {
    this.ledger = new RegistrationLedger(options.container);
  }

  get engines(): readonly EngineV1[] {
    return this.ledger.engines;
  }

  get plugins(): readonly LoadedPluginInfo[] {
    return this.started.map(({ plugin, context, specifier }) => ({
      name: plugin.name,
      version: plugin.version,
      ...(specifier ? { specifier } : {}),
      engines: this.engineOwners.get(plugin.name) ?? [],
      options: context.options,
    }));
  }

  /** Lets the app register core services under the same overwrite rules ('app' owner). */
  registerInstance<T>(token: symbol, value: T): void {
    this.ledger.registerInstance('app', token, value);
  }

  /** Errors about one plugin carry where the config names it (`file:line:col: /plugins/<i>: ...`). */
  async start(specs: readonly PluginSpec[]): Promise<void> {
    const byName = new Map(specs.map((spec) => [spec.plugin.name, spec]));
    try {
      await this.startLocated(specs);
    } catch (error) {
      const name = SwitchyardError.isInstance(error) ? error.details['plugin'] : undefined;
      const spec = typeof name === 'string' ? (SwitchyardError.isInstance(error) && error.details['duplicateOf'] !== undefined ? specs.filter((s) => s.plugin.name === name).at(-1) : byName.get(name)) : undefined;
      throw spec ? locatePluginError(error as SwitchyardError, spec) : error;
    }
  }

  private async startLocated(specs: readonly PluginSpec[]): Promise<void> {
    const coreVersion = this.options.coreVersion ?? VERSION;
    const seen = new Map<string, string | undefined>();
    for (const spec of specs) {
      if (seen.has(spec.plugin.name)) {
        throw new SwitchyardError({
          code: 'PLUGIN_REGISTRATION_CONFLICT',
          message: `plugin '${spec.plugin.name}' is loaded twice${spec.specifier ? ` (from '${seen.get(spec.plugin.name) ?? 'code'}' and '${spec.specifier}')` : ''}`,
          details: { plugin: spec.plugin.name, duplicateOf: seen.get(spec.plugin.name) ?? 'code' },
        });
      }
      seen.set(spec.plugin.name, spec.specifier);
      checkCoreRange(spec.plugin, coreVersion);
    }
    const prepared = specs.map((spec) => ({
      spec,
      name: spec.plugin.name,
      dependsOn: spec.plugin.dependsOn ?? [],
      options: validatePluginOptions(spec.plugin.name, spec.plugin.configSchema, spec.options ?? {}, {
        ...(spec.file ? { file: spec.file } : {}),
        ...(spec.pointer ? { pointer: `${spec.pointer}/options` } : {}),
        ...(spec.source ? { source: spec.source } : {}),
      }),
    }));
    try {
      for (const { spec, options } of orderByDependencies(prepared)) {
        const context = this.contextFor(spec.plugin, options);
        try {
          await spec.plugin.register(context);
        } catch (error) {
          throw SwitchyardError.hasCode(error, 'PLUGIN_REGISTRATION_CONFLICT') ? error : hookFailed(spec.plugin.name, 'register', error);
        }
        this.started.push({ plugin: spec.plugin, context, ...(spec.specifier ? { specifier: spec.specifier } : {}) });
      }
      for (const { plugin, context } of this.started) {
        if (!plugin.initialize) continue;
        try {
          await plugin.initialize(context);
        } catch (error) {
          throw hookFailed(plugin.name, 'initialize', error);
        }
      }
    } catch (error) {
      // Undo what was started; the start error is the one worth reporting, shutdown errors are logged.
      await this.shutdown().catch((shutdownError: unknown) => this.options.logger.error({ err: shutdownError }, 'plugin shutdown after a failed start also failed'));
      throw error;
    }
  }

  /** Shuts plugins down in reverse start order; runs every hook, then throws one error naming all failures. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const failures: SwitchyardError[] = [];
    for (const { plugin } of [...this.started].reverse()) {
      if (!plugin.shutdown) continue;
      try {
        await plugin.shutdown();
      } catch (error) {
        failures.push(hookFailed(plugin.name, 'shutdown', error));
      }
    }
    if (failures.length === 1) throw failures[0]!;
    if (failures.length > 1) {
      throw new SwitchyardError({
        code: 'PLUGIN_HOOK_FAILED',
        message: `${failures.length} plugins failed to shut down:\n${failures.map((f) => `  ${f.message}`).join('\n')}`,
        details: { plugins: failures.map((f) => f.details.plugin), hook: 'shutdown' },
        cause: new AggregateError(failures, 'plugin shutdown failures'),
      });
    }
  }

  private contextFor(plugin: SwitchyardPlugin<any>, options: Record<string, unknown>): PluginContext<any> {
    const name = plugin.name;
    const logger = this.options.logger.child ? this.options.logger.child({ plugin: name }) : this.options.logger;
    return {
      options,
      coreVersion: this.options.coreVersion ?? VERSION,
      logger,
      container: this.ledger.viewFor(name),
      baseDir: this.options.baseDir,
      registerEngine: (engine) => {
        this.ledger.registerEngine(name, engine);
        this.engineOwners.set(name, [...(this.engineOwners.get(name) ?? []), engine.id]);
      },
    };
  }
}
