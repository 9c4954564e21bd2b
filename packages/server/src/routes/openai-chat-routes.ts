import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';
import type { SseFrame, TaskSpec } from '../server-task.js';
import { cancelOnDisconnect, isTerminalFrame, openSse } from '../sse-response.js';
import { awaitStreamHead, collectChatTask, pumpStream, setDroppedHeader } from './chat-task.js';
import { chatRequestSchema, OPENAI_FIELD_FOR, toChatCall, type ChatBody } from './openai-chat-request.js';
import { addTaskTelemetry } from '../request-telemetry.js';
import { openAiStreamError } from '../http-error.js';
import { chatUsage } from './face-usage.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export { frameError } from './chat-task.js';
export { chatRequestSchema } from './openai-chat-request.js';

const CHAT_ROUTE = '/v1/chat/completions';
const FINISH: Record<string, string> = { stop: 'stop', length: 'length', 'content-filter': 'content_filter', 'tool-calls': 'tool_calls' };
const wireField = (field: string) => OPENAI_FIELD_FOR[field] ?? field;

/** True when the object has an own field (without listing them all). */
function hasFields(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

/** OpenAI-compatible POST /v1/chat/completions (stream and non-stream, tools, response_format), run through admission like any task. */
export function registerOpenAiChatRoutes(app: FastifyInstance, context: ServerContext): void {
  const { scheduler } = context;
  app.post<{ Body: ChatBody }>(CHAT_ROUTE, { schema: { body: chatRequestSchema, querystring: noQuery, headers: commonHeaders } }, async (request, reply) => {
    const body = request.body;
    const call = toChatCall(body, context.config.dropParams);
    const spec: Mutable<TaskSpec> = {
      taskId: `chatcmpl-${randomUUID()}`,
      workload: 'completion',
      modelRef: body.model,
      priority: 'interactive',
      input: { kind: 'text', messages: call.messages },
      // Non-streaming requests use the engine's run(); only streaming ones pay for token-by-token frames.
      stream: body.stream === true,
      keepTranscript: false,
    };
    if (hasFields(call.parameters)) spec.parameters = call.parameters;
    addTaskTelemetry(spec, request, CHAT_ROUTE);
    if (call.dropParams) spec.dropUnsupportedParameters = true;
    context.assertKnownModel(spec.modelRef);
    const { task } = await scheduler.submit(spec);
    const created = Math.floor(Date.now() / 1000);

    if (body.stream) {
      const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
        id: task.id,
        object: 'chat.completion.chunk',
        created,
        model: body.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      });
      cancelOnDisconnect(reply, () => scheduler.cancel(task.id, 'disconnect'));
      const stream = await awaitStreamHead(task, wireField);
      setDroppedHeader(reply, [...call.dropped, ...stream.dropped]);
      const sse = openSse(reply);
      const send = (payload: unknown) => sse.write(`data: ${JSON.stringify(payload)}\n\n`);
      // The per-token chunks (text and tool-call arguments) are the same JSON as chunk(...) but only their delta is
      // serialised: the id/object/created/model head and the tail are built once per stream.
      const head = `data: {"id":${JSON.stringify(task.id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(body.model)},"choices":[{"index":0,"delta":`;
      const tail = ',"logprobs":null,"finish_reason":null}]}\n\n';
      send(chunk({ role: 'assistant', content: '' }, null));
      const toolIndex = new Map<string, number>();
      const write = (frame: SseFrame) => {
        const { t, arguments: args } = frame.data;
        if (frame.event === 'token' && typeof t === 'string') sse.write(`${head}{"content":${JSON.stringify(t)}}${tail}`);
        else if (frame.event === 'tool-call-delta' && typeof args === 'string') {
          sse.write(`${head}{"tool_calls":[{"index":${toolIndex.get(String(frame.data.id)) ?? 0},"function":{"arguments":${JSON.stringify(args)}}}]}${tail}`);
        } else if (frame.event === 'token') send(chunk({ content: t }, null));
        else if (frame.event === 'tool-call-start') {
          const index = toolIndex.size;
          toolIndex.set(String(frame.data.id), index);
          send(chunk({ tool_calls: [{ index, id: frame.data.id, type: 'function', function: { name: frame.data.name, arguments: '' } }] }, null));
        } else if (frame.event === 'tool-call-delta') {
          send(chunk({ tool_calls: [{ index: toolIndex.get(String(frame.data.id)) ?? 0, function: { arguments: frame.data.arguments } }] }, null));
        } else if (frame.event === 'delta' && frame.data.kind === 'refusal') send(chunk({ refusal: frame.data.text }, null));
        else if (frame.event === 'end') {
          send(chunk({}, FINISH[String(frame.data.finish_reason)] ?? 'stop'));
          // No usage chunk when the engine reported no counts (never zeros in their place).
          const usage = body.stream_options?.include_usage ? chatUsage(frame) : undefined;
          if (usage) send({ id: task.id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage });
          sse.write('data: [DONE]\n\n');
        } else if (frame.event === 'error') send({ error: openAiStreamError(frame.data, wireField) });
        if (isTerminalFrame(frame)) sse.end();
      };
      pumpStream(stream, sse, () => scheduler.cancel(task.id, 'disconnect'), write);
      return reply;
    }

    cancelOnDisconnect(reply, () => scheduler.cancel(task.id, 'disconnect'));
    const result = await collectChatTask(task, wireField);
    if (call.dropped.length > 0 || result.dropped.length > 0) setDroppedHeader(reply, [...call.dropped, ...result.dropped]);
    const message: { role: 'assistant'; content: string | null; refusal: string | null; tool_calls?: unknown[] } = { role: 'assistant', content: result.text, refusal: result.refusal ?? null };
    if (result.refusal !== undefined && result.text === '') message.content = null;
    if (result.toolCalls.length > 0) {
      message.tool_calls = result.toolCalls.map((toolCall) => ({ id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: toolCall.arguments } }));
      if (result.text === '') message.content = null;
    }
    const usage = chatUsage(result.end);
    return reply.send({
      id: task.id,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: [{ index: 0, message, finish_reason: FINISH[String(result.end.data.finish_reason)] ?? 'stop', logprobs: null }],
      ...(usage ? { usage } : {}),
    });
  });
}
