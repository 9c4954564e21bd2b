import type { FastifyInstance } from 'fastify';
import { httpError } from '../http-error.js';
import { commonHeaders, idParams, noQuery, type ServerContext } from '../server-context.js';
import { openSse, streamTaskEvents } from '../sse-response.js';
import { taskRequestSchema, toTaskSpec, type TaskRequestBody } from './task-request.js';

/** The task API: admission (202), SSE events, race-free cancel, task status. */
export function registerTaskRoutes(app: FastifyInstance, context: ServerContext): void {
  const { scheduler, artifacts } = context;
  const taskOr404 = (id: string) => {
    const task = scheduler.get(id);
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
      const ticket = scheduler.submit(toTaskSpec(request.body, artifacts, request.id));
      const { task } = ticket;
      // `Accept: text/event-stream` = admit and stream in one call (handy for curl).
      if ((request.headers.accept ?? '').includes('text/event-stream')) {
        streamTaskEvents(task, openSse(reply), ticket, () => scheduler.cancel(task.id, 'disconnect'));
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
    const task = taskOr404(request.params.id);
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

  app.get<{ Params: { id: string } }>('/v2/tasks/:id/events', { schema: { params: idParams(), querystring: noQuery, headers: commonHeaders } }, async (request, reply) => {
    const task = taskOr404(request.params.id);
    streamTaskEvents(task, openSse(reply), scheduler.position(task), () => scheduler.cancel(task.id, 'disconnect'));
    return reply;
  });

  app.post<{ Params: { id: string } }>('/v2/tasks/:id/cancel', { schema: { params: idParams(), querystring: noQuery, headers: commonHeaders } }, async (request, reply) => {
    taskOr404(request.params.id);
    scheduler.cancel(request.params.id, 'client');
    return reply.code(204).send();
  });
}
