import type { ServerResponse } from 'node:http';
import { sampleFromSchema } from './fake-schema-sample.js';
import { pause, sendJson, startSse, writeSse } from './test-http-server.js';
import type { RecordedRequest } from './test-http-server.js';

type Block = { type: string; text?: string; tool_use_id?: string; content?: string | Block[] };
interface WireMessage {
  role: string;
  content: string | Block[];
}
interface WireTool {
  name: string;
  input_schema?: unknown;
}

function blocks(content: WireMessage['content']): Block[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function textOf(content: string | Block[] | undefined): string {
  if (content === undefined) return '';
  return blocks(content)
    .map((block) => block.text ?? '')
    .join('');
}

/** The fields `/v1/messages/count_tokens` takes; any other (`max_tokens`, `stream`, sampling) is refused, as Anthropic does. */
const COUNT_TOKENS_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers']);

const wordsIn = (text: string): number => text.split(/\s+/).filter((word) => word !== '').length;

/**
 * A fake count: one token per whitespace-separated word of the system text and of every text (tool results'
 * included), one per image and per tool_use block, and ten per tool definition. Deterministic, so a test can
 * assert the number that passes through.
 */
export function fakeAnthropicTokenCount(body: Record<string, unknown>): number {
  const system = typeof body.system === 'string' ? wordsIn(body.system) : ((body.system as Block[] | undefined) ?? []).reduce((sum, block) => sum + wordsIn(block.text ?? ''), 0);
  const count = (content: string | Block[]): number =>
    blocks(content).reduce((sum, block) => sum + (block.type === 'text' ? wordsIn(block.text ?? '') : block.type === 'tool_result' ? count(block.content ?? '') : 1), 0);
  const messages = ((body.messages as WireMessage[] | undefined) ?? []).reduce((sum, message) => sum + count(message.content), 0);
  return system + messages + 10 * ((body.tools as unknown[] | undefined)?.length ?? 0);
}

function countTokens(body: Record<string, unknown>, error: (status: number, type: string, message: string) => void, send: (value: unknown) => void): void {
  const extra = Object.keys(body).find((key) => !COUNT_TOKENS_FIELDS.has(key));
  if (extra !== undefined) return error(400, 'invalid_request_error', `${extra}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string' || !Array.isArray(body.messages)) return error(400, 'invalid_request_error', 'model and messages are required');
  if (body.model === 'missing-model') return error(404, 'not_found_error', `model: ${body.model}`);
  send({ input_tokens: fakeAnthropicTokenCount(body) });
}

/**
 * A fake of Anthropic's Messages API (JSON + named SSE events, error bodies `{type:'error', error:{type,message}}`).
 * The model name picks the behaviour: `missing-model` 404, `rate-limited` 429 + retry-after, `overloaded` 529,
 * `too-long` 400 prompt too long, `bad-key` 401 echoing the key, `drop` stream cut mid-way, `slow` 3 s first byte.
 * With `tools` it answers a `tool_use` block (input sampled from the tool's input_schema, streamed as
 * `input_json_delta`s); after a `tool_result` block it echoes the result. `stop-sequence` ends with
 * `stop_reason: "stop_sequence"` naming the request's first stop sequence; `cache-usage` reports 3 cache-read and
 * 4 cache-write input tokens besides the 9 uncached ones. `POST /v1/messages/count_tokens` answers
 * `fakeAnthropicTokenCount` of the body (and refuses fields that endpoint does not take).
 */
export async function fakeAnthropicApi(request: RecordedRequest, response: ServerResponse): Promise<void> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const model = String(body.model);
  const error = (status: number, type: string, message: string, headers: Record<string, string> = {}) =>
    sendJson(response, status, { type: 'error', error: { type, message } }, { 'request-id': 'req_test', ...headers });
  if (request.path === '/v1/messages/count_tokens') return countTokens(body, error, (value) => sendJson(response, 200, value, { 'request-id': 'req_test' }));
  if (request.path !== '/v1/messages') return error(404, 'not_found_error', `Unknown path ${request.path}`);
  switch (model) {
    case 'missing-model':
      return error(404, 'not_found_error', `model: ${model}`);
    case 'rate-limited':
      return error(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '3' });
    case 'overloaded':
      return error(529, 'overloaded_error', 'Overloaded');
    case 'too-long':
      return error(400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum');
    case 'bad-key':
      return error(401, 'authentication_error', `invalid x-api-key ${String(request.headers['x-api-key'])}`);
    case 'slow':
      await pause(3000);
      break;
    default:
      break;
  }
  const messages = body.messages as WireMessage[];
  const lastBlocks = blocks(messages.at(-1)?.content ?? '');
  const result = lastBlocks.find((block) => block.type === 'tool_result');
  const tools = (body.tools ?? []) as WireTool[];
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  const tool = result || tools.length === 0 || choice?.type === 'none' ? undefined : (tools.find((t) => t.name === choice?.name) ?? tools[0]);
  const toolUse = tool ? { type: 'tool_use', id: `toolu_${messages.length}`, name: tool.name, input: sampleFromSchema(tool.input_schema) } : undefined;
  const words = result
    ? `tool ${result.tool_use_id} said: ${textOf(result.content)}`.split(' ')
    : toolUse
      ? []
      : textOf(messages.at(-1)?.content).split(/\s+/).filter(Boolean).reverse();
  // `stop-sequence`: the answer ends at the first of the request's stop_sequences.
  const stopSequence = model === 'stop-sequence' && !toolUse ? ((body.stop_sequences as string[] | undefined)?.[0] ?? null) : null;
  const stopReason = toolUse ? 'tool_use' : stopSequence !== null ? 'stop_sequence' : 'end_turn';
  // `cache-usage`: 3 input tokens read from the prompt cache and 4 written to it, besides the 9 uncached.
  const cache = model === 'cache-usage' ? { cache_read_input_tokens: 3, cache_creation_input_tokens: 4 } : {};
  const outputTokens = toolUse ? 7 : words.length;
  const id = 'msg_test';
  if (!body.stream) {
    return sendJson(response, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: toolUse ? [toolUse] : [{ type: 'text', text: words.join(' ') }],
      stop_reason: stopReason,
      stop_sequence: stopSequence,
      usage: { input_tokens: 9, output_tokens: outputTokens, ...cache },
    });
  }
  startSse(response);
  writeSse(response, { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, output_tokens: 1, ...cache } } }, 'message_start');
  if (toolUse) {
    writeSse(response, { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: toolUse.id, name: toolUse.name, input: {} } }, 'content_block_start');
    const json = JSON.stringify(toolUse.input);
    const third = Math.ceil(json.length / 3);
    for (let at = 0; at < json.length; at += third) {
      writeSse(response, { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: json.slice(at, at + third) } }, 'content_block_delta');
      await pause(2);
    }
  } else {
    writeSse(response, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
    writeSse(response, { type: 'ping' }, 'ping');
    for (const [i, word] of words.entries()) {
      if (model === 'drop' && i === 2) {
        response.socket?.destroy();
        return;
      }
      writeSse(response, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: (i === 0 ? '' : ' ') + word } }, 'content_block_delta');
      await pause(5);
      if (response.destroyed) return;
    }
  }
  writeSse(response, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
  writeSse(response, { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: { output_tokens: outputTokens } }, 'message_delta');
  writeSse(response, { type: 'message_stop' }, 'message_stop');
  response.end();
}
