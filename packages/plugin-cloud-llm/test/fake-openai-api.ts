import type { ServerResponse } from 'node:http';
import { pause, sendJson, startSse, writeSse } from '@switchyard/testkit';
import type { RecordedRequest } from '@switchyard/testkit';

/**
 * A fake of the OpenAI REST API (chat completions JSON + SSE, embeddings, models, error bodies). The model
 * name picks the behaviour, so one server covers every case:
 * `missing-model` 404, `rate-limited` 429 + retry-after, `overloaded` 503 + retry-after-ms, `too-long` 400
 * context_length_exceeded, `bad-key` 401 echoing the key, `drop` stream cut mid-way, `slow` first byte after 3 s.
 */
export async function fakeOpenAiApi(request: RecordedRequest, response: ServerResponse): Promise<void> {
  if (request.method === 'GET' && request.path === '/v1/models') {
    return sendJson(response, 200, { object: 'list', data: [{ id: 'gpt-test', object: 'model', created: 1, owned_by: 'test' }] });
  }
  const body = (request.body ?? {}) as Record<string, unknown>;
  const model = String(body.model);
  const error = (status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}) =>
    sendJson(response, status, { error: { message, type, param: null, code } }, headers);
  switch (model) {
    case 'missing-model':
      return error(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    case 'rate-limited':
      return error(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', { 'retry-after': '7' });
    case 'overloaded':
      return error(503, 'The engine is currently overloaded, please try again later', 'server_error', null, { 'retry-after-ms': '1500' });
    case 'too-long':
      return error(400, "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", 'invalid_request_error', 'context_length_exceeded');
    case 'bad-key': {
      const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
      return error(401, `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
    }
    case 'slow':
      await pause(3000);
      break;
    default:
      break;
  }
  if (request.path === '/v1/embeddings') {
    const inputs = body.input as string[];
    return sendJson(response, 200, {
      object: 'list',
      data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: [text.length, (text.match(/[aeiou]/g) ?? []).length, index] })).reverse(),
      model,
      usage: { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 },
    });
  }
  if (request.path !== '/v1/chat/completions') return error(404, `Unknown path ${request.path}`, 'invalid_request_error', null);

  const messages = body.messages as { role: string; content: string }[];
  const last = messages[messages.length - 1]?.content ?? '';
  // A real, checkable reply: the last user message's words in reverse order.
  const words = last.split(/\s+/).filter(Boolean).reverse();
  const id = 'chatcmpl-test';
  if (!body.stream) {
    return sendJson(response, 200, {
      id,
      object: 'chat.completion',
      created: 1,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: words.join(' ') }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 11, completion_tokens: words.length, total_tokens: 11 + words.length },
    });
  }
  startSse(response);
  const chunk = (delta: object, finish: string | null) => ({ id, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  writeSse(response, chunk({ role: 'assistant', content: '' }, null));
  for (const [i, word] of words.entries()) {
    if (model === 'drop' && i === 2) {
      response.socket?.destroy();
      return;
    }
    writeSse(response, chunk({ content: (i === 0 ? '' : ' ') + word }, null));
    await pause(5);
    if (response.destroyed) return;
  }
  writeSse(response, chunk({}, 'stop'));
  if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) {
    writeSse(response, { id, object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 11, completion_tokens: words.length, total_tokens: 11 + words.length } });
  }
  writeSse(response, '[DONE]');
  response.end();
}
