export * from './container.js';
export { PluginHost, checkCoreRange, hookFailed, type LoadedPluginInfo, type PluginHook, type PluginHostOptions } from './plugin-host.js';
export { orderByDependencies } from './plugin-order.js';
export { validatePluginOptions, type OptionsLocation } from './plugin-options.js';
export { RegistrationLedger } from './registration-ledger.js';
