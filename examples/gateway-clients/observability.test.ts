// /metrics, traces and request ids over real HTTP: the official openai client against the gateway in front of a
// local fake of the OpenAI wire protocol, with traces exported over OTLP/HTTP to a local fake collector.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
let client: OpenAI;
let collector: Server;
const exported: string[] = [];
const auth = { authorization: `Bearer ${GATEWAY_KEY}` };

beforeAll(async () => {
  collector = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      exported.push(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const otlp = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
  gateway = await startGateway({ configFile: 'observability.config.yaml', env: { OTLP_TRACES_URL: otlp } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway.close();
  await new Promise((resolve) => collector.close(resolve));
});

async function metrics(): Promise<string> {
  const response = await fetch(`${gateway.url}/metrics`, { headers: auth });
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample line (`name{labels} value`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const parts = inside.split(',');
    if (wanted.every((w) => parts.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

const question = [{ role: 'user' as const, content: 'one two three four five six' }];
const route = '/v1/chat/completions';

describe('gateway metrics over HTTP', () => {
  it('per (route, engine, model): requests by outcome, tokens, cost, first token, inter-token and total latency', async () => {
    const before = await metrics();
    const plain = await client.chat.completions.create({ model: 'chat', messages: question });
    expect(plain.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 6 });
    const stream = await client.chat.completions.create({ model: 'chat', messages: question, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) void chunk;
    const after = await metrics();
    const series = { route, engine: 'upstream', model: 'gpt-test' };
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('switchyard_requests_total', { ...series, outcome: 'ok' })).toBe(2);
    expect(delta('switchyard_tokens_total', { ...series, type: 'input' })).toBe(22);
    expect(delta('switchyard_tokens_total', { ...series, type: 'output' })).toBe(12);
    // 1000 and 2000 USD per million tokens: (22 * 1000 + 12 * 2000) / 1e6.
    expect(delta('switchyard_cost_usd_total', series)).toBeCloseTo(0.046, 9);
    expect(delta('switchyard_time_to_first_token_seconds_count', series)).toBe(1);
    expect(delta('switchyard_time_per_output_token_seconds_count', series)).toBe(1);
    expect(delta('switchyard_request_duration_seconds_count', { ...series, outcome: 'ok' })).toBe(2);
    expect(after).toMatch(/# TYPE switchyard_time_to_first_token_seconds histogram/);
    expect(after).toContain(`switchyard_time_to_first_token_seconds_bucket{route="${route}",engine="upstream",model="gpt-test",le="+Inf"}`);
  });

  it('upstream 500s leave a trace: upstream errors, retries and the fallback (the 348-failures scenario)', async () => {
    const before = await metrics();
    const runs = 3;
    for (let i = 0; i < runs; i++) {
      const answer = await client.chat.completions.create({ model: 'flaky', messages: question });
      expect(answer.choices[0]!.message.content).toBe('six five four three two one');
    }
    const after = await metrics();
    const failing = { engine: 'upstream', model: 'server-error' };
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    // Two attempts per request (maxAttempts 2), each a 500 -> PROVIDER_ERROR.
    expect(delta('switchyard_upstream_errors_total', { ...failing, code: 'PROVIDER_ERROR' })).toBe(2 * runs);
    expect(delta('switchyard_retries_total', { ...failing, code: 'PROVIDER_ERROR' })).toBe(runs);
    expect(delta('switchyard_fallbacks_total', { ...failing, code: 'PROVIDER_ERROR', mid_stream: 'false' })).toBe(runs);
    expect(delta('switchyard_requests_total', { route, engine: 'upstream', model: 'gpt-test', outcome: 'ok' })).toBe(runs);
    expect(after).toContain('switchyard_breaker_state{engine="upstream",model="server-error"} 0');
  });

  it('a stream cut after its first tokens falls back with mid_stream="true"', async () => {
    const before = await metrics();
    const stream = await client.chat.completions.create({ model: 'dropping', messages: question, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const after = await metrics();
    const labels = { engine: 'upstream', model: 'drop', mid_stream: 'true' };
    expect(sample(after, 'switchyard_fallbacks_total', labels) - sample(before, 'switchyard_fallbacks_total', labels)).toBe(1);
  });

  it('a 429 starts a cooldown on that deployment', async () => {
    await client.chat.completions.create({ model: 'limited', messages: question });
    const text = await metrics();
    expect(sample(text, 'switchyard_cooldowns_total', { engine: 'limits', model: 'rate-limited' })).toBe(1);
    expect(sample(text, 'switchyard_fallbacks_total', { engine: 'limits', model: 'rate-limited', code: 'RATE_LIMITED' })).toBe(1);
  });

  it('unknown model ids never become label values', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'no-such-model-xyz', messages: question }) });
    expect(response.status).toBe(404);
    expect(await metrics()).not.toContain('no-such-model-xyz');
  });
});

describe('request ids and trace context', () => {
  const post = (headers: Record<string, string>, stream = false) =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'chat', messages: question, stream }) });

  it('x-request-id: a valid one round-trips and goes upstream; an invalid one is replaced; none gets a new one', async () => {
    const sent = await post({ 'x-request-id': 'client-req-42' });
    expect(sent.headers.get('x-request-id')).toBe('client-req-42');
    expect(sent.headers.get('x-correlation-id')).toBe('client-req-42');
    await sent.text();
    expect(gateway.openAiUpstream.requests.at(-1)!.headers['x-request-id']).toBe('client-req-42');
    const invalid = await post({ 'x-request-id': 'has spaces and ;' });
    expect(invalid.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await invalid.text();
    const none = await post({});
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await none.text();
  });

  it('traceparent in -> the same trace id upstream; the stream is one exported span with gen_ai attributes', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const response = await post({ traceparent: `00-${traceId}-b7ad6b7169203331-01` }, true);
    expect(response.status).toBe(200);
    await response.text();
    const upstream = String(gateway.openAiUpstream.requests.at(-1)!.headers.traceparent);
    expect(upstream).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    // The upstream call's parent is the gateway's stream span, not the client's span.
    expect(upstream).not.toContain('b7ad6b7169203331');
    await gateway.server.close({ deadlineMs: 100 });
    const spans = exported.join('\n');
    expect(spans).toContain('switchyard.stream');
    expect(spans).toContain(traceId);
    for (const attribute of ['gen_ai.system', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.usage.output_tokens', 'gen_ai.response.finish_reasons']) expect(spans).toContain(attribute);
    expect(spans).toContain('gateway-under-test');
  });
});
