/**
 * What the gateway benches share: an in-process fake upstream that answers every request with one SSE body, and the
 * gateway (`switchyard serve`'s server over plugin-cloud-llm) in front of an upstream URL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSwitchyardApp } from '@switchyard/core';
import { createServerForApp, type SwitchyardServer } from '@switchyard/server';

/** An HTTP server on a free loopback port that reads each request and answers `body` as text/event-stream. */
export async function startSseUpstream(body: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

/** The gateway with one OpenAI-compatible provider `upstream` at `upstreamURL`, listening on a free loopback port. */
export async function startBenchGateway(upstreamURL: string): Promise<{ gateway: SwitchyardServer; url: string }> {
  const app = await createSwitchyardApp({
    config: {
      version: 1,
      plugins: [{ package: '@switchyard/plugin-cloud-llm', options: { providers: [{ id: 'upstream', kind: 'openai-compatible', baseURL: upstreamURL }] } }],
      server: { admission: { concurrency: { default: 64 } } },
    },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const gateway = await createServerForApp(app, { env: {} });
  return { gateway, url: await gateway.listen({ host: '127.0.0.1', port: 0 }) };
}
