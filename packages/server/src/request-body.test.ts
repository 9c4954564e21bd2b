import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from './create-server.js';
import { decodedPayload } from './request-body.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';

// Valid JSON is never "not valid JSON": compressed bodies are decoded, a refused __proto__ key is named with its pointer.
let server: SwitchyardServer;
let url: string;
const double = new OrchestratorDouble({ m: {} });
beforeAll(async () => {
  server = await createServer({ orchestrator: double, env: {}, defaultMetrics: false, config: { bodyLimitBytes: 4096 } });
  url = await server.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => server.close({ deadlineMs: 50 }));

const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'one two' }] });
const send = (payload: Buffer | string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });

describe('request bodies', () => {
  it('decodes Content-Encoding gzip, deflate and br bodies over a real socket', async () => {
    for (const [encoding, bytes] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['br', brotliCompressSync(body)]] as const) {
      const response = await send(bytes, { 'content-encoding': encoding });
      expect(response.status, encoding).toBe(200);
      expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('one two');
    }
  });

  it('counts the decoded bytes against the body limit, and names a broken or unknown encoding', async () => {
    const bomb = gzipSync(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(100_000) }] }));
    expect(bomb.length).toBeLessThan(4096);
    expect((await send(bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
    const broken = await send('not gzip at all', { 'content-encoding': 'gzip' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'INVALID_PARAMS', message: 'body: not valid gzip data (Content-Encoding: gzip)' });
    const unknown = await send(body, { 'content-encoding': 'zstd' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'content-encoding' } });
  });

  it('names a __proto__ key and where it is instead of calling the JSON invalid', async () => {
    const schema = '{"type":"object","properties":{"__proto__":{"type":"string"}}}';
    const withProto = `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${schema}}}]}`;
    const response = await send(withProto);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { code: string; message: string; details: { pointer: string } };
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.details.pointer).toBe('/tools/0/function/parameters/properties/__proto__');
    expect(error.message).toContain("the key '__proto__' is refused");
    expect(error.message).not.toContain('not valid JSON');
    expect(((await send('{"model": ')).status)).toBe(400);
  });

  it('stops decoding a bomb at the limit: the rest of the body is never read, nothing inflates after the 413', async () => {
    // 1,000 gzip members of 1 MiB of zeros each: about 1 MB on the wire, 1 GiB decoded.
    const member = gzipSync(Buffer.alloc(1 << 20));
    let pulled = 0;
    const source = new Readable({
      read() {
        pulled++;
        this.push(pulled <= 1000 ? member : null);
      },
    });
    const decoded = decodedPayload('gzip', source, 4096);
    // Like Fastify at its limit: the reader goes away without destroying the stream.
    const failure = await new Promise<Error>((resolve) => {
      decoded.on('error', resolve);
      decoded.resume();
    });
    expect(failure).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: 4096 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pulled).toBeLessThan(100); // what stream buffers read ahead; all 1,000 without the stop
  });
});

