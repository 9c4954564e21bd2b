import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { EngineV1, OrchestratorApi } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import { AdmissionQueue } from './admission-queue.js';
import { ApiKeyAuth } from './api-key-auth.js';
import { ArtifactStore } from './artifact-store.js';
import { httpError, statusForCode, toErrorEnvelope } from './http-error.js';
import { PoolRegistry } from './pool-registry.js';
import { registerOpenAiChatRoutes } from './routes/openai-chat-routes.js';
import { registerOpenAiEmbeddingRoutes } from './routes/openai-embeddings-routes.js';
import { registerResourceRoutes } from './routes/resource-routes.js';
import { registerSystemRoutes } from './routes/system-routes.js';
import { registerTaskRoutes } from './routes/task-routes.js';
import type { ServerCatalog } from './server-catalog.js';
import { resolveServerConfig, type ResolvedServerConfig, type ServerConfig } from './server-config.js';
import type { ServerContext } from './server-context.js';
import { ServerMetrics, type CircuitState } from './server-metrics.js';
import type { ServerTask } from './server-task.js';
import { ServiceTimeEstimator } from './service-time-estimator.js';
import { SessionStore } from './session-store.js';
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
  /** Which engine a model ref runs on (admission concurrency key); default: `engine:` prefix, catalog, sole engine. */
  readonly engineKeyFor?: (modelRef: string) => string;
  /** Engine id -> model ref it serves at startup (pool health, reload). */
  readonly poolModels?: Readonly<Record<string, string>>;
  /** Turn off process-level default metrics (several servers in one process). */
  readonly defaultMetrics?: boolean;
}

export interface SwitchyardServer {
  readonly app: FastifyInstance;
  readonly config: ResolvedServerConfig;
  readonly scheduler: TaskScheduler;
  readonly metrics: ServerMetrics;
  readonly artifacts: ArtifactStore;
  /** Binds (default config host/port) and returns the base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Graceful: stop admitting, finish or cancel in-flight work within the deadline, close sockets, release engines. */
  close(options?: { deadlineMs?: number }): Promise<{ canceled: number }>;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

async function defaultEngineKeyFor(engines: readonly EngineV1[], catalog: ServerCatalog | undefined, config: ResolvedServerConfig): Promise<(modelRef: string) => string> {
  const engineIds = new Set(engines.map((engine) => engine.id));
  const byModel = new Map<string, string>();
  for (const entry of (await catalog?.list()) ?? []) if (entry.engine) byModel.set(entry.id, entry.engine);
  for (const model of config.models) if (model.ownedBy && engineIds.has(model.ownedBy)) byModel.set(model.id, model.ownedBy);
  const sole = engines.length === 1 ? engines[0]!.id : 'default';
  return (modelRef) => {
    const prefix = modelRef.includes(':') ? modelRef.slice(0, modelRef.indexOf(':')) : undefined;
    if (prefix !== undefined && engineIds.has(prefix)) return prefix;
    return byModel.get(modelRef) ?? sole;
  };
}

export async function createServer(options: CreateServerOptions): Promise<SwitchyardServer> {
  const config = resolveServerConfig(options.config, options.env);
  const engines = options.engines ?? [];
  const now = Date.now;
  const metrics = new ServerMetrics({ defaultMetrics: options.defaultMetrics ?? true, ...(options.circuitStates ? { circuitStates: options.circuitStates } : {}) });
  const estimator = new ServiceTimeEstimator(config.admission.initialServiceMs);
  const artifacts = new ArtifactStore(config.artifactsMaxTotalBytes);
  const sessions = new SessionStore(config.sessions);
  const concurrencyFor = (engineKey: string) => config.admission.engineConcurrency[engineKey] ?? config.admission.defaultConcurrency;
  const engineKeyFor = options.engineKeyFor ?? (await defaultEngineKeyFor(engines, options.catalog, config));
  const scheduler = new TaskScheduler({
    orchestrator: options.orchestrator,
    queue: new AdmissionQueue<ServerTask>(config.admission),
    estimator,
    metrics,
    artifacts,
    sessions,
    concurrencyFor,
    engineKeyFor,
    retentionMs: config.taskRetentionMs,
    now,
    onInternalError: (task, error) =>
      app.log.error({ correlation_id: task.spec.correlationId, task_id: task.id, error_name: (error as Error)?.name, error_message: redactSecrets(String((error as Error)?.message ?? error)) }, 'task failed with an internal error'),
  });
  const pools = new PoolRegistry(engines, scheduler, estimator, concurrencyFor, options.catalog);
  for (const [engine, modelRef] of Object.entries(options.poolModels ?? {})) pools.setModelRef(engine, modelRef);
  const auth = new ApiKeyAuth(config.apiKeys);

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (request) => {
      const header = request.headers['x-correlation-id'];
      return typeof header === 'string' && CORRELATION_ID.test(header) ? header : randomUUID();
    },
    // Bodies are validated strictly (no type coercion, unknown fields are errors where schemas say so).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
    // Tasks are finished or canceled before close, so remaining sockets are only idle keep-alives or ended streams.
    forceCloseConnections: true,
  });
  app.addContentTypeParser(['application/octet-stream', 'image/*', 'audio/*', 'text/*'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
    const path = request.url.split('?')[0] ?? '';
    if (auth.enabled && !config.openPaths.includes(path) && !auth.verify(ApiKeyAuth.keyFrom(request.headers))) {
      reply.header('www-authenticate', 'Bearer');
      throw httpError('UNAUTHORIZED', 'Missing or invalid API key (send Authorization: Bearer <key> or X-API-Key)');
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = mapFastifyError(error, config.bodyLimitBytes);
    // Name and a redacted message only: stacks and raw messages can carry paths, prompts or keys.
    if (mapped.code === 'INTERNAL') request.log.error({ error_name: error.name, error_message: redactSecrets(error.message) }, 'internal error');
    return sendError(reply, mapped, request.url.startsWith('/v1/'));
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, httpError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`), request.url.startsWith('/v1/')));

  const context: ServerContext = { orchestrator: options.orchestrator, engines, config, scheduler, pools, artifacts, sessions, metrics, now, ...(options.catalog ? { catalog: options.catalog } : {}) };
  registerSystemRoutes(app, context);
  registerTaskRoutes(app, context);
  registerResourceRoutes(app, context);
  registerOpenAiChatRoutes(app, context);
  registerOpenAiEmbeddingRoutes(app, context);

  let closing: Promise<{ canceled: number }> | undefined;
  return {
    app,
    config,
    scheduler,
    metrics,
    artifacts,
    async listen(listenOptions = {}) {
      return app.listen({ host: listenOptions.host ?? config.host, port: listenOptions.port ?? config.port });
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        const result = await scheduler.shutdown(closeOptions.deadlineMs ?? config.shutdownDeadlineMs);
        await app.close();
        await pools.release();
        return result;
      })();
      return closing;
    },
  };
}

const SECRET_PATTERNS = [/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, /\bBearer\s+\S+/gi, /\b[A-Za-z0-9_-]{32,}\b/g];

/** Masks key-like substrings before anything reaches a log line. */
export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((masked, pattern) => masked.replace(pattern, '[redacted]'), text).slice(0, 500);
}

function mapFastifyError(error: FastifyError, bodyLimit: number): SwitchyardError {
  if (SwitchyardError.isInstance(error)) return error;
  if (error.validation) {
    const first = error.validation[0];
    const pointer = first?.instancePath || '';
    const where = `${error.validationContext ?? 'request'}${pointer}`;
    const extra = first?.params && 'additionalProperty' in first.params ? ` '${String(first.params.additionalProperty)}'` : '';
    return httpError('INVALID_PARAMS', `${where} ${first?.message ?? 'is invalid'}${extra}`, {
      details: { field: error.validationContext ?? 'body', pointer, expected: first?.message ?? 'valid value' },
    });
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return httpError('PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${bodyLimit} bytes`, { details: { limitBytes: bodyLimit } });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return httpError('INVALID_PARAMS', `Unsupported content-type; send application/json`, { details: { field: 'content-type' } });
  if (error.code?.startsWith('FST_ERR_CTP_') || error instanceof SyntaxError) {
    return httpError('INVALID_PARAMS', `body: not valid JSON (${error.message})`, { details: { field: 'body' } });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return httpError('INVALID_PARAMS', error.message, { details: { field: 'request' } });
  }
  return new SwitchyardError({ code: 'INTERNAL', message: 'internal', cause: error });
}

/** Writes the envelope with its status; 429/503 carry Retry-After (s, >= 1) and X-Backoff-Ms. */
export function sendError(reply: FastifyReply, error: unknown, openAiShape = false): FastifyReply {
  const envelope = toErrorEnvelope(error);
  const status = statusForCode(envelope.code);
  if (envelope.retry_after_ms !== undefined && (status === 429 || status === 503)) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(envelope.retry_after_ms / 1000))));
    reply.header('x-backoff-ms', String(envelope.retry_after_ms));
  }
  const body = openAiShape
    ? { ...envelope, error: { message: envelope.message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: envelope.code, param: null } }
    : envelope;
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
