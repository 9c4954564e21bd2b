/**
 * Every DI token in one place. Symbol.for makes tokens equal across two installed copies of core.
 * Plugins resolve and register through these, never through class references.
 */
export const TOKENS = {
  /** Multi-registration: every engine (`injectAll(TOKENS.Engine)`). */
  Engine: Symbol.for('switchyard.Engine'),
  /** The loaded app config (registered by createSwitchyardApp). */
  AppConfig: Symbol.for('switchyard.AppConfig'),
  /** The app logger (registered by createSwitchyardApp). */
  Logger: Symbol.for('switchyard.Logger'),
  /** The orchestrator's event bus (registered by the orchestrator extension). */
  EventBus: Symbol.for('switchyard.EventBus'),
  /** The executor (registered by the orchestrator extension; resolved by `app.executor` and the server). */
  Executor: Symbol.for('switchyard.Executor'),
  /** The orchestrator (registered by the orchestrator extension; resolved by `app.orchestrator`). */
  Orchestrator: Symbol.for('switchyard.Orchestrator'),
  /** A generated model registry (createSwitchyardApp({ registry }) or config `models.registry`; read by the orchestrator). */
  ModelRegistry: Symbol.for('switchyard.ModelRegistry'),
  /**
   * The app's model lookup (registered by the orchestrator extension): the registry, `models.dirs`, `models.packages`
   * and models added while the app runs (`add`, e.g. the server's `POST /v2/catalog/models`).
   */
  ModelCatalog: Symbol.for('switchyard.ModelCatalog'),
} as const;

export type TokenName = keyof typeof TOKENS;
