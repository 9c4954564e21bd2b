import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Server-side sockets of test servers that have not carried a request (yet). */
const unusedServerSockets = new Set<Socket>();

/** How many accepted test-server connections never carried a request (spare client pool connections). */
export function unusedTestServerConnections(): number {
  return unusedServerSockets.size;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path plus query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** Parsed JSON body (or the raw text when it is not JSON; undefined when empty). */
  readonly body: unknown;
}

export type TestRequestHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface TestHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Replaces the handler (for per-test behaviour). */
  setHandler(handler: TestRequestHandler): void;
  /** Destroys open connections and stops listening. */
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A real HTTP server on 127.0.0.1 and a random port for tests that fake a remote API. Responses carry
 * `connection: close` so client keep-alive sockets do not outlive a test (the conformance leak check counts them).
 */
export async function startTestHttpServer(handler: TestRequestHandler): Promise<TestHttpServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    response.setHeader('connection', 'close');
    void (async () => {
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers, body: await readBody(request) };
      requests.push(recorded);
      await current(recorded, response);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error), type: 'test_server_error' } }));
    });
  });
  // HTTP clients (undici) may open a spare connection they never send a request on; it is the pool's, not
  // the engine's, so the conformance leak check discounts server-side sockets that never carried a request.
  server.on('connection', (socket) => {
    unusedServerSockets.add(socket);
    socket.once('close', () => unusedServerSockets.delete(socket));
  });
  server.on('request', (request) => unusedServerSockets.delete(request.socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends a JSON response. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Starts an SSE response (`text/event-stream`). */
export function startSse(response: ServerResponse, status = 200): void {
  response.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

/** Writes one SSE frame: `event: <name>` (optional) and `data: <json or text>`. */
export function writeSse(response: ServerResponse, data: unknown, event?: string): void {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  response.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
}

/** Resolves after `ms` (for paced streams in fake servers). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
