import type { FastifyInstance } from 'fastify';
import { httpError, noSuchModel } from '../http-error.js';
import type { CatalogAddRequest } from '../server-catalog.js';
import { commonHeaders, idParams, noQuery, SHA256_PATTERN, type ServerContext } from '../server-context.js';

/** A model id that can also be a folder name under the models dir (not `.` or `..`). */
const CATALOG_ID_PATTERN = '^(?!\\.{1,2}$)[A-Za-z0-9._-]{1,128}$';

/** Sessions, pools, catalog and content-addressed artifacts. */
export function registerResourceRoutes(app: FastifyInstance, context: ServerContext): void {
  const { sessions, scheduler, pools, catalog, artifacts, now } = context;
  const plain = { querystring: noQuery, headers: commonHeaders };

  app.get<{ Params: { id: string } }>('/v2/sessions/:id', { schema: { params: idParams(), ...plain } }, async (request) => {
    const session = await sessions.view(request.params.id, now());
    if (!session) throw httpError('NOT_FOUND', `No session '${request.params.id}' (unknown or expired)`, { details: { field: 'id' } });
    return session;
  });

  app.delete<{ Params: { id: string } }>('/v2/sessions/:id', { schema: { params: idParams(), ...plain } }, async (request, reply) => {
    const canceled = await scheduler.cancelSession(request.params.id);
    if (!(await sessions.delete(request.params.id)) && canceled === 0) throw httpError('NOT_FOUND', `No session '${request.params.id}'`, { details: { field: 'id' } });
    return reply.code(204).send();
  });

  // Engine pools of this node; in distributed mode also the live workers (capabilities from their heartbeats) and cluster figures.
  app.get('/v2/pools', { schema: plain }, async () => {
    const local = await Promise.all(pools.ids().map((id) => pools.health(id)));
    const workers = scheduler.workers ? await scheduler.workers() : undefined;
    const cluster = scheduler.clusterStats ? await scheduler.clusterStats() : undefined;
    return {
      mode: scheduler.mode,
      pools: local,
      ...(workers ? { workers } : {}),
      ...(cluster ? { cluster: { workers: cluster.workers, in_flight: cluster.inFlight, queue_depth: cluster.queueDepth, stalled: cluster.stalled, requeued: cluster.requeued } } : {}),
    };
  });

  app.get<{ Params: { id: string } }>('/v2/pools/:id/health', { schema: { params: idParams(), ...plain } }, async (request) => pools.health(request.params.id));

  app.post<{ Params: { id: string }; Body: { deadline_ms?: number } }>(
    '/v2/pools/:id/drain',
    {
      schema: {
        params: idParams(),
        ...plain,
        body: { type: 'object', additionalProperties: false, properties: { deadline_ms: { type: 'integer', minimum: 0, maximum: 3_600_000 } } },
      },
    },
    async (request, reply) => {
      const deadlineMs = request.body?.deadline_ms ?? 30_000;
      // Distributed mode: a worker id drains that worker (it finishes in-flight work, then leaves).
      if (!pools.has(request.params.id) && scheduler.drainWorker && (await scheduler.drainWorker(request.params.id))) {
        return reply.code(202).send({ pool_id: request.params.id, draining: true, deadline_ms: deadlineMs });
      }
      if (!pools.has(request.params.id)) await pools.health(request.params.id);
      void pools.drain(request.params.id, deadlineMs);
      return reply.code(202).send({ pool_id: request.params.id, draining: true, deadline_ms: deadlineMs });
    },
  );

  app.post<{ Params: { id: string } }>('/v2/pools/:id/resume', { schema: { params: idParams(), ...plain } }, async (request) => pools.resume(request.params.id));

  app.post<{ Params: { id: string }; Body: { new_model_ref: string } }>(
    '/v2/pools/:id/reload',
    {
      schema: {
        params: idParams(),
        ...plain,
        body: { type: 'object', required: ['new_model_ref'], additionalProperties: false, properties: { new_model_ref: { type: 'string', minLength: 1, maxLength: 256 } } },
      },
    },
    async (request) => pools.reload(request.params.id, request.body.new_model_ref),
  );

  const requireCatalog = () => {
    if (!catalog) throw httpError('NOT_FOUND', 'This server has no model catalog configured');
    return catalog;
  };

  app.get('/v2/catalog/models', { schema: plain }, async () => ({ models: await requireCatalog().list() }));

  app.post<{ Body: CatalogAddRequest }>(
    '/v2/catalog/models',
    {
      schema: {
        ...plain,
        body: {
          type: 'object',
          required: ['id', 'metadata'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: CATALOG_ID_PATTERN },
            engine: { type: 'string', minLength: 1, maxLength: 128 },
            // model_metadata.json; validated by core's metadata validator (located errors), not by this schema.
            metadata: { type: 'object' },
          },
        },
      },
    },
    async (request, reply) => {
      // The entry (and its files) would live on this API node only: the workers that run tasks would not know it.
      if (scheduler.mode === 'redis') {
        throw httpError(
          'UNSUPPORTED',
          'POST /v2/catalog/models is not available in distributed mode (queue.redis): the model would exist on this API node only and the workers would answer NO_SUCH_MODEL; add it to the models.dirs or models.packages of the workers and API nodes, then restart them',
          { details: { field: 'queue.redis' } },
        );
      }
      const target = requireCatalog();
      if (!target.add) throw httpError('UNSUPPORTED', 'The catalog is read-only');
      return reply.code(201).send(await target.add(request.body));
    },
  );

  app.get<{ Params: { id: string } }>('/v2/catalog/models/:id', { schema: { params: idParams(), ...plain } }, async (request) => {
    const { id } = request.params;
    const entry = await requireCatalog().get(id);
    if (!entry) throw noSuchModel(`No model '${id}' in the catalog`, id, (await requireCatalog().list()).map((model) => model.id));
    return entry;
  });

  app.post<{ Params: { id: string } }>('/v2/catalog/models/:id/verify', { schema: { params: idParams(), ...plain } }, async (request) => requireCatalog().verify(request.params.id));

  // Artifacts take any content type and keep the bytes exactly as sent (JSON included): a scope of their own
  // whose only parser hands over the raw body.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post('/v2/artifacts', { schema: plain }, async (request, reply) => {
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (bytes.length === 0) throw httpError('INVALID_PARAMS', 'body: an artifact cannot be empty', { details: { field: 'body' } });
      const contentType = (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase() || 'application/octet-stream';
      if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(contentType)) throw httpError('INVALID_PARAMS', `content-type: '${contentType.slice(0, 100)}' is not a media type (type/subtype)`, { details: { field: 'content-type' } });
      const artifact = artifacts.put(bytes, contentType, now());
      return reply.code(201).send({ id: artifact.id, sha256: artifact.id, size: artifact.bytes.length, content_type: artifact.contentType, url: `/v2/artifacts/${artifact.id}` });
    });
  });

  app.get<{ Params: { id: string } }>(
    '/v2/artifacts/:id',
    { schema: { ...plain, params: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', pattern: SHA256_PATTERN } } } } },
    async (request, reply) => {
      const artifact = artifacts.get(request.params.id);
      if (!artifact) throw httpError('NOT_FOUND', `No artifact ${request.params.id}`, { details: { field: 'id' } });
      return reply.header('content-type', artifact.contentType).header('etag', `"${artifact.id}"`).send(artifact.bytes);
    },
  );
}
