import type { AppExtension } from './app-extension.js';
import { orchestratorExtension } from '../orchestrator/orchestrator-extension.js';
import { createTracingExtension } from '../telemetry/tracing-extension.js';

/**
 * Extensions every app gets (before any passed to createSwitchyardApp). Core areas add theirs here with one
 * line each, e.g. the executor/orchestrator registering TOKENS.Executor / TOKENS.Orchestrator.
 */
export const CORE_APP_EXTENSIONS: AppExtension[] = [orchestratorExtension];

/** What every app runs: a fresh tracing extension (it holds that app's tracer provider) before the core list. */
export function coreAppExtensions(): AppExtension[] {
  return [createTracingExtension(), ...CORE_APP_EXTENSIONS];
}
