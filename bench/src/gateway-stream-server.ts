/**
 * Child process for bench/profile-gateway.ts: the fake upstream (one tool call in 24 argument deltas, then usage)
 * and the gateway in front of it, like the gateway-tool-stream bench. Sends {url} over IPC; exits on any message.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSwitchyardApp } from '@switchyard/core';
import { createServerForApp } from '@switchyard/server';
import { UPSTREAM_EVENTS } from './gateway-tool-stream-events.js';

const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(UPSTREAM_EVENTS.join(''));
  });
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
const app = await createSwitchyardApp({
  config: {
    version: 1,
    plugins: [{ package: '@switchyard/plugin-cloud-llm', options: { providers: [{ id: 'upstream', kind: 'openai-compatible', baseURL: upstreamURL }] } }],
    server: { admission: { concurrency: { default: 64 } } },
  },
  logger: { debug() {}, info() {}, warn() {}, error() {} },
});
const gateway = await createServerForApp(app, { env: {} });
const url = await gateway.listen({ host: '127.0.0.1', port: 0 });
process.send!({ url });
process.once('message', async () => {
  await gateway.close({ deadlineMs: 100 });
  upstream.closeAllConnections();
  upstream.close();
  process.exit(0);
});
