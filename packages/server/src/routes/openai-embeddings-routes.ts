import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';
import type { SseFrame } from '../server-task.js';
import { cancelOnDisconnect, followTask, isTerminalFrame } from '../sse-response.js';
import { httpError, noSuchModel } from '../http-error.js';
import { frameError } from './chat-task.js';
import { embeddingRows } from '../task-frames.js';
import { embeddingsUsage } from './face-usage.js';
import { taskTelemetry } from '../request-telemetry.js';
import { registerAnthropicModelRoutes } from './anthropic-models-routes.js';

interface EmbeddingsBody {
  model: string;
  input: string | string[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  drop_params?: boolean;
}

/** OpenAI-compatible POST /v1/embeddings, GET /v1/models and GET /v1/models/{id} (Anthropic clients' models: anthropic-models-routes.ts). */
export function registerOpenAiEmbeddingRoutes(app: FastifyInstance, context: ServerContext): void {
  const { scheduler, catalog, config, engines } = context;

  app.post<{ Body: EmbeddingsBody }>(
    '/v1/embeddings',
    {
      schema: {
        querystring: noQuery,
        headers: commonHeaders,
        body: {
          type: 'object',
          required: ['model', 'input'],
          additionalProperties: false,
          properties: {
            model: { type: 'string', minLength: 1, maxLength: 256 },
            input: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, maxItems: 2048, items: { type: 'string' } }] },
            encoding_format: { enum: ['float', 'base64'] },
            dimensions: { type: 'integer', minimum: 1 },
            user: { type: 'string' },
            drop_params: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const texts = typeof body.input === 'string' ? [body.input] : body.input;
      const dropParams = body.drop_params ?? config.dropParams;
      // No engine here can shorten vectors on request: refuse rather than answer with the wrong size.
      if (body.dimensions !== undefined && !dropParams) {
        throw httpError('UNSUPPORTED', `'dimensions' is not supported for model '${body.model}' by this gateway (send drop_params: true to drop it)`, { details: { field: 'dimensions' } });
      }
      if (body.dimensions !== undefined) reply.header('x-switchyard-dropped-params', 'dimensions');
      context.assertKnownModel(body.model);
      const { task } = await scheduler.submit({
        taskId: `emb-${randomUUID()}`,
        workload: 'embedding',
        modelRef: body.model,
        priority: 'interactive',
        input: { kind: 'texts', texts },
        ...(body.user !== undefined ? { parameters: { user: body.user } } : {}),
        ...(dropParams ? { dropUnsupportedParameters: true } : {}),
        ...taskTelemetry(request),
        stream: false,
        keepTranscript: false,
      });
      cancelOnDisconnect(reply, () => scheduler.cancel(task.id, 'disconnect'));
      let output: Record<string, unknown> | undefined;
      const end = await new Promise<SseFrame>((resolve) => {
        followTask(task, (frame) => {
          if (frame.event === 'delta') output = frame.data;
          if (isTerminalFrame(frame)) resolve(frame);
        });
      });
      if (end.event === 'error') throw frameError(end);
      const vectors = embeddingRows(output);
      return {
        object: 'list',
        model: body.model,
        data: vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
        })),
        usage: embeddingsUsage(end),
      };
    },
  );

  const listModels = async () => {
    const seen = new Map<string, { id: string; object: 'model'; created: number; owned_by: string }>();
    for (const model of config.models) seen.set(model.id, { id: model.id, object: 'model', created: 0, owned_by: model.ownedBy ?? 'switchyard' });
    for (const entry of (await catalog?.list()) ?? []) {
      if (!seen.has(entry.id)) seen.set(entry.id, { id: entry.id, object: 'model', created: 0, owned_by: entry.engine ?? 'switchyard' });
    }
    if (seen.size === 0) for (const engine of engines) seen.set(engine.id, { id: engine.id, object: 'model', created: 0, owned_by: engine.id });
    return seen;
  };
  // Listed ids, plus `engine:model` refs on a registered engine (what the router accepts).
  const refEngine = (id: string) => (id.includes(':') ? engines.find((e) => e.id === id.slice(0, id.indexOf(':'))) : undefined);
  app.get('/v1/models', { schema: { querystring: noQuery, headers: commonHeaders } }, async () => ({ object: 'list', data: [...(await listModels()).values()] }));
  app.get<{ Params: { id: string } }>('/v1/models/:id', { schema: { querystring: noQuery, headers: commonHeaders } }, async (request) => {
    const id = request.params.id;
    const models = await listModels();
    const listed = models.get(id);
    if (listed) return listed;
    const engine = refEngine(id);
    if (engine) return { id, object: 'model', created: 0, owned_by: engine.id };
    throw noSuchModel(`The model '${id}' does not exist`, id, models.keys());
  });
  registerAnthropicModelRoutes(app, {
    listIds: async () => [...(await listModels()).keys()],
    has: async (id) => (await listModels()).has(id) || refEngine(id) !== undefined,
  });
}
