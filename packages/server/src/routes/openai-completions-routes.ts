import type { GenerationParameters } from '@switchyard/core';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';
import type { SseFrame } from '../server-task.js';
import { cancelOnDisconnect, isTerminalFrame, openSse } from '../sse-response.js';
import { awaitStreamHead, collectChatTask, pumpStream, setDroppedHeader } from './chat-task.js';
import { OPENAI_FIELD_FOR } from './openai-chat-request.js';
import { refuseOrDrop, type ChangesAnswer } from './unsupported-fields.js';
import { chatUsage } from './face-usage.js';
import { openAiStreamError } from '../http-error.js';
import { taskTelemetry } from '../request-telemetry.js';

/** Every field of the legacy completions request: honoured, or refused by name (dropped with drop_params). */
const completionsSchema = {
  type: 'object',
  required: ['model', 'prompt'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    prompt: { anyOf: [{ type: 'string' }, { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string' } }] },
    max_tokens: { type: ['integer', 'null'], minimum: 1 },
    temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
    top_p: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    seed: { type: ['integer', 'null'], minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
    stop: { anyOf: [{ type: 'string' }, { type: 'array', maxItems: 4, items: { type: 'string' } }, { type: 'null' }] },
    presence_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
    frequency_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
    // Token ids (as OpenAI: a key that is not one is refused) to a bias in [-100, 100].
    logit_bias: { type: ['object', 'null'], propertyNames: { pattern: '^[0-9]+$' }, additionalProperties: { type: 'number', minimum: -100, maximum: 100 } },
    user: { type: 'string' },
    stream: { type: ['boolean', 'null'] },
    stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' } } },
    n: { type: ['integer', 'null'], minimum: 1 },
    best_of: { type: ['integer', 'null'], minimum: 1 },
    echo: { type: ['boolean', 'null'] },
    logprobs: { type: ['integer', 'null'] },
    suffix: { type: ['string', 'null'] },
    drop_params: { type: 'boolean' },
  },
} as const;

interface CompletionsBody {
  model: string;
  prompt: string | string[];
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  user?: string;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  n?: number | null;
  best_of?: number | null;
  echo?: boolean | null;
  logprobs?: number | null;
  suffix?: string | null;
  drop_params?: boolean;
}

const FINISH: Record<string, string> = { stop: 'stop', length: 'length', 'content-filter': 'content_filter' };
const UNSUPPORTED: Readonly<Partial<Record<keyof CompletionsBody, ChangesAnswer>>> = {
  n: (v) => v !== 1,
  best_of: (v) => v !== 1,
  echo: (v) => v === true,
  logprobs: () => true,
  suffix: () => true,
};

/** Legacy POST /v1/completions (text in, text out; stream and not). */
export function registerOpenAiCompletionsRoutes(app: FastifyInstance, context: ServerContext): void {
  const { scheduler } = context;
  app.post<{ Body: CompletionsBody }>('/v1/completions', { schema: { body: completionsSchema, querystring: noQuery, headers: commonHeaders } }, async (request, reply) => {
    const body = request.body;
    const dropParams = body.drop_params ?? context.config.dropParams;
    const dropped = refuseOrDrop(body as unknown as Record<string, unknown>, UNSUPPORTED, body.model, dropParams);
    const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
    const parameters: GenerationParameters = {
      ...(body.max_tokens != null ? { maxTokens: body.max_tokens } : {}),
      ...(body.temperature != null ? { temperature: body.temperature } : {}),
      ...(body.top_p != null ? { topP: body.top_p } : {}),
      ...(body.seed != null ? { seed: body.seed } : {}),
      ...(stop?.length ? { stop } : {}),
      ...(body.presence_penalty != null ? { presencePenalty: body.presence_penalty } : {}),
      ...(body.frequency_penalty != null ? { frequencyPenalty: body.frequency_penalty } : {}),
      ...(body.logit_bias != null ? { logitBias: body.logit_bias } : {}),
      ...(body.user !== undefined ? { user: body.user } : {}),
    };
    context.assertKnownModel(body.model);
    const { task } = await scheduler.submit({
      taskId: `cmpl-${randomUUID()}`,
      workload: 'completion',
      modelRef: body.model,
      priority: 'interactive',
      // The prompt is continued as is (an OpenAI-style upstream's /v1/completions), never wrapped in a chat turn.
      input: { kind: 'text', prompt: typeof body.prompt === 'string' ? body.prompt : body.prompt[0]!, rawPrompt: true },
      ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
      ...taskTelemetry(request),
      stream: body.stream === true,
      keepTranscript: false,
      ...(dropParams ? { dropUnsupportedParameters: true } : {}),
    });
    cancelOnDisconnect(reply, () => scheduler.cancel(task.id, 'disconnect'));
    const created = Math.floor(Date.now() / 1000);
    const wireField = (field: string) => OPENAI_FIELD_FOR[field] ?? field;
    const choice = (text: string, finish: string | null) => ({ text, index: 0, logprobs: null, finish_reason: finish });
    if (!body.stream) {
      const result = await collectChatTask(task, wireField);
      setDroppedHeader(reply, [...dropped, ...result.dropped]);
      const usage = chatUsage(result.end);
      return reply.send({
        id: task.id,
        object: 'text_completion',
        created,
        model: body.model,
        choices: [choice(result.text, FINISH[String(result.end.data.finish_reason)] ?? 'stop')],
        ...(usage ? { usage } : {}),
      });
    }
    const stream = await awaitStreamHead(task, wireField);
    setDroppedHeader(reply, [...dropped, ...stream.dropped]);
    const sse = openSse(reply);
    const send = (payload: unknown) => sse.write(`data: ${JSON.stringify(payload)}\n\n`);
    const chunk = (text: string, finish: string | null) => ({ id: task.id, object: 'text_completion', created, model: body.model, choices: [choice(text, finish)] });
    const write = (frame: SseFrame) => {
      if (frame.event === 'token') send(chunk(String(frame.data.t), null));
      else if (frame.event === 'end') {
        send(chunk('', FINISH[String(frame.data.finish_reason)] ?? 'stop'));
        const usage = body.stream_options?.include_usage ? chatUsage(frame) : undefined;
        if (usage) send({ id: task.id, object: 'text_completion', created, model: body.model, choices: [], usage });
        sse.write('data: [DONE]\n\n');
      } else if (frame.event === 'error') send({ error: openAiStreamError(frame.data, wireField) });
      if (isTerminalFrame(frame)) sse.end();
    };
    pumpStream(stream, sse, () => scheduler.cancel(task.id, 'disconnect'), write);
    return reply;
  });
}
