import type { ServerResponse } from 'node:http';
import { sampleFromSchema } from './fake-schema-sample.js';
import { pause, sendJson, startSse, writeSse } from './test-http-server.js';
import type { RecordedRequest } from './test-http-server.js';

interface WireMessage {
  role: string;
  content?: string | { type: string; text?: string }[] | null;
  tool_call_id?: string;
}
interface WireTool {
  type: 'function';
  function: { name: string; parameters?: unknown };
}

function textOf(content: WireMessage['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => part.text ?? '').join('');
}

/** The tool the fake calls: the one `tool_choice` names, else the first; none when the turn answers a tool result. */
function toolToCall(body: Record<string, unknown>, messages: WireMessage[]): WireTool | undefined {
  const tools = (body.tools ?? []) as WireTool[];
  if (tools.length === 0 || body.tool_choice === 'none' || messages.at(-1)?.role === 'tool') return undefined;
  const named = (body.tool_choice as { function?: { name?: string } } | undefined)?.function?.name;
  return tools.find((tool) => tool.function.name === named) ?? tools[0];
}

/** The reply text: a tool result echoed, a sample of the requested JSON schema, or the last message reversed. */
function replyText(body: Record<string, unknown>, messages: WireMessage[]): string {
  const last = messages.at(-1);
  if (last?.role === 'tool') return `tool ${last.tool_call_id} said: ${textOf(last.content)}`;
  const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_schema') return JSON.stringify(sampleFromSchema(format.json_schema?.schema));
  const words = textOf(last?.content).split(/\s+/).filter(Boolean).reverse();
  if (format?.type === 'json_object') return JSON.stringify({ answer: words.join(' ') });
  return words.join(' ');
}

/**
 * A fake of the OpenAI REST API (chat completions JSON + SSE with tool-call deltas and usage, legacy completions,
 * embeddings, models, error bodies). The model name picks the behaviour, so one server covers every case:
 * `missing-model` 404, `rate-limited` 429 + retry-after, `server-error` 500, `overloaded` 503 + retry-after-ms, `too-long` 400
 * context_length_exceeded, `bad-key` 401 echoing the key, `drop` stream cut mid-way, `slow` first byte after 3 s,
 * `stall` one token then silence, `prose` ignores response_format. With `tools` it calls one (arguments sampled
 * from its JSON Schema); after a `tool` message it echoes the result; `response_format` gets matching JSON.
 * `parallel-no-ids` calls the first two tools (or the one twice) in parallel with `"id": ""`, as some compatible
 * servers do; `usage-details` reports 3 cached prompt tokens and 2 reasoning tokens; `no-usage` reports no usage.
 * `refuses` declines: `content: null` with `refusal: "I refuse to help with that."` (streamed as `delta.refusal` pieces).
 * `says-then-calls` says FAKE_PREAMBLE before it calls the tool (content and tool_calls in one message).
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
    case 'server-error':
      return error(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
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
  if (request.path === '/v1/completions') return legacyCompletion(body, model, response);
  if (request.path !== '/v1/chat/completions') return error(404, `Unknown path ${request.path}`, 'invalid_request_error', null);

  if (model === 'refuses') return refusal(body, response);
  const messages = body.messages as WireMessage[];
  const tool = toolToCall(body, messages);
  const tools = (body.tools ?? []) as WireTool[];
  const called = !tool ? [] : model === 'parallel-no-ids' ? [tools[0]!, tools[1] ?? tools[0]!] : [tool];
  const toolCalls = called.map((t, index) => ({
    id: model === 'parallel-no-ids' ? '' : `call_${messages.length}${index === 0 ? '' : `_${index}`}`,
    name: t.function.name,
    arguments: JSON.stringify(sampleFromSchema(t.function.parameters)),
  }));
  const text = toolCalls.length > 0 ? (model === 'says-then-calls' ? FAKE_PREAMBLE : '') : replyText(model === 'prose' ? { ...body, response_format: undefined } : body, messages);
  const words = text === '' ? [] : text.split(' ');
  const completionTokens = toolCalls.length > 0 ? 7 + words.length : words.length;
  const usage =
    model === 'no-usage'
      ? undefined
      : {
          prompt_tokens: 11,
          completion_tokens: completionTokens,
          total_tokens: 11 + completionTokens,
          ...(model === 'usage-details' ? { prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 2 } } : {}),
        };
  const finish = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const id = 'chatcmpl-test';
  if (!body.stream) {
    const message =
      toolCalls.length > 0
        ? { role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
        : { role: 'assistant', content: text };
    return sendJson(response, 200, { id, object: 'chat.completion', created: 1, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], ...(usage ? { usage } : {}) });
  }
  startSse(response);
  const chunk = (delta: object, finishReason: string | null) => ({ id, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  writeSse(response, chunk({ role: 'assistant', content: toolCalls.length > 0 && text === '' ? null : '' }, null));
  // Text the model says before its tool calls streams first, as OpenAI sends it.
  const [preamble, answer] = toolCalls.length > 0 ? [words, []] : [[], words];
  for (const [i, word] of preamble.entries()) writeSse(response, chunk({ content: (i === 0 ? '' : ' ') + word }, null));
  for (const [index, toolCall] of toolCalls.entries()) {
    writeSse(response, chunk({ tool_calls: [{ index, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } }] }, null));
    // Arguments arrive in pieces, as real servers send them.
    const third = Math.ceil(toolCall.arguments.length / 3);
    for (let at = 0; at < toolCall.arguments.length; at += third) {
      writeSse(response, chunk({ tool_calls: [{ index, function: { arguments: toolCall.arguments.slice(at, at + third) } }] }, null));
      await pause(2);
    }
  }
  for (const [i, word] of answer.entries()) {
    if (model === 'drop' && i === 2) {
      response.socket?.destroy();
      return;
    }
    writeSse(response, chunk({ content: (i === 0 ? '' : ' ') + word }, null));
    if (model === 'stall') {
      // One token, then silence until the client gives up.
      await new Promise<void>((resolve) => response.once('close', () => resolve()));
      return;
    }
    await pause(5);
    if (response.destroyed) return;
  }
  writeSse(response, chunk({}, finish));
  if (usage && (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) {
    writeSse(response, { id, object: 'chat.completion.chunk', created: 1, model, choices: [], usage });
  }
  writeSse(response, '[DONE]');
  response.end();
}

export const FAKE_REFUSAL = 'I refuse to help with that.';
/** What `says-then-calls` says before its tool call. */
export const FAKE_PREAMBLE = 'Let me check that.';

/** A refusal as OpenAI sends one: no content, the explanation in `refusal` (streamed word by word in `delta.refusal`). */
async function refusal(body: Record<string, unknown>, response: ServerResponse): Promise<void> {
  const id = 'chatcmpl-refusal';
  const words = FAKE_REFUSAL.split(' ');
  const usage = { prompt_tokens: 11, completion_tokens: words.length, total_tokens: 11 + words.length };
  const choice = { index: 0, logprobs: null, finish_reason: 'stop' };
  if (!body.stream) {
    return sendJson(response, 200, { id, object: 'chat.completion', created: 1, model: 'refuses', choices: [{ ...choice, message: { role: 'assistant', content: null, refusal: FAKE_REFUSAL } }], usage });
  }
  startSse(response);
  const chunk = (delta: object, finishReason: string | null) => ({ id, object: 'chat.completion.chunk', created: 1, model: 'refuses', choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  writeSse(response, chunk({ role: 'assistant', content: null, refusal: '' }, null));
  for (const [i, word] of words.entries()) writeSse(response, chunk({ refusal: (i === 0 ? '' : ' ') + word }, null));
  writeSse(response, chunk({}, 'stop'));
  if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) writeSse(response, { id, object: 'chat.completion.chunk', created: 1, model: 'refuses', choices: [], usage });
  writeSse(response, '[DONE]');
  response.end();
}

/** Legacy `/v1/completions`: the prompt's words reversed, as `text_completion` JSON or SSE chunks (usage with include_usage). */
async function legacyCompletion(body: Record<string, unknown>, model: string, response: ServerResponse): Promise<void> {
  const words = String(body.prompt ?? '').split(/\s+/).filter(Boolean).reverse();
  const usage = { prompt_tokens: 5, completion_tokens: words.length, total_tokens: 5 + words.length };
  const choice = (text: string, finish: string | null) => ({ text, index: 0, logprobs: null, finish_reason: finish });
  const id = 'cmpl-test';
  if (!body.stream) return sendJson(response, 200, { id, object: 'text_completion', created: 1, model, choices: [choice(words.join(' '), 'stop')], usage });
  startSse(response);
  for (const [i, word] of words.entries()) {
    writeSse(response, { id, object: 'text_completion', created: 1, model, choices: [choice((i === 0 ? '' : ' ') + word, null)] });
    await pause(2);
  }
  writeSse(response, { id, object: 'text_completion', created: 1, model, choices: [choice('', 'stop')] });
  if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) writeSse(response, { id, object: 'text_completion', created: 1, model, choices: [], usage });
  writeSse(response, '[DONE]');
  response.end();
}
