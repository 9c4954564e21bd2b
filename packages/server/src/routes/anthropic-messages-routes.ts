import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { statusForCode } from '../http-error.js';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';
import type { SseFrame } from '../server-task.js';
import { cancelOnDisconnect, isTerminalFrame, openSse } from '../sse-response.js';
import { MESSAGES_FIELD_FOR, messagesFieldOf, messagesRequestSchema, toMessagesCall, type MessagesBody } from './anthropic-messages-request.js';
import { awaitStreamHead, collectChatTask, frameError, pumpStream, setDroppedHeader } from './chat-task.js';
import { taskTelemetry } from '../request-telemetry.js';
import { messagesUsage } from './face-usage.js';

const STOP: Record<string, string> = { stop: 'end_turn', length: 'max_tokens', 'tool-calls': 'tool_use', 'content-filter': 'refusal' };
const wireField = (field: string) => MESSAGES_FIELD_FOR[field] ?? field;

/** `stop_reason` and `stop_sequence` of an end frame: `stop_sequence` names the matched one when the engine reported it. */
function stopOf(end: SseFrame): { stop_reason: string; stop_sequence: string | null } {
  const matched = typeof end.data.stop_sequence === 'string' ? end.data.stop_sequence : null;
  if (matched !== null && end.data.finish_reason === 'stop') return { stop_reason: 'stop_sequence', stop_sequence: matched };
  return { stop_reason: STOP[String(end.data.finish_reason)] ?? 'end_turn', stop_sequence: null };
}

const ERROR_TYPE: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 503: 'overloaded_error' };

/** A stream error event in Anthropic's shape (HTTP errors use the gateway's envelope, whose `error.{type,message}` the SDK reads). */
function streamError(frame: SseFrame): { type: string; message: string; code: string } {
  const error = frameError(frame, wireField);
  const status = statusForCode(error.code);
  return { type: ERROR_TYPE[status] ?? 'api_error', message: error.message, code: error.code };
}

/** Anthropic Messages API face: POST /v1/messages (stream and not, tools), authenticated with x-api-key like every route. */
export function registerAnthropicMessagesRoutes(app: FastifyInstance, context: ServerContext): void {
  const { scheduler } = context;
  app.post<{ Body: MessagesBody }>(
    '/v1/messages',
    {
      schema: { body: messagesRequestSchema, querystring: noQuery, headers: commonHeaders },
    },
    async (request, reply) => {
      const body = request.body;
      const call = toMessagesCall(body, context.config.dropParams);
      // Engine-side fields (`messages[3].isError`) are reported as the body field they came from.
      const fieldOf = (field: string) => messagesFieldOf(call.sources, field) ?? wireField(field);
      const { task } = await scheduler.submit({
        taskId: `msg_${randomUUID().replaceAll('-', '')}`,
        workload: 'completion',
        modelRef: body.model,
        priority: 'interactive',
        input: { kind: 'text', messages: call.messages },
        parameters: call.parameters,
        ...taskTelemetry(request),
        stream: body.stream === true,
        keepTranscript: false,
        ...(call.dropParams ? { dropUnsupportedParameters: true } : {}),
      });
      cancelOnDisconnect(reply, () => scheduler.cancel(task.id, 'disconnect'));

      if (!body.stream) {
        const result = await collectChatTask(task, fieldOf);
        setDroppedHeader(reply, [...call.dropped, ...result.dropped]);
        const content = [
          ...(result.text !== '' || result.toolCalls.length === 0 ? [{ type: 'text', text: result.text }] : []),
          ...result.toolCalls.map((toolCall) => ({ type: 'tool_use', id: toolCall.id, name: toolCall.name, input: JSON.parse(toolCall.arguments || '{}') as unknown })),
        ];
        return reply.code(200).send({
          id: task.id,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content,
          ...stopOf(result.end),
          usage: messagesUsage(result.end),
        });
      }

      const stream = await awaitStreamHead(task, fieldOf);
      setDroppedHeader(reply, [...call.dropped, ...stream.dropped]);
      const sse = openSse(reply);
      const send = (event: string, data: Record<string, unknown>) => sse.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
      send('message_start', { message: { id: task.id, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: null, cache_read_input_tokens: null } } });
      // Content blocks are numbered in order; a text block stays open until a tool call or the end.
      let index = -1;
      let open: 'text' | 'tool' | undefined;
      const close = () => {
        if (open !== undefined) send('content_block_stop', { index });
        open = undefined;
      };
      const write = (frame: SseFrame) => {
        if (frame.event === 'token') {
          if (open !== 'text') {
            close();
            index += 1;
            open = 'text';
            send('content_block_start', { index, content_block: { type: 'text', text: '' } });
          }
          send('content_block_delta', { index, delta: { type: 'text_delta', text: frame.data.t } });
        } else if (frame.event === 'tool-call-start') {
          close();
          index += 1;
          open = 'tool';
          send('content_block_start', { index, content_block: { type: 'tool_use', id: frame.data.id, name: frame.data.name, input: {} } });
        } else if (frame.event === 'tool-call-delta') {
          send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: frame.data.arguments } });
        } else if (frame.event === 'tool-call-end') close();
        else if (frame.event === 'end') {
          close();
          send('message_delta', { delta: stopOf(frame), usage: messagesUsage(frame) });
          send('message_stop', {});
        } else if (frame.event === 'error') send('error', { error: streamError(frame) });
        if (isTerminalFrame(frame)) sse.end();
      };
      pumpStream(stream, sse, () => scheduler.cancel(task.id, 'disconnect'), write);
      return reply;
    },
  );
}
