import type { ChatMessage } from '@switchyard/core';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { httpError, openAiParam } from '../http-error.js';
import { commonHeaders, idParams, noQuery, type ServerContext } from '../server-context.js';
import type { SseFrame } from '../server-task.js';
import { cancelOnDisconnect, isTerminalFrame, openSse } from '../sse-response.js';
import { awaitStreamHead, collectChatTask, frameError, pumpStream, setDroppedHeader, type AssembledToolCall } from './chat-task.js';
import { outputItemId, storedItemResolver } from './openai-responses-items.js';
import { inputItemsPage, listedInputItems, recordingResolver } from './openai-responses-input-items.js';
import { RESPONSES_FIELD_FOR, responsesFieldOf, responsesRequestSchema, toResponsesCall, type ResponsesBody } from './openai-responses-request.js';
import { taskTelemetry } from '../request-telemetry.js';
import { responsesUsage } from './face-usage.js';

const wireField = (field: string) => RESPONSES_FIELD_FOR[field] ?? field;
const responseIdOf = () => `resp_${randomBytes(12).toString('hex')}`;

/** A message's content: its text, or the model's refusal (OpenAI's `refusal` part) instead. */
type ContentPart = { type: 'output_text'; text: string; annotations: []; logprobs: [] } | { type: 'refusal'; refusal: string };
type OutputItem =
  | { id: string; type: 'message'; status: ItemStatus; role: 'assistant'; content: ContentPart[] }
  | { id: string; type: 'function_call'; status: ItemStatus; call_id: string; name: string; arguments: string };
type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

const INCOMPLETE: Record<string, string> = { length: 'max_output_tokens', 'content-filter': 'content_filter' };


const textPart = (text: string): ContentPart => ({ type: 'output_text', text, annotations: [], logprobs: [] });
const messageItem = (id: string, text: string, status: 'in_progress' | 'completed' = 'completed', refusal?: string): OutputItem => ({
  id,
  type: 'message',
  status,
  role: 'assistant',
  content: status !== 'completed' ? [] : refusal === undefined ? [textPart(text)] : [...(text !== '' ? [textPart(text)] : []), { type: 'refusal', refusal }],
});
const callItem = (id: string, call: AssembledToolCall, status: 'in_progress' | 'completed' = 'completed'): OutputItem => ({
  id,
  type: 'function_call',
  status,
  call_id: call.id,
  name: call.name,
  arguments: call.arguments,
});

/** The assistant turn a stored response adds to its conversation. */
function assistantTurn(output: readonly OutputItem[]): ChatMessage {
  const parts = output.flatMap((item) => (item.type === 'message' ? item.content : []));
  const text = parts.map((part) => (part.type === 'output_text' ? part.text : '')).join('');
  const refusals = parts.flatMap((part) => (part.type === 'refusal' ? [part.refusal] : []));
  const toolCalls = output.flatMap((item) => (item.type === 'function_call' ? [{ id: item.call_id, name: item.name, arguments: item.arguments }] : []));
  return { role: 'assistant', content: text, ...(refusals.length > 0 ? { refusal: refusals.join('') } : {}), ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

/**
 * OpenAI Responses API face: POST /v1/responses (stream and not, function tools, text.format, instructions, item_reference,
 * previous_response_id over stored responses, store), GET and DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items. Runs through admission
 * like any task; a chain of responses is one session (its TTL, turn limit and token budget apply).
 */
export function registerOpenAiResponsesRoutes(app: FastifyInstance, context: ServerContext): void {
  const { scheduler, responses } = context;

  app.post<{ Body: ResponsesBody }>('/v1/responses', { schema: { body: responsesRequestSchema, querystring: noQuery, headers: commonHeaders } }, async (request, reply) => {
    const body = request.body;
    const previousId = body.previous_response_id ?? undefined;
    const earlier = previousId !== undefined ? responses.conversation(previousId) : undefined;
    if (previousId !== undefined && (earlier === undefined || 'missing' in earlier)) {
      const why = earlier === undefined ? `no stored response '${previousId}' (it was not stored, was deleted or has expired)` : `the earlier response '${earlier.missing}' of its conversation is no longer stored`;
      throw httpError('INVALID_PARAMS', `body/previous_response_id: ${why}`, { details: { field: 'previous_response_id', found: previousId } });
    }
    const previous = earlier && 'stored' in earlier ? earlier : undefined;
    const references = recordingResolver(storedItemResolver(responses, previous?.responses));
    const call = toResponsesCall(body, context.config.dropParams, references.resolve);
    const conversation = [...(previous?.turns ?? []), ...call.input];
    if (call.input.length === 0) throw httpError('INVALID_PARAMS', 'body/input is required (a string or a list of input items)', { details: { field: 'input' } });
    const messages: ChatMessage[] = [...(body.instructions ? [{ role: 'system' as const, content: body.instructions }] : []), ...conversation];
    // Engine-side fields (`messages[3].content`) are reported as the body field the turn came from.
    const sources = [...(body.instructions ? ['instructions'] : []), ...(previous?.turns ?? []).map(() => 'previous_response_id'), ...call.sources];
    const fieldOf = (field: string) => responsesFieldOf(sources, field) ?? wireField(field);
    const store = body.store !== false;
    const responseId = responseIdOf();
    const idAt = (prefix: 'msg' | 'fc', index: number) => outputItemId(prefix, responseId, index);
    const session = previous?.stored.session ?? responseId;
    context.assertKnownModel(body.model);
    const { task } = await scheduler.submit({
      taskId: responseId,
      ...(store || previous ? { sessionId: session } : {}),
      workload: 'completion',
      modelRef: body.model,
      priority: 'interactive',
      input: { kind: 'text', messages },
      ...(Object.keys(call.parameters).length > 0 ? { parameters: call.parameters } : {}),
      ...taskTelemetry(request),
      stream: body.stream === true,
      keepTranscript: false,
      ...(call.dropParams ? { dropUnsupportedParameters: true } : {}),
    });
    const createdAt = Math.floor(Date.now() / 1000);
    // The fields dropped on the way (request converter and the engine's parameter gate): echoed as not applied.
    let dropped: ReadonlySet<string> = new Set(call.dropped);
    const applied = <T>(field: string, value: T): T | undefined => (dropped.has(field) ? undefined : value);
    const responseObject = (status: string, output: readonly OutputItem[], extra: Record<string, unknown> = {}) => ({
      id: responseId,
      object: 'response',
      created_at: createdAt,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: body.instructions ?? null,
      max_output_tokens: applied('max_output_tokens', body.max_output_tokens) ?? null,
      metadata: body.metadata ?? {},
      model: body.model,
      output,
      parallel_tool_calls: applied('parallel_tool_calls', body.parallel_tool_calls) ?? true,
      previous_response_id: previousId ?? null,
      reasoning: { effort: applied('reasoning.effort', body.reasoning?.effort) ?? null, summary: null },
      service_tier: applied('service_tier', body.service_tier) ?? 'default',
      store,
      temperature: applied('temperature', body.temperature) ?? 1,
      text: { format: applied('text.format', body.text?.format) ?? { type: 'text' }, verbosity: 'medium' },
      tool_choice: applied('tool_choice', body.tool_choice) ?? 'auto',
      tools: applied('tools', body.tools) ?? [],
      top_p: applied('top_p', body.top_p) ?? 1,
      truncation: 'disabled',
      usage: null,
      user: applied('user', body.user) ?? null,
      ...extra,
    });
    const finished = (end: SseFrame, output: OutputItem[]) => {
      const reason = INCOMPLETE[String(end.data.finish_reason)];
      const response = responseObject(reason ? 'incomplete' : 'completed', output, { usage: responsesUsage(end), ...(reason ? { incomplete_details: { reason } } : {}) });
      if (store) {
        const input = listedInputItems(body.input, responseId, references.resolved);
        responses.put(responseId, { response, turns: [...call.input, assistantTurn(output)], input, session, ...(previousId !== undefined ? { previous: previousId } : {}) });
      }
      return response;
    };

    if (!body.stream) {
      cancelOnDisconnect(reply, () => scheduler.cancel(task.id, 'disconnect'));
      const result = await collectChatTask(task, fieldOf);
      setDroppedHeader(reply, [...call.dropped, ...result.dropped]);
      dropped = new Set([...call.dropped, ...result.dropped]);
      const answered = result.text !== '' || result.refusal !== undefined || result.toolCalls.length === 0;
      const at = answered ? 1 : 0;
      const output = [...(answered ? [messageItem(idAt('msg', 0), result.text, 'completed', result.refusal)] : []), ...result.toolCalls.map((toolCall, index) => callItem(idAt('fc', at + index), toolCall))];
      return reply.code(200).send(finished(result.end, output));
    }

    cancelOnDisconnect(reply, () => scheduler.cancel(task.id, 'disconnect'));
    const stream = await awaitStreamHead(task, fieldOf);
    setDroppedHeader(reply, [...call.dropped, ...stream.dropped]);
    dropped = new Set([...call.dropped, ...stream.dropped]);
    const sse = openSse(reply);
    let sequence = 0;
    const send = (type: string, data: Record<string, unknown>) => sse.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);
    send('response.created', { response: responseObject('in_progress', []) });
    send('response.in_progress', { response: responseObject('in_progress', []) });

    // Output items in order; the open one (a text message or a function call) is closed before the next starts.
    // A message's content parts (text, refusal) likewise: the last one is open until the next starts or it ends.
    const output: OutputItem[] = [];
    let message: { item: OutputItem & { type: 'message' }; index: number; parts: ContentPart[] } | undefined;
    const calls = new Map<string, { item: OutputItem & { type: 'function_call' }; index: number }>();
    const closePart = () => {
      const part = message?.parts.at(-1);
      if (!message || !part) return;
      const at = { item_id: message.item.id, output_index: message.index, content_index: message.parts.length - 1 };
      if (part.type === 'output_text') send('response.output_text.done', { ...at, text: part.text, logprobs: [] });
      else send('response.refusal.done', { ...at, refusal: part.refusal });
      send('response.content_part.done', { ...at, part });
    };
    /** The open content part of that type (a message and the part are opened as needed), with its index. */
    const openPart = <T extends ContentPart['type']>(type: T): { part: ContentPart & { type: T }; at: { item_id: string; output_index: number; content_index: number } } => {
      if (!message) {
        const item = messageItem(idAt('msg', output.length), '', 'in_progress') as OutputItem & { type: 'message' };
        message = { item, index: output.length, parts: [] };
        output.push(item);
        send('response.output_item.added', { output_index: message.index, item });
      }
      let part = message.parts.at(-1);
      if (part?.type !== type) {
        closePart();
        part = type === 'output_text' ? textPart('') : { type: 'refusal', refusal: '' };
        message.parts.push(part);
        send('response.content_part.added', { item_id: message.item.id, output_index: message.index, content_index: message.parts.length - 1, part: { ...part } });
      }
      return { part: part as ContentPart & { type: T }, at: { item_id: message.item.id, output_index: message.index, content_index: message.parts.length - 1 } };
    };
    const closeText = () => {
      if (!message) return;
      closePart();
      const done = { ...message.item, status: 'completed' as const, content: message.parts };
      output[message.index] = done;
      send('response.output_item.done', { output_index: message.index, item: done });
      message = undefined;
    };
    const closeCall = (id: string) => {
      const open = calls.get(id);
      if (!open) return;
      calls.delete(id);
      send('response.function_call_arguments.done', { item_id: open.item.id, output_index: open.index, name: open.item.name, arguments: open.item.arguments });
      const done = { ...open.item, status: 'completed' as const };
      output[open.index] = done;
      send('response.output_item.done', { output_index: open.index, item: done });
    };
    // What a failed response carries, as OpenAI's does: every item streamed, the open ones `incomplete` with what they got.
    const streamedSoFar = (): OutputItem[] =>
      output.map((item, index) => {
        if (item.status === 'completed') return item;
        if (item.type === 'message') return { ...item, status: 'incomplete', content: message?.index === index && message.parts.length > 0 ? message.parts : [textPart('')] };
        return { ...item, status: 'incomplete' };
      });
    const write = (frame: SseFrame) => {
      if (frame.event === 'token') {
        const { part, at } = openPart('output_text');
        const delta = String(frame.data.t);
        part.text += delta;
        send('response.output_text.delta', { ...at, delta, logprobs: [] });
      } else if (frame.event === 'delta' && frame.data.kind === 'refusal') {
        const { part, at } = openPart('refusal');
        const delta = String(frame.data.text);
        part.refusal += delta;
        send('response.refusal.delta', { ...at, delta });
      } else if (frame.event === 'tool-call-start') {
        closeText();
        const item = callItem(idAt('fc', output.length), { id: String(frame.data.id), name: String(frame.data.name), arguments: '' }, 'in_progress') as OutputItem & { type: 'function_call' };
        calls.set(String(frame.data.id), { item, index: output.length });
        output.push(item);
        send('response.output_item.added', { output_index: output.length - 1, item });
      } else if (frame.event === 'tool-call-delta') {
        const open = calls.get(String(frame.data.id));
        if (open) {
          open.item.arguments += String(frame.data.arguments);
          send('response.function_call_arguments.delta', { item_id: open.item.id, output_index: open.index, delta: frame.data.arguments });
        }
      } else if (frame.event === 'tool-call-end') closeCall(String(frame.data.id));
      else if (frame.event === 'end') {
        closeText();
        for (const id of [...calls.keys()]) closeCall(id);
        if (output.length === 0) {
          const empty = messageItem(idAt('msg', 0), '');
          output.push(empty);
          send('response.output_item.added', { output_index: 0, item: { ...empty, status: 'in_progress', content: [] } });
          send('response.output_item.done', { output_index: 0, item: empty });
        }
        const response = finished(frame, output);
        send(response.status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
      } else if (frame.event === 'error') {
        const error = frameError(frame, wireField);
        send('response.failed', { response: responseObject('failed', streamedSoFar(), { error: { code: error.code, message: error.message } }) });
        send('error', { code: error.code, message: error.message, param: openAiParam(error.details) });
      }
      if (isTerminalFrame(frame)) sse.end();
    };
    pumpStream(stream, sse, () => scheduler.cancel(task.id, 'disconnect'), write);
    return reply;
  });

  app.get<{ Params: { id: string } }>('/v1/responses/:id', { schema: { params: idParams(), querystring: noQuery, headers: commonHeaders } }, async (request) => {
    const stored = responses.get(request.params.id);
    if (!stored) throw httpError('NOT_FOUND', `No stored response '${request.params.id}'`, { details: { field: 'id' } });
    return stored.response;
  });

  // The query is checked in code, so a bad parameter is named as OpenAI names it (`limit`), not as a schema pointer.
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/v1/responses/:id/input_items', { schema: { params: idParams(), headers: commonHeaders } }, async (request) => {
    const stored = responses.get(request.params.id);
    if (!stored) throw httpError('NOT_FOUND', `No stored response '${request.params.id}'`, { details: { field: 'id' } });
    return inputItemsPage(stored, request.params.id, request.query);
  });

  app.delete<{ Params: { id: string } }>('/v1/responses/:id', { schema: { params: idParams(), querystring: noQuery, headers: commonHeaders } }, async (request) => {
    if (!responses.delete(request.params.id)) throw httpError('NOT_FOUND', `No stored response '${request.params.id}'`, { details: { field: 'id' } });
    return { id: request.params.id, object: 'response', deleted: true };
  });
}
