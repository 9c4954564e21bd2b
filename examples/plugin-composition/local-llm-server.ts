import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OpenAI-compatible server (chat completions JSON + SSE, /v1/models) standing in for vLLM, Ollama or
 * llama.cpp so the example runs offline. Its "model" is an extractive summarizer: the first sentence of the
 * last user message plus its word count — deterministic, so the example can check the answer.
 */
export function summarize(text: string): string {
  const first = text.split(/(?<=[.!?])\s+/)[0] ?? text;
  return `${first.trim()} (${text.split(/\s+/).filter(Boolean).length} words)`;
}

export async function startLocalLlmServer(): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, any>) : {};
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && req.url === '/v1/models') return json(200, { object: 'list', data: [{ id: 'summarizer-1', object: 'model', created: 0, owned_by: 'example' }] });
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return json(404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error', code: null } });
    if (body.model !== 'summarizer-1') return json(404, { error: { message: `The model \`${body.model}\` does not exist`, type: 'invalid_request_error', code: 'model_not_found' } });
    const messages = body.messages as { role: string; content: string }[];
    const text = summarize(messages[messages.length - 1]?.content ?? '');
    const usage = { prompt_tokens: messages.reduce((n, m) => n + m.content.split(/\s+/).length, 0), completion_tokens: text.split(/\s+/).length, total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (!body.stream) {
      return json(200, { id: 'cmpl-1', object: 'chat.completion', created: 0, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'close' });
    for (const word of text.split(/(?<= )/)) res.write(`data: ${JSON.stringify({ id: 'cmpl-1', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta: { content: word }, finish_reason: null }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ id: 'cmpl-1', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id: 'cmpl-1', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
