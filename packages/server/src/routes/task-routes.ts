import type { FastifyInstance } from 'fastify';
import { httpError } from '../http-error.js';
import { commonHeaders, idParams, noQuery, type ServerContext } from '../server-context.js';
import { openSse, streamTaskEvents } from '../sse-response.js';
import { taskRequestSchema, toTaskSpec, type TaskRequestBody } from './task-request.js';
import { taskTelemetry } from '../request-telemetry.js';

/** The task API: admission (202), SSE events, race-free cancel, task status. */
export function registerTaskRoutes(app: FastifyInstance, context: ServerContext): void {
  const { scheduler, artifacts } = context;
  // The pools a placement may name: the server's engines (pool ids).
  const pools = context.engines.map((engine) => engine.id);
  const taskOr404 = async (id: string) => {
    const task = await scheduler.lookup(id);
    if (!task) throw httpError('NOT_FOUND', `No task '${id}' (unknown or expired)`, { details: { taskId: id } });
    return task;
  };

  app.post<{ Body: TaskRequestBody }>(
    '/v2/tasks',
    {
      schema: {
        body: taskRequestSchema,
        querystring: noQuery,
        headers: { ...commonHeaders, properties: { ...commonHeaders.properties, accept: { type: 'string', maxLength: 512 } } },
      },
    },
    async (request, reply) => {
      // An unknown model is a 404 now, not a queued task whose stream ends in NO_SUCH_MODEL.
      context.assertKnownModel(request.body.model_ref);
      const ticket = await scheduler.submit(toTaskSpec(request.body, artifacts, taskTelemetry(request), pools));
      const { task } = ticket;
      // `Accept: text/event-stream` = admit and stream in one call (handy for curl).
      if ((request.headers.accept ?? '').includes('text/event-stream')) {
        streamTaskEvents(task, openSse(reply), ticket, () => void scheduler.cancel(task.id, 'disconnect'));
        return reply;
      }
      return reply.code(202).send({
        task_id: task.id,
        queue_position: ticket.queuePosition,
        predicted_start_ms: ticket.predictedStartMs,
        backoff_ms: ticket.predictedStartMs,
        streams: { sse: `/v2/tasks/${task.id}/events` },
      });
    },
  );

  app.get<{ Params: { id: string } }>('/v2/tasks/:id', { schema: { params: idParams(), querystring: noQuery, headers: commonHeaders } }, async (request) => {
    const task = await taskOr404(request.params.id);
    const position = scheduler.position(task);
    return {
      task_id: task.id,
      state: task.state,
      model_ref: task.spec.modelRef,
      priority: task.spec.priority,
      queue_position: position.queuePosition,
      predicted_start_ms: position.predictedStartMs,
      frames: task.frames.length,
      transcript_artifact: task.transcriptArtifact ?? null,
    };
  });

  // Every frame carries `id: <seq>`; a client that reconnects with Last-Event-ID gets the frames after it, none twice.
  app.get<{ Params: { id: string }; Headers: { 'last-event-id'?: string } }>(
    '/v2/tasks/:id/events',
    {
      schema: {
        params: idParams(),
        querystring: noQuery,
        headers: { ...commonHeaders, properties: { ...commonHeaders.properties, 'last-event-id': { type: 'string', pattern: '^[0-9]{1,9}$' } } },
      },
    },
    async (request, reply) => {
      const task = await taskOr404(request.params.id);
      const lastEventId = request.headers['last-event-id'];
      streamTaskEvents(task, openSse(reply), scheduler.position(task), () => void scheduler.cancel(task.id, 'disconnect'), lastEventId === undefined ? -1 : Number(lastEventId));
      return reply;
    },
  );

  app.post<{ Params: { id: string } }>('/v2/tasks/:id/cancel', { schema: { params: idParams(), querystring: noQuery, headers: commonHeaders } }, async (request, reply) => {
    await taskOr404(request.params.id);
    await scheduler.cancel(request.params.id, 'client');
    return reply.code(204).send();
  });
}
