export { createSwitchyardApp, locateConfigError, staleRegistryWarnings, type CreateSwitchyardAppOptions, type SwitchyardApp } from './create-app.js';
export { defineAppExtension, type AppExtension, type AppExtensionContext } from './app-extension.js';
export { CORE_APP_EXTENSIONS } from './core-extensions.js';
export { runModelFromMetadataFile, type RunModelFileOptions, type RunModelFileResult } from './run-model-file.js';
