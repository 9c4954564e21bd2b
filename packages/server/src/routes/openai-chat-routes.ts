import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ChatMessage, GenerationParameters } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import { randomUUID } from 'node:crypto';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';
import type { ServerTask, SseFrame } from '../server-task.js';
import { cancelOnDisconnect, followTask, isTerminalFrame, openSse } from '../sse-response.js';

const contentPart = { type: 'object', required: ['type'], properties: { type: { const: 'text' }, text: { type: 'string' } } } as const;

export const chatRequestSchema = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role', 'content'],
        properties: {
          role: { enum: ['system', 'developer', 'user', 'assistant'] },
          content: { anyOf: [{ type: 'string' }, { type: 'array', items: contentPart }] },
          name: { type: 'string' },
        },
      },
    },
    stream: { type: 'boolean' },
    stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' } } },
    max_tokens: { type: ['integer', 'null'], minimum: 1 },
    max_completion_tokens: { type: ['integer', 'null'], minimum: 1 },
    temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
    top_p: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    seed: { type: ['integer', 'null'] },
    stop: { anyOf: [{ type: 'string' }, { type: 'array', maxItems: 4, items: { type: 'string' } }, { type: 'null' }] },
    n: { type: ['integer', 'null'], minimum: 1, maximum: 1 },
    user: { type: 'string' },
  },
} as const;

interface ChatBody {
  model: string;
  messages: { role: 'system' | 'developer' | 'user' | 'assistant'; content: string | { type: 'text'; text?: string }[] }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
}

const FINISH: Record<string, string> = { stop: 'stop', length: 'length', 'content-filter': 'content_filter' };

function toParameters(body: ChatBody): GenerationParameters {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(body.seed != null ? { seed: body.seed } : {}),
    ...(stop ? { stop } : {}),
  };
}

function toMessages(body: ChatBody): ChatMessage[] {
  return body.messages.map((message) => ({
    role: message.role === 'developer' ? 'system' : message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map((part) => part.text ?? '').join(''),
  }));
}

/** Error frame -> SwitchyardError so the HTTP status map applies. */
export function frameError(frame: SseFrame): SwitchyardError {
  const data = frame.data as { code: SwitchyardError['code']; message: string; retriable?: boolean; retry_after_ms?: number; policy_label?: string; engine?: string };
  return new SwitchyardError({
    code: data.code,
    message: data.message,
    retriable: data.retriable,
    retryAfterMs: data.retry_after_ms,
    details: { ...(data.policy_label ? { policy_label: data.policy_label } : {}), ...(data.engine ? { engine: data.engine } : {}) },
  });
}

/** Resolves with the first frame (to choose between an HTTP error and a 200 stream) and the rest via the callback. */
export function firstFrame(task: ServerTask, onLater: (frame: SseFrame) => void): { first: Promise<SseFrame>; unsubscribe: () => void } {
  let resolveFirst!: (frame: SseFrame) => void;
  const first = new Promise<SseFrame>((resolve) => (resolveFirst = resolve));
  let seen = false;
  const unsubscribe = followTask(task, (frame) => {
    if (!seen) {
      seen = true;
      resolveFirst(frame);
    } else onLater(frame);
  });
  return { first, unsubscribe };
}

/** OpenAI-compatible POST /v1/chat/completions (stream and non-stream), running through admission like any task. */
export function registerOpenAiChatRoutes(app: FastifyInstance, context: ServerContext): void {
  const { scheduler } = context;
  app.post<{ Body: ChatBody }>('/v1/chat/completions', { schema: { body: chatRequestSchema, querystring: noQuery, headers: commonHeaders } }, async (request, reply) => {
    const body = request.body;
    const parameters = toParameters(body);
    const { task } = scheduler.submit({
      taskId: `chatcmpl-${randomUUID()}`,
      workload: 'completion',
      modelRef: body.model,
      priority: 'interactive',
      input: { kind: 'text', messages: toMessages(body) },
      ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
      correlationId: request.id,
      // Non-streaming requests use the engine's run(); only streaming ones pay for token-by-token frames.
      stream: body.stream === true,
      keepTranscript: false,
    });
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
      id: task.id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    });
    const usageOf = (frame: SseFrame) => {
      const usage = (frame.data.usage ?? {}) as { input_tokens?: number; output_tokens?: number };
      const completion = usage.output_tokens ?? (frame.data.tokens_out as number);
      const prompt = usage.input_tokens ?? 0;
      return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    };

    if (body.stream) {
      const pending: SseFrame[] = [];
      let write: ((frame: SseFrame) => void) | undefined;
      const { first, unsubscribe } = firstFrame(task, (frame) => (write ? write(frame) : pending.push(frame)));
      const head = await first;
      if (head.event === 'error') throw frameError(head);
      const sse = openSse(reply);
      const send = (payload: unknown) => sse.write(`data: ${JSON.stringify(payload)}\n\n`);
      send(chunk({ role: 'assistant', content: '' }, null));
      write = (frame) => {
        if (frame.event === 'token') send(chunk({ content: frame.data.t }, null));
        else if (frame.event === 'end') {
          send(chunk({}, FINISH[String(frame.data.finish_reason)] ?? 'stop'));
          if (body.stream_options?.include_usage) send({ id: task.id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: usageOf(frame) });
          sse.write('data: [DONE]\n\n');
        } else if (frame.event === 'error') send({ error: { ...frame.data, type: 'server_error' } });
        if (isTerminalFrame(frame)) sse.end();
      };
      sse.onClientClose(() => {
        unsubscribe();
        scheduler.cancel(task.id, 'disconnect');
      });
      write(head);
      for (const frame of pending.splice(0)) write(frame);
      return reply;
    }

    cancelOnDisconnect(reply, () => scheduler.cancel(task.id, 'disconnect'));
    const text: string[] = [];
    const end = await new Promise<SseFrame>((resolve) => {
      followTask(task, (frame) => {
        if (frame.event === 'token') text.push(String(frame.data.t));
        if (frame.event === 'delta' && frame.data.kind === 'text') text.push(String(frame.data.text));
        if (isTerminalFrame(frame)) resolve(frame);
      });
    });
    if (end.event === 'error') throw frameError(end);
    return sendCompletion(reply, {
      id: task.id,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text.join('') }, finish_reason: FINISH[String(end.data.finish_reason)] ?? 'stop', logprobs: null }],
      usage: usageOf(end),
    });
  });
}

function sendCompletion(reply: FastifyReply, payload: unknown): FastifyReply {
  return reply.code(200).send(payload);
}
