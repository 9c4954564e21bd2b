/**
 * Every DI token in one place. Symbol.for makes tokens equal across two installed copies of core.
 * Plugins resolve and register through these, never through class references.
 */
export const TOKENS = {
  /** Multi-registration: every engine (`injectAll(TOKENS.Engine)`). */
  Engine: Symbol.for('switchyard.Engine'),
  AppConfig: Symbol.for('switchyard.AppConfig'),
  Logger: Symbol.for('switchyard.Logger'),
  EventBus: Symbol.for('switchyard.EventBus'),
  Executor: Symbol.for('switchyard.Executor'),
  Orchestrator: Symbol.for('switchyard.Orchestrator'),
  ModelRegistry: Symbol.for('switchyard.ModelRegistry'),
  ModelProvisioner: Symbol.for('switchyard.ModelProvisioner'),
  PolicyEngine: Symbol.for('switchyard.PolicyEngine'),
  Router: Symbol.for('switchyard.Router'),
  Classifier: Symbol.for('switchyard.Classifier'),
  TaskStore: Symbol.for('switchyard.TaskStore'),
  Clock: Symbol.for('switchyard.Clock'),
} as const;

export type TokenName = keyof typeof TOKENS;
