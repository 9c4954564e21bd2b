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
  /** How long finished tasks stay queryable (their SSE transcript lives on in the artifact store). */
  readonly taskRetentionMs?: number;
  /** At most this many finished tasks stay queryable (oldest forgotten first); default 10000. */
  readonly taskRetentionMaxTasks?: number;
  /** At most this many bytes of finished tasks' transcripts stay queryable; default 64 MiB. */
  readonly taskRetentionMaxBytes?: number;
  readonly artifacts?: { readonly maxTotalBytes?: number };
  /** Graceful shutdown: how long in-flight tasks may run before they are cancelled. */
  readonly shutdownDeadlineMs?: number;
  /** Extra model ids / route names listed by GET /v1/models (e.g. `auto`, `chat`). */
  readonly models?: readonly { readonly id: string; readonly ownedBy?: string }[];
  /** Drop request fields the serving model cannot honour (listed in `x-switchyard-dropped-params`) instead of a 400; per request: `drop_params`. */
  readonly dropParams?: boolean;
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
  readonly taskRetentionMs: number;
  readonly taskRetentionMaxTasks: number;
  readonly taskRetentionMaxBytes: number;
  readonly artifactsMaxTotalBytes: number;
  readonly shutdownDeadlineMs: number;
  readonly connections: { readonly max: number; readonly requestTimeoutMs: number; readonly headersTimeoutMs: number; readonly keepAliveTimeoutMs: number };
  readonly models: readonly { readonly id: string; readonly ownedBy?: string }[];
  readonly dropParams: boolean;
}

export const DEFAULT_PORT = 8787;

/** Applies defaults and reads API keys from the environment (keys never leave this object). */
export function resolveServerConfig(config: ServerConfig = {}, env: NodeJS.ProcessEnv = process.env): ResolvedServerConfig {
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
    taskRetentionMs: config.taskRetentionMs ?? 60_000,
    taskRetentionMaxTasks: config.taskRetentionMaxTasks ?? 10_000,
    taskRetentionMaxBytes: config.taskRetentionMaxBytes ?? 64 * 1024 * 1024,
    artifactsMaxTotalBytes: config.artifacts?.maxTotalBytes ?? 256 * 1024 * 1024,
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
