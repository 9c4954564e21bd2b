import { createSwitchyardApp, loadConfig, type CreateSwitchyardAppOptions, type LoadedConfig, type SwitchyardApp } from '@switchyard/core';
import { shownRelativeTo } from './config-shown.js';

/**
 * The app of the config file (or folder) the user named: the file is named as they typed it (relative to the
 * current folder unless absolute) in load errors and in the app's own errors and warnings.
 */
export async function createAppFromConfig(
  typed: string,
  options: Omit<CreateSwitchyardAppOptions, 'configPath' | 'config' | 'configFile' | 'baseDir'> & { readonly adjust?: (config: LoadedConfig['config']) => LoadedConfig['config'] } = {},
): Promise<{ app: SwitchyardApp; loaded: LoadedConfig }> {
  const { adjust, ...appOptions } = options;
  const loaded = await loadConfig(typed, { ...(options.env ? { env: options.env } : {}), ...shownRelativeTo(typed) });
  const app = await createSwitchyardApp({ ...appOptions, config: adjust ? adjust(loaded.config) : loaded.config, baseDir: loaded.baseDir, configFile: loaded.shownAs });
  return { app, loaded };
}
