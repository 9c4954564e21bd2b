import type { ServerResponse } from 'node:http';
import { pause, sendJson, startSse, writeSse } from '@switchyard/testkit';
import type { RecordedRequest } from '@switchyard/testkit';

/**
 * A fake of Anthropic's Messages API (JSON + named SSE events, error bodies `{type:'error', error:{type,message}}`).
 * The model name picks the behaviour: `missing-model` 404, `rate-limited` 429 + retry-after, `overloaded` 529,
 * `too-long` 400 prompt too long, `bad-key` 401 echoing the key, `drop` stream cut mid-way, `slow` 3 s first byte.
 */
export async function fakeAnthropicApi(request: RecordedRequest, response: ServerResponse): Promise<void> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const model = String(body.model);
  const error = (status: number, type: string, message: string, headers: Record<string, string> = {}) =>
    sendJson(response, status, { type: 'error', error: { type, message } }, { 'request-id': 'req_test', ...headers });
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
  const messages = body.messages as { role: string; content: string }[];
  const words = (messages[messages.length - 1]?.content ?? '').split(/\s+/).filter(Boolean).reverse();
  const id = 'msg_test';
  if (!body.stream) {
    return sendJson(response, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: words.join(' ') }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 9, output_tokens: words.length },
    });
  }
  startSse(response);
  writeSse(response, { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, output_tokens: 1 } } }, 'message_start');
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
  writeSse(response, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
  writeSse(response, { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: words.length } }, 'message_delta');
  writeSse(response, { type: 'message_stop' }, 'message_stop');
  response.end();
}
