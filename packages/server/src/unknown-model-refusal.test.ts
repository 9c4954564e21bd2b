import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetadataInvalidError, createSwitchyardApp, definePlugin, type EngineV1 } from '@switchyard/core';
import { createServerForApp } from './serve-app.js';
import type { SwitchyardServer } from './create-server.js';
import { redisSkipReason, startRedis } from '@switchyard/queue-bullmq/test';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never;

/** An engine that counts the calls that reach it; `failLoad` makes its load refuse the graph, as the ONNX engine's check does. */
function countingEngine(options: { failLoad?: boolean } = {}): EngineV1 & { calls: number } {
  const engine = {
    specificationVersion: 'v1' as const,
    id: 'echo',
    calls: 0,
    capabilities: { workloads: ['completion', 'embedding', 'inference'], targets: ['local'], features: ['streaming'] },
    doLoad: async () => {
      if (options.failLoad) throw new MetadataInvalidError({ issues: [{ file: 'model.onnx', pointer: '/postprocessing/0/output', message: "names graph output 'logits', which the graph does not have" }] });
    },
    doRun: async () => {
      engine.calls += 1;
      return { output: { kind: 'text' as const, text: 'ok' } };
    },
    async *doStream() {
      engine.calls += 1;
      yield { type: 'delta' as const, kind: 'text' as const, text: 'ok' };
      yield { type: 'finish' as const, usage: {}, finishReason: 'stop' as const };
    },
    doUnload: async () => undefined,
    health: async () => ({ ok: true }),
  };
  return engine as EngineV1 & { calls: number };
}

/** An app whose models.dirs holds `my-classifier` (run by `echo`) and a server over it, in memory (or an API node of `queue`). */
async function start(engine: EngineV1, queue?: { redis: string; prefix: string }): Promise<{ server: SwitchyardServer; root: string }> {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-unknown-model-'));
  mkdirSync(join(root, 'models', 'my-classifier'), { recursive: true });
  writeFileSync(join(root, 'models', 'my-classifier', 'w.bin'), 'w');
  writeFileSync(join(root, 'models', 'my-classifier', 'model_metadata.json'), JSON.stringify({ model_id: 'my-classifier', version: '1', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files: ['w.bin'] }));
  const app = await createSwitchyardApp({
    config: { models: { dirs: ['models'], overrides: { 'my-classifier': { engine: 'echo' } } }, server: { dataDir: false }, ...(queue ? { queue } : {}) },
    baseDir: root,
    plugins: [definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(engine) })],
    logger: quiet,
  });
  return { server: await createServerForApp(app, { env: {} }), root };
}

let server: SwitchyardServer | undefined;
afterEach(async () => {
  await server?.close({ deadlineMs: 100 });
  server = undefined;
});

const enqueued = async (target: SwitchyardServer) => {
  const text = (await target.app.inject({ method: 'GET', url: '/metrics' })).body;
  return [...text.matchAll(/^switchyard_tasks_enqueued_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
};

describe('a model ref nothing serves is refused before admission (NO_SUCH_MODEL 404, close matches), on every task route', () => {
  it('POST /v2/tasks with a typo of a registry model: 404 listing it, no task queued (was 202 and an SSE error frame later)', async () => {
    const engine = countingEngine();
    ({ server } = await start(engine));
    const typo = await server.app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'my-clasifier', prompt: 'x' } });
    expect(typo.statusCode).toBe(404);
    expect(typo.json()).toMatchObject({ code: 'NO_SUCH_MODEL', message: expect.stringContaining("No such model 'my-clasifier' (close matches: my-classifier)"), details: { modelId: 'my-clasifier', closeMatches: ['my-classifier'] } });
    // The admit-and-stream form is refused the same way (a JSON 404, no stream opened).
    const streamed = await server.app.inject({ method: 'POST', url: '/v2/tasks', headers: { accept: 'text/event-stream' }, payload: { model_ref: 'my-clasifier', prompt: 'x' } });
    expect(streamed.statusCode).toBe(404);
    expect(streamed.headers['content-type']).toMatch(/^application\/json/);
    expect(await enqueued(server)).toBe(0);
    expect(engine.calls).toBe(0);
    // The model itself is admitted as before.
    expect((await server.app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'my-classifier', workload: 'inference', inputs: { json: 1 } } })).statusCode).toBe(202);
    expect(await enqueued(server)).toBe(1);
  });

  it('the OpenAI and Anthropic faces refuse with the same check and message, before a task is queued', async () => {
    const engine = countingEngine();
    ({ server } = await start(engine));
    const message = "No such model 'my-clasifier' (close matches: my-classifier)";
    const asks: [string, Record<string, unknown>][] = [
      ['/v1/chat/completions', { model: 'my-clasifier', messages: [{ role: 'user', content: 'hi' }] }],
      ['/v1/completions', { model: 'my-clasifier', prompt: 'hi' }],
      ['/v1/embeddings', { model: 'my-clasifier', input: 'hi' }],
      ['/v1/responses', { model: 'my-clasifier', input: 'hi' }],
      ['/v1/messages', { model: 'my-clasifier', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }],
    ];
    for (const [url, payload] of asks) {
      const response = await server.app.inject({ method: 'POST', url, payload });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ code: 'NO_SUCH_MODEL', message: expect.stringContaining(message), error: { code: 'model_not_found' } });
    }
    expect(await enqueued(server)).toBe(0);
    expect(engine.calls).toBe(0);
  });
});

const redisSkip = redisSkipReason();
describe.skipIf(redisSkip !== undefined)(`distributed mode (queue.redis): the API node refuses with its app's check${redisSkip ? ` (skipped: ${redisSkip})` : ''}`, () => {
  it('a typo is a 404 before anything reaches Redis; the model is admitted for the workers', async () => {
    const redis = await startRedis();
    try {
      ({ server } = await start(countingEngine(), { redis: redis.url, prefix: 'unknown-model' }));
      expect(server.scheduler.mode).toBe('redis');
      const typo = await server.app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'my-clasifier', prompt: 'x' } });
      expect(typo.statusCode).toBe(404);
      expect(typo.json().message).toContain("No such model 'my-clasifier' (close matches: my-classifier)");
      const chat = await server.app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'my-clasifier', messages: [{ role: 'user', content: 'hi' }] } });
      expect(chat.statusCode).toBe(404);
      expect(await enqueued(server)).toBe(0);
      expect((await server.app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'my-classifier', workload: 'inference', inputs: { json: 1 } } })).statusCode).toBe(202);
      expect(await enqueued(server)).toBe(1);
    } finally {
      await server?.close({ deadlineMs: 50 });
      server = undefined;
      await redis.stop();
    }
  });
});

describe('a lookup of one unknown model lists the close matches, as the other NO_SUCH_MODEL errors do', () => {
  it('GET /v1/models/{id} (OpenAI and Anthropic faces) and GET /v2/catalog/models/{id}', async () => {
    ({ server } = await start(countingEngine()));
    const openAi = await server.app.inject({ method: 'GET', url: '/v1/models/my-clasifier' });
    expect(openAi.statusCode).toBe(404);
    expect(openAi.json()).toMatchObject({ code: 'NO_SUCH_MODEL', message: "The model 'my-clasifier' does not exist (close matches: my-classifier)", error: { code: 'model_not_found' } });
    const anthropic = await server.app.inject({ method: 'GET', url: '/v1/models/my-clasifier', headers: { 'anthropic-version': '2023-06-01' } });
    expect(anthropic.statusCode).toBe(404);
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: "The model 'my-clasifier' does not exist (close matches: my-classifier)" } });
    const catalog = await server.app.inject({ method: 'GET', url: '/v2/catalog/models/my-clasifier' });
    expect(catalog.statusCode).toBe(404);
    expect(catalog.json()).toMatchObject({ code: 'NO_SUCH_MODEL', message: "No model 'my-clasifier' in the catalog (close matches: my-classifier)" });
    // Nothing close: the message is as before.
    expect((await server.app.inject({ method: 'GET', url: '/v2/catalog/models/zzz' })).json().message).toBe("No model 'zzz' in the catalog");
  });
});

describe('a model added with POST /v2/catalog/models is named by what was sent', () => {
  it('a graph check that fails at load names body/metadata, not a model_metadata.json that does not exist', async () => {
    const started = await start(countingEngine({ failLoad: true }));
    server = started.server;
    // Its files are in <models dir>/<id>/; its metadata is only in the request.
    mkdirSync(join(started.root, 'models', 'graph-name-api'));
    writeFileSync(join(started.root, 'models', 'graph-name-api', 'w.bin'), 'w');
    const sha = createHash('sha256').update('w').digest('hex');
    const metadata = { version: '1', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files: ['w.bin'], sources: { 'w.bin': { path: 'w.bin', sha256: sha } } };
    const added = await server.app.inject({ method: 'POST', url: '/v2/catalog/models', payload: { id: 'graph-name-api', engine: 'echo', metadata } });
    expect(added.statusCode).toBe(201);
    const run = await server.app.inject({ method: 'POST', url: '/v2/tasks', headers: { accept: 'text/event-stream' }, payload: { model_ref: 'graph-name-api', workload: 'inference', inputs: { json: 1 } } });
    const error = run.body.split('\n\n').find((frame) => frame.includes('event: error'));
    expect(error).toContain('METADATA_INVALID');
    expect(error).toContain('body/metadata: /postprocessing/0/output names graph output');
    expect(error).not.toContain('model_metadata.json');
  });
});
