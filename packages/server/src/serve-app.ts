import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyServerOptions } from 'fastify';
import { TOKENS, createModelCatalog, resolveResilience, type AppModelCatalog, type EventBus, type ModelCatalog, type OrchestratorApi, type ResilienceConfig, type SwitchyardApp } from '@switchyard/core';
import type { CircuitState } from './server-metrics.js';
import { createServer, knownModelCheckOf, type SwitchyardServer } from './create-server.js';
import { createRegistryCatalog } from './server-catalog.js';
import { StateStore } from '@switchyard/store';
import { checkAppServerModels, resolveServerConfig, type ServerConfig } from './server-config.js';

export interface ServeAppOptions {
  readonly port?: number;
  readonly host?: string;
  readonly logger?: FastifyServerOptions['logger'];
  readonly env?: NodeJS.ProcessEnv;
  /** Serve through this orchestrator instead of app.orchestrator (e.g. a decorator that gates a route). */
  readonly orchestrator?: OrchestratorApi;
}

/**
 * Builds a server over a created app: its orchestrator, engines, the `server` config section and a catalog over the
 * app's model registry (what the orchestrator runs: generated registry, model packs, `models.dirs`). Closing the
 * server also shuts the app down (engines released last).
 */
export async function createServerForApp(app: SwitchyardApp, options: ServeAppOptions = {}): Promise<SwitchyardServer> {
  const section = (app.config.server ?? {}) as ServerConfig;
  const dirs = (app.config.models?.dirs ?? ['models']).map((dir) => resolve(app.baseDir, dir));
  // Per-engine admission concurrency defaults to the Executor's bulkhead (resilience config); the server section overrides.
  const resilience = app.config.resilience as ResilienceConfig | undefined;
  // An explicit `server.admission.concurrency.default` wins over the bulkhead for engines not listed by id.
  const fromExecutor = section.admission?.concurrency?.default !== undefined ? {} : Object.fromEntries(app.engines.map((engine) => [engine.id, resolveResilience(resilience, engine.id).bulkhead.maxConcurrent]));
  // Durable by default: `.switchyard` next to the config; `dataDir: false` keeps state in memory.
  const dataDir = section.dataDir === false ? undefined : resolve(app.baseDir, section.dataDir ?? '.switchyard');
  const config: ServerConfig = {
    ...section,
    dataDir: dataDir ?? false,
    ...(app.config.queue ? { queue: app.config.queue as ServerConfig['queue'] } : {}),
    admission: { ...section.admission, concurrency: { ...section.admission?.concurrency, engines: { ...fromExecutor, ...section.admission?.concurrency?.engines } } },
    ...(options.port !== undefined ? { port: options.port } : {}),
  };
  const executor = app.tryResolve<{ guard?(engineId: string): { circuitState: CircuitState; circuitStates(): Record<string, CircuitState> }; unload?(engineId: string, modelId: string): Promise<void>; registry?: ModelCatalog }>(TOKENS.Executor);
  const circuitStates = executor?.guard
    ? async () => Object.fromEntries(app.engines.map((engine) => [engine.id, executor.guard!(engine.id).circuitState]))
    : undefined;
  const breakerStates = executor?.guard ? () => Object.fromEntries(app.engines.map((engine) => [engine.id, executor.guard!(engine.id).circuitStates()])) : undefined;
  const events = app.tryResolve<EventBus>(TOKENS.EventBus);
  // Admission keys a route-addressed task by the engine its router runs it on (distributed: the queue workers take).
  const router = (app.orchestrator as { router?: { primaryEngine?(model: string): string | undefined } }).router;
  const primaryEngineOf = router?.primaryEngine ? (modelRef: string) => router.primaryEngine!(modelRef) : undefined;
  const resolved = resolveServerConfig(config, options.env);
  const registry = app.tryResolve<AppModelCatalog>(TOKENS.ModelCatalog) ?? executor?.registry ?? createModelCatalog([]);
  const engines = app.engines.map((engine) => engine.id);
  const addedModelsDir = dirs.find((dir) => !dir.endsWith('.xyb')) ?? resolve(app.baseDir, 'models');
  // No state.db yet = no entries added through the API: a bad server.models is refused before the dataDir is created.
  if (resolved.dataDir === undefined || !existsSync(join(resolved.dataDir, 'state.db'))) {
    await checkAppServerModels(app, createRegistryCatalog({ registry, engines, appDir: app.baseDir, addedModelsDir }));
  }
  // One state store for tasks, sessions, artifacts and the catalog entries added through the API.
  const state = new StateStore({ ...(resolved.dataDir !== undefined ? { dataDir: resolved.dataDir } : {}), retention: resolved.retention, artifactsMaxBytes: resolved.artifactsMaxTotalBytes });
  // One source of truth: the registry the orchestrator runs models from lists them.
  const catalog = createRegistryCatalog({
    // The app's model lookup takes models added through the API, so tasks run them like folder models.
    registry,
    engines,
    appDir: app.baseDir,
    store: state,
    addedModelsDir,
  });
  // Again with the entries added through the API (one may be what a server.models id names, or run on another engine).
  try {
    await checkAppServerModels(app, catalog);
  } catch (error) {
    await state.close();
    throw error;
  }
  const server = await createServer({
    orchestrator: options.orchestrator ?? app.orchestrator,
    // A decorating orchestrator serves the app's models: the app's check refuses the others before admission.
    assertKnownModel: knownModelCheckOf(app.orchestrator),
    engines: app.engines,
    state,
    catalog,
    config,
    ...(options.env ? { env: options.env } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(circuitStates ? { circuitStates } : {}),
    ...(breakerStates ? { breakerStates } : {}),
    ...(events ? { events } : {}),
    ...(primaryEngineOf ? { primaryEngineOf } : {}),
    ...(executor?.unload ? { unloadModel: (engine: { id: string }, modelId: string) => executor.unload!(engine.id, modelId) } : {}),
  });
  return {
    ...server,
    // A host given here is the caller's bind address (a --host flag), checked and named as such, not as server.host.
    listen: (listenOptions = {}) => server.listen(options.host !== undefined && listenOptions.host === undefined ? { ...listenOptions, host: options.host } : listenOptions),
    checkListen: (listenOptions = {}) => server.checkListen(options.host !== undefined && listenOptions.host === undefined ? { host: options.host } : listenOptions),
    async close(closeOptions) {
      const result = await server.close(closeOptions);
      await app.shutdown();
      return result;
    },
  };
}

/** SIGINT/SIGTERM -> graceful close (a second signal exits at once). */
export function closeOnSignals(server: Pick<SwitchyardServer, 'close'>, onClosed: (result: { canceled: number }) => void = () => undefined): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(signal === 'SIGINT' ? 130 : 143);
    closing = true;
    server.close().then(onClosed, () => process.exit(1));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
