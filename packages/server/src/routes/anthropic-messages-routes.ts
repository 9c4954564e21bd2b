import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { anthropicErrorType, httpError, statusForCode } from '../http-error.js';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';
import type { SseFrame } from '../server-task.js';
import { cancelOnDisconnect, isTerminalFrame, openSse } from '../sse-response.js';
import { MESSAGES_FIELD_FOR, messagesFieldFor, messagesRequestSchema, toMessagesCall, type MessagesBody } from './anthropic-messages-request.js';
import { awaitStreamHead, collectChatTask, frameError, pumpStream, setDroppedHeader, type AssembledToolCall } from './chat-task.js';
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

/** A stream error event in Anthropic's shape (HTTP errors: the gateway's envelope with Anthropic's `type: "error"` and `error.type`, see sendError). */
function streamError(frame: SseFrame): { type: string; message: string; code: string } {
  const error = frameError(frame, wireField);
  const status = statusForCode(error.code);
  return { type: anthropicErrorType(status), message: error.message, code: error.code };
}

/** A tool call's arguments as a tool_use `input` (a JSON object), or undefined when the model produced anything else. */
function toolInput(text: string): Record<string, unknown> | undefined {
  let input: unknown;
  try {
    input = JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
  return input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
}

/** Arguments that are not a JSON object are the provider's fault, not the client's: 502 PROVIDER_ERROR naming the call. */
function invalidToolInput(id: unknown, name: unknown, at: number) {
  return httpError('PROVIDER_ERROR', `the model produced invalid JSON arguments for tool call '${String(id)}' ('${String(name)}', content[${at}]): a tool_use input must be a JSON object`);
}

function toolInputOf(call: AssembledToolCall, at: number): Record<string, unknown> {
  const input = toolInput(call.arguments);
  if (input === undefined) throw invalidToolInput(call.id, call.name, at);
  return input;
}

/** One content block of a streamed answer; `index` is set once its content_block_start was sent. */
interface StreamedBlock {
  readonly start: Record<string, unknown>;
  /** Deltas not sent yet (the block is not the one on the wire). */
  readonly pending: Record<string, unknown>[];
  /** A tool_use block's arguments so far (checked when it stops). */
  arguments: string;
  ended: boolean;
  index?: number;
}

/**
 * Anthropic's stream has one open content block at a time, but parallel tool calls (OpenAI upstreams) interleave
 * their argument deltas. Blocks are emitted in the order they started: the first streams live, later ones are
 * buffered (by call id) until every block before them has been stopped. A tool_use block whose arguments are not a
 * JSON object is not stopped: `onInvalid` ends the stream with an error instead (the SDK would quietly repair it).
 */
class ContentBlockSequencer {
  readonly #blocks: StreamedBlock[] = [];
  readonly #calls = new Map<string, StreamedBlock>();
  #next = 0;
  #failed = false;

  constructor(
    private readonly send: (event: string, data: Record<string, unknown>) => void,
    private readonly onInvalid: (block: Record<string, unknown>, index: number) => void,
  ) {}

  /** True once a tool call's arguments were invalid: nothing more is sent. */
  get failed(): boolean {
    return this.#failed;
  }

  text(text: unknown): void {
    let block = this.#blocks.at(-1);
    if (block?.start.type !== 'text' || block.ended) block = this.#open({ type: 'text', text: '' });
    this.#delta(block, { type: 'text_delta', text });
  }

  toolCallStart(id: string, name: unknown): void {
    this.#endText();
    this.#calls.set(id, this.#open({ type: 'tool_use', id, name, input: {} }));
    this.#flush();
  }

  toolCallDelta(id: string, partialJson: unknown): void {
    const block = this.#calls.get(id);
    if (!block) return;
    block.arguments += String(partialJson);
    this.#delta(block, { type: 'input_json_delta', partial_json: partialJson });
  }

  toolCallEnd(id: string): void {
    const block = this.#calls.get(id);
    if (!block) return;
    block.ended = true;
    this.#flush();
  }

  /** The answer ended: every block is stopped, in order. */
  end(): void {
    for (const block of this.#blocks) block.ended = true;
    this.#flush();
  }

  #open(start: Record<string, unknown>): StreamedBlock {
    const block: StreamedBlock = { start, pending: [], arguments: '', ended: false };
    this.#blocks.push(block);
    return block;
  }

  /** A text block stays open until a tool call starts after it (or the end). */
  #endText(): void {
    const last = this.#blocks.at(-1);
    if (last?.start.type === 'text') last.ended = true;
  }

  #delta(block: StreamedBlock, delta: Record<string, unknown>): void {
    block.pending.push(delta);
    if (block === this.#blocks[0]) this.#flush();
  }

  #flush(): void {
    if (this.#failed) return;
    for (let block = this.#blocks[0]; block !== undefined; block = this.#blocks[0]) {
      if (block.index === undefined) {
        block.index = this.#next++;
        this.send('content_block_start', { index: block.index, content_block: block.start });
      }
      for (const delta of block.pending.splice(0)) this.send('content_block_delta', { index: block.index, delta });
      if (!block.ended) return;
      if (block.start.type === 'tool_use' && toolInput(block.arguments) === undefined) {
        this.#failed = true;
        this.onInvalid(block.start, block.index);
        return;
      }
      this.send('content_block_stop', { index: block.index });
      this.#blocks.shift();
    }
  }
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
      const fieldOf = (field: string) => messagesFieldFor(call, field);
      context.assertKnownModel(body.model);
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
        // Anthropic has no refusal field: a refusal (OpenAI-style upstreams) is the answer's text.
        const answer = result.text + (result.refusal ?? '');
        const text = answer !== '' || result.toolCalls.length === 0 ? [{ type: 'text', text: answer }] : [];
        const content = [...text, ...result.toolCalls.map((toolCall, j) => ({ type: 'tool_use', id: toolCall.id, name: toolCall.name, input: toolInputOf(toolCall, text.length + j) }))];
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
      const blocks = new ContentBlockSequencer(send, (block, index) => {
        const error = invalidToolInput(block.id, block.name, index);
        send('error', { error: { type: 'api_error', message: error.message, code: error.code } });
        sse.end();
        scheduler.cancel(task.id, 'disconnect');
      });
      const write = (frame: SseFrame) => {
        if (blocks.failed) return;
        if (frame.event === 'token') blocks.text(frame.data.t);
        else if (frame.event === 'delta' && frame.data.kind === 'refusal') blocks.text(frame.data.text);
        else if (frame.event === 'tool-call-start') blocks.toolCallStart(String(frame.data.id), frame.data.name);
        else if (frame.event === 'tool-call-delta') blocks.toolCallDelta(String(frame.data.id), frame.data.arguments);
        else if (frame.event === 'tool-call-end') blocks.toolCallEnd(String(frame.data.id));
        else if (frame.event === 'end') {
          blocks.end();
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
