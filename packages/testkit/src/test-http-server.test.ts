import { afterAll, describe, expect, it } from 'vitest';
import { sendJson, startTestHttpServer } from './test-http-server.js';

describe('startTestHttpServer', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('records requests with parsed JSON bodies and answers with the handler', async () => {
    const server = await startTestHttpServer((_req, res) => sendJson(res, 201, { ok: true }));
    servers.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/v1/x?y=1`, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ ok: true });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/v1/x?y=1', { a: 1 }]]);
  });
});
