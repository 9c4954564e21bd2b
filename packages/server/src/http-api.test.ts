import { afterEach, describe, expect, it } from 'vitest';
import type { EngineV1 } from '@switchyard/core';
import { createServer, type SwitchyardServer } from './create-server.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function engine(id: string, ok = true): EngineV1 {
  return {
    specificationVersion: 'v1',
    id,
    capabilities: { workloads: ['completion', 'embedding'], targets: ['local'], features: ['streaming', 'abort'], contextWindow: 4096 },
    doLoad: async () => undefined,
    doRun: async () => ({ output: { kind: 'text', text: '' } }),
    async *doStream() {},
    doUnload: async () => undefined,
    health: async () => (ok ? { ok } : { ok, reason: 'no accelerator' }),
  };
}

let server: SwitchyardServer | undefined;
afterEach(async () => {
  await server?.close({ deadlineMs: 100 });
  server = undefined;
});

async function start(config: Parameters<typeof createServer>[0]['config'] = {}, env: NodeJS.ProcessEnv = {}) {
  server = await createServer({
    orchestrator: new OrchestratorDouble({ echo: {}, embed: { embeddingDim: 4 } }),
    engines: [engine('onnx'), engine('mlx', false)],
    config,
    env,
    defaultMetrics: false,
  });
  return server.app;
}

describe('HTTP basics', () => {
  it('serves /healthz and echoes or generates X-Correlation-Id', async () => {
    const app = await start();
    const echoed = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-correlation-id': 'req-42' } });
    expect(echoed.statusCode).toBe(200);
    expect(echoed.json()).toEqual({ status: 'ok' });
    expect(echoed.headers['x-correlation-id']).toBe('req-42');
    const generated = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-correlation-id': 'bad id with spaces' } });
    expect(generated.headers['x-correlation-id']).toMatch(UUID);
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing.headers['x-correlation-id']).toMatch(UUID);
  });

  it('accepts a valid X-Request-Id (before X-Correlation-Id), echoes it in both headers, replaces an invalid one', async () => {
    const app = await start();
    const sent = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'client.req:7', 'x-correlation-id': 'other' } });
    expect(sent.headers['x-request-id']).toBe('client.req:7');
    expect(sent.headers['x-correlation-id']).toBe('client.req:7');
    const invalid = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'x'.repeat(129) } });
    expect(invalid.headers['x-request-id']).toMatch(UUID);
    const none = await app.inject({ method: 'GET', url: '/healthz' });
    expect(none.headers['x-request-id']).toMatch(UUID);
    expect(none.headers['x-request-id']).toBe(none.headers['x-correlation-id']);
  });

  it('reports readiness and capabilities from the engines', async () => {
    const app = await start({ admission: { concurrency: { default: 3, engines: { onnx: 1 } } } });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().engines).toEqual([{ engine: 'onnx', ok: true }, { engine: 'mlx', ok: false, reason: 'no accelerator' }]);
    const capabilities = (await app.inject({ method: 'GET', url: '/v2/meta/capabilities' })).json();
    expect(capabilities.api_version).toBe('2');
    expect(capabilities.engines[0]).toMatchObject({ engine: 'onnx', workloads: ['completion', 'embedding'], ctx_max: 4096, rate_limits: { concurrency: 1 } });
    expect(capabilities.engines[1].rate_limits.concurrency).toBe(3);
  });

  it('exposes Prometheus metrics including task counters and queue depth', async () => {
    const app = await start();
    const admitted = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', prompt: 'hello there' } });
    expect(admitted.statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('switchyard_tasks_enqueued_total{priority="interactive"} 1');
    expect(metrics.body).toContain('switchyard_tasks_started_total{engine="default"} 1');
    expect(metrics.body).toContain('switchyard_queue_depth');
    expect(metrics.body).toContain('switchyard_stage_duration_seconds_bucket{stage="queue",le="0.001"}');
  });
});

describe('auth', () => {
  it('requires a key from config or env, accepts Bearer and X-API-Key, leaves /healthz open', async () => {
    const app = await start({ auth: { apiKeys: ['config-key'], apiKeysEnv: 'MY_KEYS' } }, { MY_KEYS: 'env-key-1, env-key-2' });
    const missing = await app.inject({ method: 'GET', url: '/v1/models' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    const wrong = await app.inject({ method: 'GET', url: '/v2/meta/capabilities', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('nope');
    expect((await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer config-key' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/models', headers: { 'x-api-key': 'env-key-2' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('bad input gets a 4xx envelope and the server stays up', () => {
  it('malformed JSON, wrong types, unknown fields, missing input', async () => {
    const app = await start();
    const malformed = await app.inject({ method: 'POST', url: '/v2/tasks', headers: { 'content-type': 'application/json' }, payload: '{"model_ref": "echo",' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(malformed.json().message).toContain('not valid JSON');
    expect(malformed.body).not.toMatch(/at .*\.(js|ts):\d+/);

    const wrongType = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', prompt: 'x', max_tokens: '5' } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'body', pointer: '/max_tokens' } });
    expect(wrongType.json().message).toBe('body/max_tokens must be integer');

    const unknownField = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', prompt: 'x', temprature: 1 } });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json()).toMatchObject({ message: "body/temprature is not a field of the request (unknown key 'temprature')", details: { field: 'body', pointer: '/temprature' } });

    const noInput = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo' } });
    expect(noInput.statusCode).toBe(400);
    expect(noInput.json().message).toContain('exactly one of prompt, messages or inputs');

    const badQuery = await app.inject({ method: 'GET', url: '/v1/models?debug=1' });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().details.field).toBe('querystring');

    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('oversized body -> 413 PAYLOAD_TOO_LARGE', async () => {
    const app = await start({ bodyLimitBytes: 1024 });
    const big = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', prompt: 'x'.repeat(4096) } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'Request body exceeds the limit of 1024 bytes', retriable: false, details: { limitBytes: 1024 } });
  });

  it('bad and unknown task ids', async () => {
    const app = await start();
    const bad = await app.inject({ method: 'GET', url: '/v2/tasks/bad%20id!/events' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'params' } });
    const unknown = await app.inject({ method: 'GET', url: '/v2/tasks/nope-123/events' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND', details: { taskId: 'nope-123' } });
    const cancelUnknown = await app.inject({ method: 'POST', url: '/v2/tasks/nope-123/cancel' });
    expect(cancelUnknown.statusCode).toBe(404);
  });

  it('duplicate task ids and pinned placement without a pool', async () => {
    const app = await start();
    expect((await app.inject({ method: 'POST', url: '/v2/tasks', payload: { task_id: 't-1', model_ref: 'echo', prompt: 'a' } })).statusCode).toBe(202);
    const duplicate = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { task_id: 't-1', model_ref: 'echo', prompt: 'a' } });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json().details.field).toBe('task_id');
    const pin = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', prompt: 'a', placement: { mode: 'pin' } } });
    expect(pin.statusCode).toBe(400);
    expect(pin.json().details.pointer).toBe('/placement/pin_pool_id');
  });

  it('internal failures return a generic INTERNAL without stack or message', async () => {
    const app = await start();
    app.get('/boom', async () => {
      throw new Error('secret-token-123 at /home/x/file.ts:1');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json().code).toBe('INTERNAL');
    expect(response.body).not.toContain('secret-token-123');
    expect(response.body).not.toContain('file.ts');
  });
});

describe('sessions and artifacts', () => {
  it('tracks session turns and deletes sessions', async () => {
    const app = await start();
    await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', session_id: 's-1', prompt: 'one' } });
    await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', session_id: 's-1', prompt: 'two' } });
    const session = (await app.inject({ method: 'GET', url: '/v2/sessions/s-1' })).json();
    expect(session).toMatchObject({ session_id: 's-1', turns: 2 });
    expect(session.ttl_ms_remaining).toBeGreaterThan(0);
    expect((await app.inject({ method: 'DELETE', url: '/v2/sessions/s-1' })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v2/sessions/s-1' })).statusCode).toBe(404);
  });

  it('rejects a session past its turn limit with the policy label', async () => {
    const app = await start({ sessions: { maxTurns: 1 } });
    expect((await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', session_id: 's-2', prompt: 'one' } })).statusCode).toBe(202);
    const over = await app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo', session_id: 's-2', prompt: 'two' } });
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 'ADMISSION_REJECT', policy_label: 'session-turns', details: { field: 'session_id' } });
  });

  it('stores artifacts by sha256 and serves them back', async () => {
    const app = await start();
    const stored = await app.inject({ method: 'POST', url: '/v2/artifacts', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('hello') });
    expect(stored.statusCode).toBe(201);
    expect(stored.json().id).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    const fetched = await app.inject({ method: 'GET', url: `/v2/artifacts/${stored.json().id}` });
    expect(fetched.body).toBe('hello');
    expect(fetched.headers['content-type']).toBe('application/octet-stream');
    expect((await app.inject({ method: 'GET', url: '/v2/artifacts/xyz' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/v2/artifacts/${'0'.repeat(64)}` })).statusCode).toBe(404);
  });
});
