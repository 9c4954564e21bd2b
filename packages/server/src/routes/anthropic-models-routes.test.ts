import type { EngineV1 } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { OrchestratorDouble } from '../test-support/orchestrator-double.js';
import { ANTHROPIC_MODEL_CREATED_AT, anthropicModelPage } from './anthropic-models-routes.js';

const engine: EngineV1 = {
  specificationVersion: 'v1',
  id: 'onnx',
  capabilities: { workloads: ['completion'], targets: ['local'], features: ['streaming'], contextWindow: 4096 },
  doLoad: async () => undefined,
  doRun: async () => ({ output: { kind: 'text', text: '' } }),
  async *doStream() {},
  doUnload: async () => undefined,
  health: async () => ({ ok: true }),
};

const KEY = 'sk-models-test-key';
const IDS = ['m1', 'm2', 'm3', 'm4', 'm5'];
let server: SwitchyardServer;
beforeAll(async () => {
  server = await createServer({
    orchestrator: new OrchestratorDouble({}),
    engines: [engine],
    config: { auth: { apiKeys: [KEY] }, models: IDS.map((id) => ({ id, ownedBy: 'onnx' })) },
    env: {},
    defaultMetrics: false,
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

const anthropic = (url: string, headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url, headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01', ...headers } });
const openAi = (url: string) => server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${KEY}` } });
const info = (id: string) => ({ type: 'model', id, display_name: id, created_at: ANTHROPIC_MODEL_CREATED_AT, lifecycle: 'active', deprecated_at: null, retires_at: null, line: null, capabilities: null, max_input_tokens: null, max_tokens: null });

describe('GET /v1/models for Anthropic clients (anthropic-version header)', () => {
  it("lists ModelInfo in Anthropic's page shape, 20 by default", async () => {
    const response = await anthropic('/v1/models');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ data: IDS.map(info), has_more: false, first_id: 'm1', last_id: 'm5' });
  });

  it('pages with limit and after_id, and backwards with before_id', async () => {
    expect((await anthropic('/v1/models?limit=2')).json()).toEqual({ data: [info('m1'), info('m2')], has_more: true, first_id: 'm1', last_id: 'm2' });
    expect((await anthropic('/v1/models?limit=2&after_id=m2')).json()).toMatchObject({ has_more: true, first_id: 'm3', last_id: 'm4' });
    expect((await anthropic('/v1/models?limit=2&after_id=m4')).json()).toMatchObject({ data: [info('m5')], has_more: false });
    expect((await anthropic('/v1/models?limit=2&before_id=m5')).json()).toMatchObject({ has_more: true, first_id: 'm3', last_id: 'm4' });
    expect((await anthropic('/v1/models?limit=2&before_id=m2')).json()).toMatchObject({ data: [info('m1')], has_more: false });
    expect((await anthropic('/v1/models?after_id=m5')).json()).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
    expect((await anthropic('/v1/models?limit=1000')).json().data).toHaveLength(5);
  });

  it.each([
    ['limit=0', 'limit', 'querystring/limit must be an integer from 1 to 1000'],
    ['limit=1001', 'limit', 'querystring/limit must be an integer from 1 to 1000'],
    ['limit=2.5', 'limit', 'querystring/limit must be an integer from 1 to 1000'],
    ['limit=1&limit=2', 'limit', 'querystring/limit must be given once'],
    ['after_id=nope', 'after_id', 'querystring/after_id names no listed model'],
    ['before_id=nope', 'before_id', 'querystring/before_id names no listed model'],
    ['before_id=m3&after_id=m1', 'before_id', 'querystring/before_id cannot be combined with after_id (one cursor per page)'],
    ['order=asc', 'order', 'querystring/order is not a parameter of GET /v1/models (it takes limit, before_id, after_id)'],
  ])("?%s is a 400 naming '%s', in Anthropic's error shape", async (query, field, message) => {
    const response = await anthropic(`/v1/models?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ type: 'error', code: 'INVALID_PARAMS', message, details: { field }, error: { type: 'invalid_request_error', message } });
  });

  it('a wrong key is a 401 authentication_error', async () => {
    const response = await anthropic('/v1/models', { 'x-api-key': 'sk-wrong' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ type: 'error', code: 'UNAUTHORIZED', error: { type: 'authentication_error' } });
  });
});

describe('GET /v1/models/{id} for Anthropic clients', () => {
  it('answers a listed model and an engine:model ref as ModelInfo', async () => {
    expect((await anthropic('/v1/models/m3')).json()).toEqual(info('m3'));
    expect((await anthropic('/v1/models/onnx:tiny')).json()).toEqual(info('onnx:tiny'));
  });

  it("an unknown id is a 404 not_found_error in Anthropic's envelope", async () => {
    const response = await anthropic('/v1/models/no-such-model');
    expect(response.statusCode).toBe(404);
    // The gateway's envelope (code, message, details...) with Anthropic's `type` and `error.type`, as /v1/messages.
    expect(response.json()).toMatchObject({
      type: 'error',
      code: 'NO_SUCH_MODEL',
      message: "The model 'no-such-model' does not exist",
      details: { modelId: 'no-such-model' },
      error: { message: "The model 'no-such-model' does not exist", type: 'not_found_error', code: 'model_not_found', param: null },
    });
  });

  it('takes no query parameter', async () => {
    const response = await anthropic('/v1/models/m1?limit=1');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ type: 'error', details: { field: 'limit' }, message: 'querystring/limit is not a parameter of GET /v1/models/{id} (it takes none)' });
  });
});

describe('OpenAI clients keep the OpenAI answer', () => {
  it('list, retrieve, unknown id and a query parameter are unchanged', async () => {
    expect((await openAi('/v1/models')).json()).toEqual({ object: 'list', data: IDS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'onnx' })) });
    expect((await openAi('/v1/models/m2')).json()).toEqual({ id: 'm2', object: 'model', created: 0, owned_by: 'onnx' });
    const unknown = await openAi('/v1/models/nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).not.toHaveProperty('type');
    expect(unknown.json().error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    const query = await openAi('/v1/models?limit=2');
    expect(query.statusCode).toBe(400);
    expect(query.json()).toMatchObject({ details: { field: 'querystring', pointer: '/limit' } });
  });
});

describe('anthropicModelPage', () => {
  it('an empty listing is an empty page', () => {
    expect(anthropicModelPage([], {})).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });
});
