import { readFileSync } from 'node:fs';
/** The version of @switchyard/server, read from its package.json (never a hand-kept copy). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export { createServer, sendError, redactSecrets, type CreateServerOptions, type SwitchyardServer } from './create-server.js';
export { resolveServerConfig, DEFAULT_PORT, type ServerConfig, type ResolvedServerConfig } from './server-config.js';
export { createDirectoryCatalog, sha256File, type ServerCatalog, type CatalogEntry, type CatalogVerifyReport, type CatalogFileReport, type FileSource } from './server-catalog.js';
export { AdmissionQueue, type AdmissionPolicy, type Priority } from './admission-queue.js';
export { ServiceTimeEstimator } from './service-time-estimator.js';
export { ApiKeyAuth } from './api-key-auth.js';
export { ArtifactStore } from './artifact-store.js';
export { TaskScheduler, type AdmissionTicket, type CancelReason } from './task-scheduler.js';
export type { ServerTask, SseFrame, TaskSpec, TaskState } from './server-task.js';
export { toErrorEnvelope, statusForCode, type ErrorEnvelope } from './http-error.js';
export type { CircuitState } from './server-metrics.js';
export { createServerForApp, closeOnSignals, type ServeAppOptions } from './serve-app.js';
