import { SwitchyardError, countTokensUnsupported, type InferenceRequest } from '@switchyard/core';
import type { FastifyInstance } from 'fastify';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';
import { setDroppedHeader } from './chat-task.js';
import { cancelOnDisconnect } from '../sse-response.js';
import { taskTelemetry } from '../request-telemetry.js';
import { assertAdmitting } from '../task-queue.js';
import { countTokensRequestSchema, messagesFieldFor, toMessagesCall, type CountTokensBody } from './anthropic-messages-request.js';

/**
 * Anthropic's `POST /v1/messages/count_tokens`: the body is checked as /v1/messages checks it (nothing accepted
 * and ignored), mapped the same way, and counted by the engine the model runs on (its `doCountTokens`: Anthropic
 * upstreams ask their own count_tokens); an engine without one is a 400 UNSUPPORTED naming the model. Not queued:
 * no model runs.
 */
export function registerAnthropicCountTokensRoute(app: FastifyInstance, context: ServerContext): void {
  app.post<{ Body: CountTokensBody }>('/v1/messages/count_tokens', { schema: { body: countTokensRequestSchema, querystring: noQuery, headers: commonHeaders } }, async (request, reply) => {
    const body = request.body;
    const call = toMessagesCall(body, context.config.dropParams);
    if (!context.countTokens) throw countTokensUnsupported(body.model);
    // Counting reaches the engine (a model load, an upstream call): the same gate as a queued request.
    assertAdmitting(context.scheduler, context.engineKeyFor(body.model));
    // A malformed traceparent is left out, as for every other route.
    const { correlationId, traceparent, tracestate } = taskTelemetry(request);
    const inference: InferenceRequest = {
      model: body.model,
      workload: 'completion',
      input: { kind: 'text', messages: call.messages },
      ...(Object.keys(call.parameters).length > 0 ? { parameters: call.parameters } : {}),
      ...(call.dropParams ? { dropUnsupportedParameters: true } : {}),
      correlationId,
      ...(traceparent !== undefined ? { traceparent } : {}),
      ...(tracestate !== undefined ? { tracestate } : {}),
    };
    const abort = new AbortController();
    cancelOnDisconnect(reply, () => abort.abort());
    try {
      const counted = await context.countTokens(inference, { signal: abort.signal });
      setDroppedHeader(reply, [...call.dropped, ...(counted.droppedParameters ?? []).map((field) => messagesFieldFor(call, field))]);
      return { input_tokens: counted.inputTokens };
    } catch (error) {
      // An engine-side field (`messages[3].isError`) is named as the body field it came from.
      const field = SwitchyardError.isInstance(error) ? error.details.field : undefined;
      if (!SwitchyardError.isInstance(error) || typeof field !== 'string') throw error;
      const named = messagesFieldFor(call, field);
      if (named === field) throw error;
      throw new SwitchyardError({ code: error.code, message: error.message, retriable: error.retriable, retryAfterMs: error.retryAfterMs, details: { ...error.details, field: named } });
    }
  });
}
