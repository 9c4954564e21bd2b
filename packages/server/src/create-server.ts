import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { EngineV1, EventBus, OrchestratorApi, Placement } from '@switchyard/core';
import { Orchestrator, SwitchyardError } from '@switchyard/core';
import { StateStore } from '@switchyard/store';
import { AdmissionQueue } from './admission-queue.js';
import { ApiKeyAuth, KEY_QUERY_PARAMS } from './api-key-auth.js';
import { jsonDepthExceeds, redactPaths, redactSecrets, redactUrl } from './redaction.js';
import { ArtifactStore } from './artifact-store.js';
import { anthropicErrorType, httpError, openAiParam, statusForCode, toErrorEnvelope } from './http-error.js';
import { PoolRegistry } from './pool-registry.js';
import { decodedPayload, poisonedKeyError } from './request-body.js';
import { registerAnthropicMessagesRoutes } from './routes/anthropic-messages-routes.js';
import { registerAnthropicCountTokensRoute } from './routes/anthropic-count-tokens-routes.js';
import { registerOpenAiChatRoutes } from './routes/openai-chat-routes.js';
import { registerOpenAiCompletionsRoutes } from './routes/openai-completions-routes.js';
import { registerOpenAiEmbeddingRoutes } from './routes/openai-embeddings-routes.js';
import { registerOpenAiResponsesRoutes } from './routes/openai-responses-routes.js';
import { ResponseStore } from './response-store.js';
import { registerResourceRoutes } from './routes/resource-routes.js';
import { registerSystemRoutes } from './routes/system-routes.js';
import { registerTaskRoutes } from './routes/task-routes.js';
import type { ServerCatalog } from './server-catalog.js';
import { resolveServerConfig, type QueueConfig, type ResolvedServerConfig, type ServerConfig } from './server-config.js';
import type { ServerContext } from './server-context.js';
import { requestIdOf } from './request-telemetry.js';
import { ServerMetrics, type CircuitState } from './server-metrics.js';
import type { ServerTask } from './server-task.js';
import { ServiceTimeEstimator } from './service-time-estimator.js';
import { SessionStore } from './session-store.js';
import type { TaskQueue } from './task-queue.js';
import { TaskScheduler } from './task-scheduler.js';

export interface CreateServerOptions {
  readonly orchestrator: OrchestratorApi;
  readonly engines?: readonly EngineV1[];
  readonly catalog?: ServerCatalog;
  readonly config?: ServerConfig;
  /** Where API keys are read from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Fastify/pino logger settings; default off. Headers are never logged (keys live there). */
  readonly logger?: FastifyServerOptions['logger'];
  /** Circuit breaker states for /metrics (from the Executor's resilience layer). */
  readonly circuitStates?: () => Promise<Record<string, CircuitState>>;
  /** Breaker state per engine, then per model, for `switchyard_breaker_state{engine,model}`. */
  readonly breakerStates?: () => Readonly<Record<string, Readonly<Record<string, CircuitState>>>>;
  /** The orchestrator's event bus: retries, fallbacks, upstream errors and cooldowns become metrics. */
  readonly events?: EventBus;
  /**
   * Which engine a task runs on (admission concurrency key, distributed queue); default: a pinned or preferred
   * placement engine, the `engine:` prefix, the catalog, the router's first engine for the ref, the sole engine.
   */
  readonly engineKeyFor?: (modelRef: string, placement?: Placement) => string;
  /** The engine the router sends a model ref to first (a route's first target...); the default engineKeyFor asks it. */
  readonly primaryEngineOf?: (modelRef: string) => string | undefined;
  /** Engine id -> model ref it serves at startup (pool health, reload). */
  readonly poolModels?: Readonly<Record<string, string>>;
  /** Unloads a pool's previous model after a reload (default: the engine's doUnload; the app passes its Executor's). */
  readonly unloadModel?: (engine: EngineV1, modelId: string) => Promise<void>;
  /** The state store to use (createServerForApp opens it so the catalog shares it); default: opened from config.dataDir. */
  readonly state?: StateStore;
  /** Turn off process-level default metrics (several servers in one process). */
  readonly defaultMetrics?: boolean;
  /**
   * Counts a request's input tokens (`POST /v1/messages/count_tokens`); default: the orchestrator's `countTokens`,
   * when it has one (core's Orchestrator does). Without one the route answers UNSUPPORTED.
   */
  readonly countTokens?: NonNullable<OrchestratorApi['countTokens']>;
  /**
   * Refuses an unknown model ref before admission (NO_SUCH_MODEL with close matches); default: core's
   * `Orchestrator.assertKnownModel` when `orchestrator` is one. In distributed mode the API node's app knows what its
   * workers know (the same config; POST /v2/catalog/models is refused there).
   */
  readonly assertKnownModel?: (modelRef: string) => void;
}

export interface SwitchyardServer {
  readonly app: FastifyInstance;
  readonly config: ResolvedServerConfig;
  /** The embedded TaskScheduler, or the Redis queue with `queue.redis`. */
  readonly scheduler: TaskQueue;
  readonly metrics: ServerMetrics;
  readonly artifacts: ArtifactStore;
  /** The state store (SQLite under config.dataDir, or in memory). */
  readonly state: StateStore;
  /** What the start found in the state store: queued tasks queued again, running ones retried or reset. */
  readonly recovered: { requeued: number; retried: number; reset: number };
  /** Binds (default config host/port) and returns the base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Every check `listen` makes short of binding (CONFIG_INVALID when auth is off on a non-loopback host). */
  checkListen(options?: { host?: string }): void;
  /** Graceful: stop admitting, finish or cancel in-flight work within the deadline, close sockets, release engines. */
  close(options?: { deadlineMs?: number }): Promise<{ canceled: number }>;
}

/** The distributed mode lives in its own package so the embedded server does not load BullMQ or ioredis. */
async function loadQueueBullmq(): Promise<{ createRedisTaskQueue(options: RedisTaskQueueOptions): Promise<TaskQueue> }> {
  const name = '@switchyard/queue-bullmq';
  try {
    return (await import(name)) as { createRedisTaskQueue(options: RedisTaskQueueOptions): Promise<TaskQueue> };
  } catch (error) {
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message: `queue.redis is set but ${name} cannot be loaded (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); install it next to @switchyard/server`,
      details: { pointer: '/queue/redis', expected: `${name} installed` },
      cause: error,
    });
  }
}

/** What the server hands the Redis queue implementation. */
export interface RedisTaskQueueOptions {
  readonly queue: QueueConfig;
  readonly admission: ResolvedServerConfig['admission'];
  readonly retentionMs: number;
  readonly engineKeyFor: (modelRef: string, placement?: Placement) => string;
  readonly metrics: ServerMetrics;
  /** Session limits (`server.sessions`): the queue keeps the sessions in Redis. */
  readonly sessions: ResolvedServerConfig['sessions'];
  readonly now: () => number;
}

async function defaultEngineKeyFor(
  engines: readonly EngineV1[],
  catalog: ServerCatalog | undefined,
  config: ResolvedServerConfig,
  primaryEngineOf: ((modelRef: string) => string | undefined) | undefined,
): Promise<(modelRef: string, placement?: Placement) => string> {
  const engineIds = new Set(engines.map((engine) => engine.id));
  const byModel = new Map<string, string>();
  for (const entry of (await catalog?.list()) ?? []) if (entry.engine) byModel.set(entry.id, entry.engine);
  for (const model of config.models) if (model.ownedBy && engineIds.has(model.ownedBy)) byModel.set(model.id, model.ownedBy);
  const sole = engines.length === 1 ? engines[0]!.id : 'default';
  return (modelRef, placement) => {
    // A pin (or a preference, which puts that engine first) is where the router runs it.
    if (placement?.engine !== undefined && engineIds.has(placement.engine)) return placement.engine;
    const prefix = modelRef.includes(':') ? modelRef.slice(0, modelRef.indexOf(':')) : undefined;
    if (prefix !== undefined && engineIds.has(prefix)) return prefix;
    const added = catalog?.engineOf?.(modelRef);
    const known = byModel.get(modelRef) ?? (added !== undefined && engineIds.has(added) ? added : undefined);
    if (known !== undefined) return known;
    // A route (or any ref the catalog does not place) counts against the engine the router runs it on.
    const routed = primaryEngineOf?.(modelRef);
    return routed !== undefined && engineIds.has(routed) ? routed : sole;
  };
}

export async function createServer(options: CreateServerOptions): Promise<SwitchyardServer> {
  const config = resolveServerConfig(options.config, options.env);
  const engines = options.engines ?? [];
  const now = Date.now;
  const metrics = new ServerMetrics({
    defaultMetrics: options.defaultMetrics ?? true,
    ...(options.circuitStates ? { circuitStates: options.circuitStates } : {}),
    ...(options.breakerStates ? { breakerStates: options.breakerStates } : {}),
  });
  const unfollowEvents = options.events ? metrics.gateway.follow(options.events) : () => undefined;
  const estimator = new ServiceTimeEstimator(config.admission.initialServiceMs);
  const state = options.state ?? new StateStore({ ...(config.dataDir !== undefined ? { dataDir: config.dataDir } : {}), retention: config.retention, artifactsMaxBytes: config.artifactsMaxTotalBytes, now });
  const artifacts = new ArtifactStore(state);
  const sessions = new SessionStore(config.sessions, state);
  const concurrencyFor = (engineKey: string) => config.admission.engineConcurrency[engineKey] ?? config.admission.defaultConcurrency;
  const engineKeyFor = options.engineKeyFor ?? (await defaultEngineKeyFor(engines, options.catalog, config, options.primaryEngineOf));
  const onInternalError = (task: ServerTask, error: unknown) =>
    app.log.error({ correlation_id: task.spec.correlationId, task_id: task.id, error_name: (error as Error)?.name, error_message: redactSecrets(String((error as Error)?.message ?? error)) }, 'task failed with an internal error');
  let scheduler: TaskQueue;
  let recovered = { requeued: 0, retried: 0, reset: 0 };
  if (config.queue) {
    // Distributed: admission on BullMQ, execution in worker processes; this node keeps no task state of its own.
    const { createRedisTaskQueue } = await loadQueueBullmq();
    scheduler = await createRedisTaskQueue({ queue: config.queue, admission: config.admission, retentionMs: config.retention.maxAgeMs, engineKeyFor, metrics, sessions: config.sessions, now });
  } else {
    const embedded = new TaskScheduler({
      orchestrator: options.orchestrator,
      queue: new AdmissionQueue<ServerTask>(config.admission),
      estimator,
      metrics,
      sessions,
      concurrencyFor,
      engineKeyFor,
      state,
      now,
      onInternalError,
    });
    recovered = embedded.recover();
    scheduler = embedded;
  }
  const pools = new PoolRegistry(engines, scheduler, estimator, concurrencyFor, options.catalog, options.unloadModel);
  for (const [engine, modelRef] of Object.entries(options.poolModels ?? {})) pools.setModelRef(engine, modelRef);
  const auth = new ApiKeyAuth(config.apiKeys, config.adminApiKeys);

  const app = Fastify({
    logger: withSafeSerializers(options.logger ?? false),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Bodies are validated strictly (no type coercion, unknown fields are errors where schemas say so).
    // `discriminator`: a union tagged by a field (chat messages by `role`) checks only the branch the tag names.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, discriminator: true } },
    return503OnClosing: true,
    // Tasks are finished or canceled before close, so remaining sockets are only idle keep-alives or ended streams.
    forceCloseConnections: true,
    // A client must send its whole request within requestTimeoutMs (headers within headersTimeoutMs); idle
    // keep-alive sockets close after keepAliveTimeoutMs. Responses (SSE, long tasks) are not bounded by these.
    requestTimeout: config.connections.requestTimeoutMs,
    keepAliveTimeout: config.connections.keepAliveTimeoutMs,
    connectionTimeout: 0,
    http: { headersTimeout: config.connections.headersTimeoutMs, requestTimeout: config.connections.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, config.connections.requestTimeoutMs) },
    clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => writeClientError(error, socket),
    // Path parameters are ids (<= 128 chars by schema); longer ones are refused by the router before any schema.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error, request, reply) => {
      reply.header('x-correlation-id', request.id);
    reply.header('x-request-id', request.id);
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `params: a path parameter is longer than ${MAX_PARAM_LENGTH} characters` : 'url: malformed request URL';
      return sendError(reply, httpError('INVALID_PARAMS', message, { details: { field: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'params' : 'url' } }), faceOf(request));
    },
  });
  app.server.maxConnections = config.connections.max;
  app.server.headersTimeout = config.connections.headersTimeoutMs;

  // JSON: empty body = no body (e.g. cancel sent with a JSON content-type), depth-limited before parsing.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return done(httpError('INVALID_PARAMS', `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`, { details: { field: 'body', expected: `at most ${MAX_JSON_DEPTH} levels` } }), undefined);
    // A refused `__proto__` key is valid JSON: the answer names the key and where it is, not "not valid JSON".
    return parseJson(request, text, (error: Error | null, parsed: unknown) => (error ? done(poisonedKeyError(text) ?? error, undefined) : done(null, parsed)));
  });
  app.removeContentTypeParser('text/plain');
  // Compressed bodies are decoded before the JSON parser (the body limit counts the decoded bytes).
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = request.headers['content-encoding'];
    if (encoding === undefined) return done(null, payload);
    try {
      done(null, decodedPayload(encoding, payload, config.bodyLimitBytes));
    } catch (error) {
      done(error as Error);
    }
  });

  // A callback hook (not async): no promise per request on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-correlation-id', request.id);
    reply.header('x-request-id', request.id);
    let failure: Error | undefined;
    try {
      failure = refuseRequest(request, reply);
    } catch (error) {
      failure = error as Error;
    }
    done(failure);
  });

  /** Why a request is refused before routing (a key in the query, no or a wrong key, a non-admin key on an admin route). */
  function refuseRequest(request: FastifyRequest, reply: FastifyReply): SwitchyardError | undefined {
    const url = request.url;
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? '' : url.slice(mark + 1);
    if (query !== '' && hasKeyInQuery(query)) {
      reply.header('connection', 'close');
      return httpError('INVALID_PARAMS', 'API keys are not accepted in the query string (they end up in logs); send Authorization: Bearer <key> or X-API-Key', { details: { field: 'querystring' } });
    }
    if (!auth.enabled || config.openPaths.includes(path)) return undefined;
    const scope = auth.scopeOf(ApiKeyAuth.keyFrom(request.headers));
    if (scope === 'none') {
      reply.header('www-authenticate', 'Bearer');
      // An unauthenticated client gets its answer and loses the socket: it cannot park keep-alive connections.
      reply.header('connection', 'close');
      return httpError('UNAUTHORIZED', 'Missing or invalid API key (send Authorization: Bearer <key> or X-API-Key)');
    }
    if (scope !== 'admin' && isAdminRoute(request.method, path)) {
      return httpError('FORBIDDEN', `${request.method} ${path} needs an admin-scoped key (server.auth.adminApiKeys or SWITCHYARD_ADMIN_API_KEYS)`, { details: { field: 'authorization' } });
    }
    return undefined;
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = mapFastifyError(error, config.bodyLimitBytes, request.routeOptions.schema as Record<string, unknown> | undefined);
    // Name and a redacted message only: stacks and raw messages can carry paths, prompts or keys.
    if (mapped.code === 'INTERNAL') request.log.error({ error_name: error.name, error_message: redactSecrets(error.message) }, 'internal error');
    return sendError(reply, mapped, faceOf(request));
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, httpError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`), faceOf(request)));

  const countTokens = options.countTokens ?? options.orchestrator.countTokens?.bind(options.orchestrator);
  const assertKnownModel = options.assertKnownModel ?? knownModelCheckOf(options.orchestrator);
  const context: ServerContext = { orchestrator: options.orchestrator, engines, config, scheduler, assertKnownModel, engineKeyFor, pools, artifacts, sessions: scheduler.sessions ?? sessions, responses: new ResponseStore(state), metrics, now, ...(options.catalog ? { catalog: options.catalog } : {}), ...(countTokens ? { countTokens } : {}) };
  registerSystemRoutes(app, context);
  registerTaskRoutes(app, context);
  registerResourceRoutes(app, context);
  registerOpenAiChatRoutes(app, context);
  registerAnthropicMessagesRoutes(app, context);
  registerAnthropicCountTokensRoute(app, context);
  registerOpenAiCompletionsRoutes(app, context);
  registerOpenAiEmbeddingRoutes(app, context);
  registerOpenAiResponsesRoutes(app, context);

  const checkListen = (listenOptions: { host?: string } = {}): void => {
    const host = listenOptions.host ?? config.host;
    if (!auth.enabled && !isLoopback(host)) {
      throw new SwitchyardError({
        code: 'CONFIG_INVALID',
        // A host given to listen() is the caller's (a --host flag), not the config's server.host.
        message: `${listenOptions.host !== undefined ? 'bind address' : 'server.host'} '${host}' is not a loopback address and auth is off: set server.auth.apiKeys (or SWITCHYARD_API_KEYS), or bind 127.0.0.1`,
        details: { ...(listenOptions.host !== undefined ? { field: 'host' } : { pointer: '/server/host' }), expected: 'a loopback address while no API key is configured', found: host },
      });
    }
  };

  let closing: Promise<{ canceled: number }> | undefined;
  return {
    app,
    config,
    scheduler,
    metrics,
    artifacts,
    checkListen,
    state,
    recovered,
    async listen(listenOptions = {}) {
      const host = listenOptions.host ?? config.host;
      checkListen(listenOptions.host !== undefined ? { host } : {});
      if (!auth.enabled) {
        app.log.warn({ host }, 'auth is off (no API keys configured): listening on loopback only; anyone on this machine can call every route, including catalog, pool and artifact writes');
      }
      return app.listen({ host, port: listenOptions.port ?? config.port });
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        const result = await scheduler.shutdown(closeOptions.deadlineMs ?? config.shutdownDeadlineMs);
        await app.close();
        unfollowEvents();
        await pools.release();
        await state.close();
        return result;
      })();
      return closing;
    },
  };
}

export { redactSecrets } from './redaction.js';

/** Core's check of a model ref (the one /v1 and /v2 share); any other orchestrator answers at run time. */
export function knownModelCheckOf(orchestrator: OrchestratorApi): (modelRef: string) => void {
  return orchestrator instanceof Orchestrator ? (modelRef) => orchestrator.assertKnownModel(modelRef) : () => undefined;
}

const MAX_JSON_DEPTH = 128;
const MAX_PARAM_LENGTH = 256;

/** Writes, with their method, the routes that need the admin scope when auth is on. */
const ADMIN_ROUTES: readonly [string, RegExp][] = [
  ['POST', /^\/v2\/catalog\/models(\/[^/]+\/verify)?\/?$/],
  ['POST', /^\/v2\/pools\/[^/]+\/(drain|reload|resume)\/?$/],
  ['POST', /^\/v2\/artifacts\/?$/],
];

export function isAdminRoute(method: string, path: string): boolean {
  return ADMIN_ROUTES.some(([routeMethod, pattern]) => routeMethod === method && pattern.test(path));
}

function hasKeyInQuery(query: string): boolean {
  for (const pair of query.split('&')) {
    const name = pair.split('=', 1)[0] ?? '';
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // undecodable names are compared as sent
    }
    if (KEY_QUERY_PARAMS.includes(decoded.toLowerCase())) return true;
  }
  return false;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** Fastify/pino options with serializers that never log headers, raw packets or keys in URLs. */
function withSafeSerializers(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false || logger === undefined) return false;
  const base = logger === true ? {} : logger;
  return {
    ...base,
    // Typed loosely: pino's serializer types want a stack, which is exactly what must not be logged.
    serializers: {
      req: (request: { method?: string; url?: string; id?: string }) => ({ method: request.method, url: redactUrl(request.url ?? ''), request_id: request.id }),
      res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
      err: (error: { name?: string; code?: string; message?: string }) => ({ type: error.name, code: error.code, message: redactSecrets(String(error.message ?? '')) }),
    } as Record<string, (value: never) => unknown>,
  } as FastifyServerOptions['logger'];
}

/** Node's own parse errors (400/431/408): an error envelope, never the raw packet; the socket is closed. */
function writeClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'INVALID_PARAMS', 'Request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'TIMEOUT', 'The request was not received within the request timeout']
        : [400, 'INVALID_PARAMS', `Malformed HTTP request (${/^[A-Z_]+$/.test(error.code ?? '') ? error.code : 'parse error'})`];
  const body = JSON.stringify({ code, message, retriable: false, details: { field: 'request' } });
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy();
}

function mapFastifyError(error: FastifyError, bodyLimit: number, routeSchema?: Record<string, unknown>): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  if (error.validation) return validationError(error, routeSchema?.[error.validationContext ?? 'body']);
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return httpError('PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${bodyLimit} bytes`, { details: { limitBytes: bodyLimit } });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return httpError('INVALID_PARAMS', `Unsupported content-type; this route takes application/json`, { details: { field: 'content-type', expected: 'application/json' } });
  if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return httpError('INVALID_PARAMS', 'content-length does not match the body', { details: { field: 'content-length' } });
  if (error.code?.startsWith('FST_ERR_CTP_') || error instanceof SyntaxError) {
    return httpError('INVALID_PARAMS', `body: not valid JSON (${redactSecrets(error.message).slice(0, 200)})`, { details: { field: 'body' } });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return httpError('INVALID_PARAMS', redactSecrets(error.message), { details: { field: 'request' } });
  }
  return new SwitchyardError({ code: 'INTERNAL', message: 'internal', cause: error });
}

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/** A client's value in a message: JSON, a string cut to 64 characters first (never mid-escape), then marked cut. */
function quoted(value: unknown): string {
  if (typeof value === 'string' && value.length > 64) return `${JSON.stringify(value.slice(0, 64))}...`;
  return JSON.stringify(value) ?? String(value);
}

/**
 * The tag values of a `discriminator` union (the chat message roles), read from the route's schema at the issue's
 * schemaPath (`#/properties/messages/items/discriminator`): each branch's `const` or `enum` for the tag.
 */
function discriminatorValues(schema: unknown, schemaPath: string, tag: string): unknown[] {
  let node = schema as Record<string, unknown> | undefined;
  for (const segment of schemaPath.replace(/^#\/?/, '').split('/').slice(0, -1)) {
    node = node?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')] as Record<string, unknown> | undefined;
  }
  const branches = Array.isArray(node?.oneOf) ? (node.oneOf as { properties?: Record<string, { const?: unknown; enum?: unknown[] }> }[]) : [];
  return branches.flatMap((branch) => {
    const property = branch.properties?.[tag];
    return property?.const !== undefined ? [property.const] : Array.isArray(property?.enum) ? property.enum : [];
  });
}

/** One located message; for anyOf/oneOf it names every branch, not just the first one that failed. */
function validationError(error: FastifyError, schema?: unknown): SwitchyardError {
  const issues = error.validation ?? [];
  const union = issues.find((issue) => issue.keyword === 'anyOf' || issue.keyword === 'oneOf');
  const first: ValidationIssue | undefined = union ?? issues[0];
  // An unknown key is reported at the key itself (`/foo`), not at the object that holds it.
  const unknownKey = first?.keyword === 'additionalProperties' && first.params && 'additionalProperty' in first.params ? String(first.params.additionalProperty) : undefined;
  // A `discriminator` union (chat messages by `role`) is reported at its tag: the value is not one of the forms.
  const tag = first?.keyword === 'discriminator' ? (first.params as { tag?: unknown; tagValue?: unknown; error?: unknown }) : undefined;
  // A missing field is reported at that field (OpenAI's `param` names it), not at the object lacking it.
  const missing = first?.keyword === 'required' && first.params && 'missingProperty' in first.params ? String(first.params.missingProperty) : undefined;
  // A key `propertyNames` refuses (a `logit_bias` key that is no token id) is reported at that key, named.
  const badKeyIssue = union ? undefined : issues.find((issue) => issue.instancePath === first?.instancePath && typeof (issue as { propertyName?: unknown }).propertyName === 'string');
  const badKey = badKeyIssue ? String((badKeyIssue as { propertyName?: unknown }).propertyName) : undefined;
  const key = unknownKey ?? (tag ? String(tag.tag) : undefined) ?? missing ?? badKey;
  const pointer = `${first?.instancePath || ''}${key !== undefined ? `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}` : ''}`;
  const where = `${error.validationContext ?? 'request'}${pointer}`;
  let message = unknownKey !== undefined ? `is not a field of ${first?.instancePath ? `${error.validationContext ?? 'request'}${first.instancePath}` : 'the request'} (unknown key '${unknownKey}')` : (first?.message ?? 'is invalid');
  if (missing !== undefined) message = 'is required';
  if (badKey !== undefined) message = `is not a valid key (${quoted(badKey)}: ${badKeyIssue?.message ?? 'is invalid'})`;
  if (tag) {
    const values = tag.error === 'mapping' ? discriminatorValues(schema, first!.schemaPath, String(tag.tag)) : [];
    const forms = values.length > 0 ? `one of ${values.map((value) => `'${String(value)}'`).join(', ')}` : 'one of the forms of this API';
    message = tag.error === 'mapping' ? `must be ${forms} (got ${quoted(tag.tagValue)})` : 'must be a string';
  }
  if (union) {
    const branches = issues.filter((issue) => issue !== union && issue.instancePath.startsWith(pointer)).map((issue) => `${issue.instancePath.slice(pointer.length)} ${issue.message}`.trim());
    if (branches.length > 0) message = `must match one of the allowed forms (${[...new Set(branches)].join('; or ')})`;
  }
  return httpError('INVALID_PARAMS', `${where} ${message}`, {
    details: { field: error.validationContext ?? 'body', pointer, expected: message },
  });
}

/** The error shape of a URL: Anthropic's on `/v1/messages`, OpenAI's on the rest of `/v1`, the envelope elsewhere. */
function faceOf(request: { readonly url: string; readonly headers: Readonly<Record<string, unknown>> }): boolean | 'anthropic' {
  const { url } = request;
  if (url === '/v1/messages' || url.startsWith('/v1/messages/') || url.startsWith('/v1/messages?')) return 'anthropic';
  // The shared /v1/models answers the Anthropic SDK (it sends anthropic-version) in Anthropic's shape.
  if ((url === '/v1/models' || url.startsWith('/v1/models/') || url.startsWith('/v1/models?')) && request.headers['anthropic-version'] !== undefined) return 'anthropic';
  return url.startsWith('/v1/');
}

/** OpenAI's own `error.code` where clients test for it (the envelope's `code` stays ours). */
const OPENAI_CODE: Readonly<Record<string, string>> = { NO_SUCH_MODEL: 'model_not_found' };

/** When a retriable 429/503 names no wait of its own, clients are told to come back after this. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Writes the envelope with its status; 429/503 carry Retry-After (s, >= 1) and X-Backoff-Ms whenever a retry can
 * help (`retriable`), with a default wait when the error names none; statuses clients retry by default carry
 * `x-should-retry` (the envelope's `retriable`).
 */
export function sendError(reply: FastifyReply, error: unknown, openAiShape: boolean | 'anthropic' = false): FastifyReply {
  const envelope = toErrorEnvelope(error);
  const status = statusForCode(envelope.code);
  if (envelope.retriable === true && envelope.retry_after_ms === undefined && (status === 429 || status === 503)) envelope.retry_after_ms = DEFAULT_RETRY_AFTER_MS;
  if (envelope.retry_after_ms !== undefined && (status === 429 || status === 503)) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(envelope.retry_after_ms / 1000))));
    reply.header('x-backoff-ms', String(envelope.retry_after_ms));
  }
  // The official openai and Anthropic clients retry 408/409/429/5xx unless told otherwise: say whether it can help
  // (a 502 OUTPUT_INVALID, already retried here, or a provider's rejected key would only multiply upstream calls).
  if (status >= 500 || status === 408 || status === 409 || status === 429) reply.header('x-should-retry', envelope.retriable === true ? 'true' : 'false');
  // `/v1/messages` answers in Anthropic's shape (`type: "error"`, `error.type` by status: `not_found_error`, ...),
  // with the same `code` and `param` as the OpenAI faces.
  const errorType = openAiShape === 'anthropic' ? anthropicErrorType(status) : status >= 500 ? 'server_error' : 'invalid_request_error';
  const body = openAiShape
    ? { ...(openAiShape === 'anthropic' ? { type: 'error' } : {}), ...envelope, error: { message: envelope.message, type: errorType, code: OPENAI_CODE[envelope.code] ?? envelope.code, param: openAiParam(envelope.details) } }
    : envelope;
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
