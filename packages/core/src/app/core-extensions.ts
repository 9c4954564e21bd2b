import type { AppExtension } from './app-extension.js';
import { orchestratorExtension } from '../orchestrator/orchestrator-extension.js';

/**
 * Extensions every app gets (before any passed to createSwitchyardApp). Core areas add theirs here with one
 * line each, e.g. the executor/orchestrator registering TOKENS.Executor / TOKENS.Orchestrator.
 */
export const CORE_APP_EXTENSIONS: AppExtension[] = [orchestratorExtension];
