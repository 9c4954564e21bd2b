import type { DependencyContainer } from 'tsyringe';
import type { EngineV1, PluginLogger } from '@switchyard/spec';
import type { SwitchyardConfig } from '../config/config-types.js';

/** What an extension sees when the app starts: plugins are registered and initialized, engines are known. */
export interface AppExtensionContext {
  readonly container: DependencyContainer;
  readonly config: SwitchyardConfig;
  readonly engines: readonly EngineV1[];
  readonly logger: PluginLogger;
  /** Directory of the config file (or the cwd for programmatic configs). */
  readonly baseDir: string;
  /** Registers a core service (e.g. TOKENS.Orchestrator) under the same overwrite rules as plugins. */
  registerInstance<T>(token: symbol, value: T): void;
}

/**
 * A core service that builds on the loaded plugins (Executor, Orchestrator, task store...). Extensions run
 * in list order after plugins initialize and shut down in reverse before plugins shut down.
 */
export interface AppExtension {
  readonly name: string;
  setup(context: AppExtensionContext): void | Promise<void>;
  shutdown?(): void | Promise<void>;
}

export function defineAppExtension(extension: AppExtension): AppExtension {
  return extension;
}
