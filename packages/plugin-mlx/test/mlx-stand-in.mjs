// Stand-in for `python -m mlx_lm.server`: same flags, same OpenAI-compatible endpoints, no MLX.
// Replies with the last user message's words reversed. Env switches drive the supervision tests:
// STANDIN_STARTUP_DELAY_MS (listen late), STANDIN_IGNORE_SIGTERM=1, STANDIN_EXIT_CODE (exit at start).
import { createServer } from 'node:http';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const model = flag('model', 'default');
const host = flag('host', '127.0.0.1');
const port = Number(flag('port', '8080'));

if (process.env.STANDIN_EXIT_CODE) {
  console.error(`fatal: cannot load ${model}`);
  process.exit(Number(process.env.STANDIN_EXIT_CODE));
}
if (process.env.STANDIN_IGNORE_SIGTERM) process.on('SIGTERM', () => console.error('ignoring SIGTERM'));
else process.on('SIGTERM', () => process.exit(0));

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
};

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
  if (req.method === 'GET' && req.url === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 1 }] });
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return json(res, 404, { error: { message: 'not found' } });
  if (body.model === 'missing-model') return json(res, 404, { error: { message: `model ${body.model} not found`, type: 'invalid_request_error', code: 'model_not_found' } });
  const last = body.messages[body.messages.length - 1].content;
  const words = last.split(/\s+/).filter(Boolean).reverse();
  console.log(`POST /v1/chat/completions model=${body.model} stream=${Boolean(body.stream)}`);
  const usage = { prompt_tokens: 7, completion_tokens: words.length, total_tokens: 7 + words.length };
  if (!body.stream) {
    return json(res, 200, { id: 'cmpl', object: 'chat.completion', created: 1, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: words.join(' ') }, finish_reason: 'stop' }], usage });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'close' });
  const send = (obj) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
  for (const [i, word] of words.entries()) {
    send({ id: 'cmpl', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta: { role: 'assistant', content: (i ? ' ' : '') + word }, finish_reason: null }] });
    await new Promise((r) => setTimeout(r, 5));
    if (res.destroyed) return;
  }
  send({ id: 'cmpl', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  if (body.stream_options?.include_usage) send({ id: 'cmpl', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage });
  res.end('data: [DONE]\n\n');
});

setTimeout(() => {
  server.listen(port, host, () => console.log(`Starting httpd at ${host} on port ${port}...`));
}, Number(process.env.STANDIN_STARTUP_DELAY_MS ?? 0));
