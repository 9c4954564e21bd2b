import { SwitchyardError, closeMatches, type SwitchyardApp } from '@switchyard/core';
import type { ServerCatalog } from './server-catalog.js';

/** The `server` section of switchyard.config.yaml (schemas/config.schema.json#/properties/server). */
export interface ServerConfig {
  readonly host?: string;
  readonly port?: number;
  /** Largest accepted request body in bytes (413 above it). */
  readonly bodyLimitBytes?: number;
  /** Shorthand for auth.apiKeys. */
  readonly apiKeys?: readonly string[];
  readonly auth?: {
    /** Literal keys (prefer `${env:NAME}` references in config files). */
    readonly apiKeys?: readonly string[];
    /** Environment variable holding a comma-separated key list; default SWITCHYARD_API_KEYS. */
    readonly apiKeysEnv?: string;
    /** Paths served without a key; default ['/healthz']. */
    readonly openPaths?: readonly string[];
    /** Keys with the admin scope (catalog, pool and artifact writes); they are accepted everywhere else too. */
    readonly adminApiKeys?: readonly string[];
    /** Environment variable holding a comma-separated admin key list; default SWITCHYARD_ADMIN_API_KEYS. */
    readonly adminApiKeysEnv?: string;
  };
  /** Socket limits: a client cannot hold a connection open by stalling its headers or body. */
  readonly connections?: { readonly max?: number; readonly requestTimeoutMs?: number; readonly headersTimeoutMs?: number; readonly keepAliveTimeoutMs?: number };
  readonly admission?: {
    readonly interactiveCapacity?: number;
    readonly batchCapacity?: number;
    readonly policy?: 'reject' | 'drop-lru';
    /** Concurrent tasks per engine; `default` applies to engines not listed. */
    readonly concurrency?: { readonly default?: number; readonly engines?: Readonly<Record<string, number>> };
    /** Service-time prior (ms) used until the first task of an engine has been measured. */
    readonly initialServiceMs?: number;
  };
  readonly sessions?: { readonly ttlMs?: number; readonly maxTurns?: number; readonly tokenBudget?: number };
  /** Alias of retention.maxAgeMs (setting both is an error). */
  readonly taskRetentionMs?: number;
  /** Alias of retention.maxTasks. */
  readonly taskRetentionMaxTasks?: number;
  /** Alias of retention.maxBytes. */
  readonly taskRetentionMaxBytes?: number;
  /**
   * Where tasks, SSE transcripts, sessions, artifacts and catalog entries are kept (SQLite `state.db` + `blobs/`).
   * `false` or absent (createServer) = in memory; `switchyard serve` defaults to `.switchyard` in the app dir.
   */
  readonly dataDir?: string | false;
  /**
   * Distributed mode (the top-level `queue` section of the config file): admission on BullMQ queues in this Redis,
   * tasks run by `switchyard worker` processes. Needs @switchyard/queue-bullmq.
   */
  readonly queue?: QueueConfig;
  /** How much finished work is kept (oldest finished tasks go first when a limit is exceeded). */
  readonly retention?: { readonly maxAgeMs?: number; readonly maxTasks?: number; readonly maxBytes?: number };
  /** Artifact bytes kept (uploads; least recently used go first); default 256 MiB with a dataDir (files), 32 MiB in memory. */
  readonly artifacts?: { readonly maxTotalBytes?: number };
  /** Graceful shutdown: how long in-flight tasks may run before they are cancelled. */
  readonly shutdownDeadlineMs?: number;
  /**
   * Ids GET /v1/models lists before the catalog: each a route (`routing.routes` / `routing.models`), a catalog model
   * or `engine:model` of a registered engine; `ownedBy` a registered engine, the one admission counts it against
   * (checkServerModels).
   */
  readonly models?: readonly { readonly id: string; readonly ownedBy?: string }[];
  /** Drop request fields the serving model cannot honour (listed in `x-switchyard-dropped-params`) instead of a 400; per request: `drop_params`. */
  readonly dropParams?: boolean;
}

export interface QueueConfig {
  /** `redis://[user:password@]host:port[/db]` */
  readonly redis: string;
  /** Key and queue name prefix shared by the API nodes and workers of one deployment; default `switchyard`. */
  readonly prefix?: string;
  /** Worker capabilities expire this long after the last heartbeat; default 3000. */
  readonly heartbeatTtlMs?: number;
  /** A worker silent this long is taken as crashed; BullMQ requeues its jobs; default 4000. */
  readonly lockDurationMs?: number;
}

export interface ResolvedServerConfig {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly apiKeys: readonly string[];
  readonly adminApiKeys: readonly string[];
  readonly openPaths: readonly string[];
  readonly admission: {
    readonly interactiveCapacity: number;
    readonly batchCapacity: number;
    readonly policy: 'reject' | 'drop-lru';
    readonly defaultConcurrency: number;
    readonly engineConcurrency: Readonly<Record<string, number>>;
    readonly initialServiceMs: number;
  };
  readonly sessions: { readonly ttlMs: number; readonly maxTurns: number; readonly tokenBudget: number };
  readonly dataDir: string | undefined;
  readonly queue: QueueConfig | undefined;
  readonly retention: { readonly maxAgeMs: number; readonly maxTasks: number; readonly maxBytes: number };
  readonly artifactsMaxTotalBytes: number;
  readonly shutdownDeadlineMs: number;
  readonly connections: { readonly max: number; readonly requestTimeoutMs: number; readonly headersTimeoutMs: number; readonly keepAliveTimeoutMs: number };
  readonly models: readonly { readonly id: string; readonly ownedBy?: string }[];
  readonly dropParams: boolean;
}

export const DEFAULT_PORT = 8787;

/** Applies defaults and reads API keys from the environment (keys never leave this object). */
export function resolveServerConfig(config: ServerConfig = {}, env: NodeJS.ProcessEnv = process.env): ResolvedServerConfig {
  for (const [alias, field] of [['taskRetentionMs', 'maxAgeMs'], ['taskRetentionMaxTasks', 'maxTasks'], ['taskRetentionMaxBytes', 'maxBytes']] as const) {
    if (config[alias] !== undefined && config.retention?.[field] !== undefined) {
      throw new SwitchyardError({
        code: 'CONFIG_INVALID',
        message: `server.${alias} and server.retention.${field} are the same setting; set only server.retention.${field}`,
        details: { pointer: `/server/${alias}`, expected: `one of ${alias}, retention.${field}` },
      });
    }
  }
  if (config.queue) {
    // Redis keys of finished tasks expire by age only: a count or byte cap would be accepted and not applied.
    const capped = (['maxTasks', 'maxBytes'] as const).find((field) => config.retention?.[field] !== undefined) ?? (config.taskRetentionMaxTasks !== undefined ? 'taskRetentionMaxTasks' : config.taskRetentionMaxBytes !== undefined ? 'taskRetentionMaxBytes' : undefined);
    if (capped !== undefined) {
      const pointer = capped.startsWith('task') ? `/server/${capped}` : `/server/retention/${capped}`;
      throw new SwitchyardError({
        code: 'CONFIG_INVALID',
        message: `server${pointer.slice('/server'.length).replace(/\//g, '.')} is not applied with queue.redis (finished tasks expire in Redis by server.retention.maxAgeMs); remove it and bound Redis with its own maxmemory`,
        details: { pointer, expected: 'only retention.maxAgeMs with queue.redis' },
      });
    }
  }
  const { headersTimeoutMs, requestTimeoutMs } = config.connections ?? {};
  if (headersTimeoutMs !== undefined && requestTimeoutMs !== undefined && headersTimeoutMs > requestTimeoutMs) {
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message: `server.connections.headersTimeoutMs (${headersTimeoutMs}) cannot exceed server.connections.requestTimeoutMs (${requestTimeoutMs}): the whole request must arrive within the request timeout`,
      details: { pointer: '/server/connections/headersTimeoutMs', expected: `<= ${requestTimeoutMs}`, found: headersTimeoutMs },
    });
  }
  const keysFrom = (name: string) => (env[name] ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  const adminApiKeys = [...(config.auth?.adminApiKeys ?? [])].filter((key) => key.length > 0).concat(keysFrom(config.auth?.adminApiKeysEnv ?? 'SWITCHYARD_ADMIN_API_KEYS'));
  const apiKeys = [...(config.apiKeys ?? []), ...(config.auth?.apiKeys ?? [])].filter((key) => key.length > 0).concat(keysFrom(config.auth?.apiKeysEnv ?? 'SWITCHYARD_API_KEYS'));
  return {
    host: config.host ?? '127.0.0.1',
    port: config.port ?? DEFAULT_PORT,
    bodyLimitBytes: config.bodyLimitBytes ?? 8 * 1024 * 1024,
    apiKeys,
    adminApiKeys,
    openPaths: config.auth?.openPaths ?? ['/healthz'],
    admission: {
      interactiveCapacity: config.admission?.interactiveCapacity ?? 64,
      batchCapacity: config.admission?.batchCapacity ?? 256,
      policy: config.admission?.policy ?? 'reject',
      defaultConcurrency: config.admission?.concurrency?.default ?? 2,
      engineConcurrency: config.admission?.concurrency?.engines ?? {},
      initialServiceMs: config.admission?.initialServiceMs ?? 500,
    },
    sessions: {
      ttlMs: config.sessions?.ttlMs ?? 10 * 60_000,
      maxTurns: config.sessions?.maxTurns ?? 1000,
      tokenBudget: config.sessions?.tokenBudget ?? 1_000_000,
    },
    dataDir: typeof config.dataDir === 'string' ? config.dataDir : undefined,
    queue: config.queue,
    retention: {
      maxAgeMs: config.retention?.maxAgeMs ?? config.taskRetentionMs ?? 24 * 3_600_000,
      maxTasks: config.retention?.maxTasks ?? config.taskRetentionMaxTasks ?? 10_000,
      maxBytes: config.retention?.maxBytes ?? config.taskRetentionMaxBytes ?? 64 * 1024 * 1024,
    },
    // Without a dataDir the bytes live in this process's memory: a smaller default than for files on disk.
    artifactsMaxTotalBytes: config.artifacts?.maxTotalBytes ?? (typeof config.dataDir === 'string' ? 256 : 32) * 1024 * 1024,
    shutdownDeadlineMs: config.shutdownDeadlineMs ?? 10_000,
    connections: {
      max: config.connections?.max ?? 1024,
      requestTimeoutMs: config.connections?.requestTimeoutMs ?? 30_000,
      headersTimeoutMs: Math.min(config.connections?.headersTimeoutMs ?? 10_000, config.connections?.requestTimeoutMs ?? 30_000),
      keepAliveTimeoutMs: config.connections?.keepAliveTimeoutMs ?? 5_000,
    },
    models: config.models ?? [],
    dropParams: config.dropParams ?? false,
  };
}

/** What the app serves, for checkServerModels: every id a request may name, and where it runs. */
export interface ServedModels {
  /** Registered (enabled) engine ids. */
  readonly engines: readonly string[];
  /** `routing.routes` names and `routing.models` ids; undefined = not known here (an id is then not refused for it). */
  readonly routes?: readonly string[];
  /** Catalog models (registry, model packs, model folders, entries added through the API) and their engine. */
  readonly catalog: readonly { readonly id: string; readonly engine?: string }[];
}

/** One refused `server.models` entry field: where it is and why. */
export interface ServerModelsIssue {
  readonly pointer: string;
  readonly field: string;
  readonly message: string;
  readonly expected: string;
  readonly found: string;
}

/**
 * `server.models` names only what a request can run: each id a route, a catalog model or `engine:model` of a
 * registered engine, listed once; each `ownedBy` a registered engine, the one the model runs on when that is fixed
 * (`engine:model`, a catalog model). Else one CONFIG_INVALID naming every bad `server.models[i].id` / `.ownedBy`
 * (details.errors, each with its pointer): an id listed by /v1/models that fails every request, or an ownedBy that
 * admission would drop, is refused at start.
 */
export function checkServerModels(models: ServerConfig['models'], served: ServedModels): void {
  const engines = served.engines;
  const engineList = engines.join(', ') || 'none';
  const catalog = new Map(served.catalog.map((entry) => [entry.id, entry.engine]));
  const routes = new Set(served.routes ?? []);
  const first = new Map<string, number>();
  const issues: ServerModelsIssue[] = [];
  const refuse = (index: number, field: 'id' | 'ownedBy', message: string, expected: string, found: string) =>
    void issues.push({ pointer: `/server/models/${index}/${field}`, field: `server.models[${index}].${field}`, message, expected, found });
  for (const [index, model] of (models ?? []).entries()) {
    const { id, ownedBy } = model;
    const seen = first.get(id);
    if (seen !== undefined) {
      refuse(index, 'id', `'${id}' is listed twice (also server.models[${seen}])`, 'each id once', id);
      continue;
    }
    first.set(id, index);
    // Where the id runs when nothing in the request moves it: its engine prefix, else the catalog's engine.
    let runsOn: string | undefined;
    let unknownEngine: string | undefined;
    const colon = id.indexOf(':');
    if (colon > 0 && !routes.has(id) && !catalog.has(id)) {
      const engine = id.slice(0, colon);
      if (!engines.includes(engine)) {
        refuse(index, 'id', `'${id}' names engine '${engine}', which no plugin registered (registered: ${engineList})`, `'engine:model' of one of ${engineList}`, id);
        unknownEngine = engine;
      }
      runsOn = engine;
    } else if (catalog.has(id)) {
      runsOn = catalog.get(id);
    } else if (!routes.has(id) && served.routes !== undefined) {
      const known = [...routes, ...catalog.keys()];
      const close = closeMatches(id, known, 3);
      const routeList = [...routes].join(', ') || 'none';
      refuse(
        index,
        'id',
        `'${id}' is not a route (routes: ${routeList}), a catalog model or an 'engine:model' of a registered engine (engines: ${engineList}), so every request on it would fail${close.length ? `; did you mean ${close.map((c) => `'${c}'`).join(', ')}?` : ''}`,
        'a route, a catalog model or engine:model',
        id,
      );
    }
    // An ownedBy naming the same unregistered engine as the id is the id's problem, reported once.
    if (ownedBy === undefined || ownedBy === unknownEngine) continue;
    if (!engines.includes(ownedBy)) {
      const close = closeMatches(ownedBy, engines, 1);
      refuse(index, 'ownedBy', `no plugin registered an engine '${ownedBy}' (registered: ${engineList}${close.length ? `; did you mean '${close[0]}'?` : ''})`, `one of ${engineList}`, ownedBy);
    } else if (runsOn !== undefined && runsOn !== ownedBy && engines.includes(runsOn)) {
      refuse(index, 'ownedBy', `'${ownedBy}' but '${id}' runs on engine '${runsOn}'; set ownedBy: ${runsOn} or leave it out`, runsOn, ownedBy);
    }
  }
  if (issues.length === 0) return;
  const errors = issues.map(({ pointer, message, expected, found }) => ({ pointer, message, expected, found }));
  if (issues.length === 1) {
    const [issue] = issues as [ServerModelsIssue];
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message: `${issue.field}: ${issue.message}`,
      details: { pointer: issue.pointer, field: issue.field, expected: issue.expected, found: issue.found, errors },
    });
  }
  throw new SwitchyardError({
    code: 'CONFIG_INVALID',
    message: `server.models: ${issues.length} errors:\n${issues.map((issue) => `  ${issue.field}: ${issue.message}`).join('\n')}`,
    details: { field: 'server.models', errors },
  });
}

/**
 * checkServerModels over an app (what `switchyard serve` starts): its engines, its `routing.routes` / `routing.models`
 * and the server's catalog over its registry (with entries added through the API earlier).
 */
export async function checkAppServerModels(app: Pick<SwitchyardApp, 'config' | 'engines'>, catalog: Pick<ServerCatalog, 'list'> | undefined): Promise<void> {
  const models = (app.config.server as ServerConfig | undefined)?.models;
  if (models === undefined || models.length === 0) return;
  const routing = app.config.routing as { readonly routes?: object; readonly models?: object } | undefined;
  checkServerModels(models, {
    engines: app.engines.map((engine) => engine.id),
    routes: [...Object.keys(routing?.routes ?? {}), ...Object.keys(routing?.models ?? {})],
    catalog: (await catalog?.list()) ?? [],
  });
}
