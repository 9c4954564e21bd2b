import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';
import type { SseFrame } from '../server-task.js';
import { cancelOnDisconnect, followTask, isTerminalFrame } from '../sse-response.js';
import { frameError } from './openai-chat-routes.js';
import { embeddingRows } from '../task-frames.js';

interface EmbeddingsBody {
  model: string;
  input: string | string[];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
}

/** OpenAI-compatible POST /v1/embeddings and GET /v1/models. */
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
          properties: {
            model: { type: 'string', minLength: 1, maxLength: 256 },
            input: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, maxItems: 2048, items: { type: 'string' } }] },
            encoding_format: { enum: ['float', 'base64'] },
            dimensions: { type: 'integer', minimum: 1 },
            user: { type: 'string' },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const texts = typeof body.input === 'string' ? [body.input] : body.input;
      const { task } = scheduler.submit({
        taskId: `emb-${randomUUID()}`,
        workload: 'embedding',
        modelRef: body.model,
        priority: 'interactive',
        input: { kind: 'texts', texts },
        correlationId: request.id,
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
      const usage = (end.data.usage ?? {}) as { input_tokens?: number };
      const promptTokens = usage.input_tokens ?? 0;
      return {
        object: 'list',
        model: body.model,
        data: vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
        })),
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      };
    },
  );

  app.get('/v1/models', { schema: { querystring: noQuery, headers: commonHeaders } }, async () => {
    const seen = new Map<string, { id: string; object: 'model'; created: number; owned_by: string }>();
    for (const model of config.models) seen.set(model.id, { id: model.id, object: 'model', created: 0, owned_by: model.ownedBy ?? 'switchyard' });
    for (const entry of (await catalog?.list()) ?? []) {
      if (!seen.has(entry.id)) seen.set(entry.id, { id: entry.id, object: 'model', created: 0, owned_by: entry.engine ?? 'switchyard' });
    }
    if (seen.size === 0) for (const engine of engines) seen.set(engine.id, { id: engine.id, object: 'model', created: 0, owned_by: engine.id });
    return { object: 'list', data: [...seen.values()] };
  });
}
