import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError, createSwitchyardApp, definePlugin, type EngineV1 } from '@switchyard/core';
import { createServerForApp } from './serve-app.js';
import type { SwitchyardServer } from './create-server.js';
import { readSseFrames } from './test-support/sse-client.js';

/** An engine that streams the prompt back word by word (real EngineV1 semantics: honours the signal). */
function echoEngine(): EngineV1 {
  return {
    specificationVersion: 'v1',
    id: 'echo',
    capabilities: { workloads: ['completion'], targets: ['local'], features: ['streaming', 'abort'] },
    doLoad: async () => undefined,
    doRun: async (request) => ({ output: { kind: 'text', text: request.input.kind === 'text' ? (request.input.prompt ?? request.input.messages?.at(-1)?.content ?? '') : '' } }),
    async *doStream(request, signal) {
      const text = request.input.kind === 'text' ? (request.input.prompt ?? request.input.messages?.at(-1)?.content ?? '') : '';
      for (const word of text.split(' ')) {
        if (signal.aborted) throw signal.reason;
        yield { type: 'delta', kind: 'text', text: `${word} ` };
      }
      yield { type: 'finish', usage: { outputTokens: text.split(' ').length }, finishReason: 'stop' };
    },
    doUnload: async () => undefined,
    health: async () => ({ ok: true }),
  };
}

let server: SwitchyardServer | undefined;
afterEach(async () => {
  await server?.close({ deadlineMs: 100 });
  server = undefined;
});

describe('createServerForApp over a real app (core orchestrator)', () => {
  it("a host option is the caller's bind address: refused by field 'host' (not server.host of the config), and listened on", async () => {
    const app = await createSwitchyardApp({ config: { server: { dataDir: false } }, plugins: [definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(echoEngine()) })], logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never });
    const open = await createServerForApp(app, { port: 0, host: '0.0.0.0', env: {} });
    const refused = await open.listen().then(() => undefined, (error: unknown) => error);
    expect(refused).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^bind address '0\.0\.0\.0' is not a loopback address/), details: { field: 'host' } });
    expect((refused as { details: Record<string, unknown> }).details).not.toHaveProperty('pointer');
    expect(() => open.checkListen()).toThrow(/^bind address '0\.0\.0\.0'/);
    await open.close({ deadlineMs: 50 });
  });

  it('serves the catalog from models.dirs, streams through the real orchestrator and maps its errors', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-app-'));
    mkdirSync(join(root, 'models', 'tiny'), { recursive: true });
    writeFileSync(join(root, 'models', 'tiny', 'weights.bin'), 'w');
    writeFileSync(join(root, 'models', 'tiny', 'model_metadata.json'), JSON.stringify({ model_id: 'tiny', version: '1', execution_template: { type: 'Onnx', model_file: 'weights.bin' }, files: ['weights.bin'] }));
    const engine = echoEngine();
    const app = await createSwitchyardApp({
      config: { models: { dirs: ['models'] }, server: { admission: { policy: 'drop-lru' } } },
      baseDir: root,
      plugins: [definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(engine) })],
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
    });
    server = await createServerForApp(app, { port: 0 });
    const base = await server.listen();
    expect(server.config.admission.policy).toBe('drop-lru');
    expect(server.config.admission.engineConcurrency).toEqual({ echo: 16 }); // the Executor's bulkhead default
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('switchyard_circuit_state{engine="echo"} 0');
    const catalog = await (await fetch(`${base}/v2/catalog/models`)).json();
    expect(catalog).toMatchObject({ models: [{ id: 'tiny', version: '1', files: ['weights.bin'] }] });
    const verify = await (await fetch(`${base}/v2/catalog/models/tiny/verify`, { method: 'POST' })).json();
    expect(verify).toMatchObject({ id: 'tiny', ok: true, files: [{ name: 'weights.bin', status: 'unverified' }] });

    const streamed = await fetch(`${base}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model_ref: 'echo:any', prompt: 'hello real orchestrator' }),
    });
    const frames = [];
    for await (const frame of readSseFrames(streamed.body!)) frames.push(frame);
    expect(frames.map((frame) => frame.event)).toEqual(['started', 'token', 'token', 'token', 'metrics', 'end']);
    expect(frames.filter((frame) => frame.event === 'token').map((frame) => frame.data.t).join('')).toBe('hello real orchestrator ');

    const chat = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo:any', messages: [{ role: 'user', content: 'hi there' }] }),
    });
    expect(((await chat.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('hi there');

    const pinned = await fetch(`${base}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model_ref: 'tiny', prompt: 'x', placement: { mode: 'pin', pin_pool_id: 'ghost' } }),
    });
    // An unknown pool is refused at admission, naming the field: it never runs, nor becomes a metrics label.
    expect(pinned.status).toBe(400);
    expect(await pinned.json()).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining("body/placement/pin_pool_id: no pool 'ghost'"), details: { field: 'placement.pin_pool_id' } });
    const after = await (await fetch(`${base}/metrics`)).text();
    expect(after).not.toContain('ghost');
  });

  it('a client that drops a non-streaming chat aborts the engine call through the real orchestrator (task cancellation reaches doRun)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-app-'));
    let running = 0;
    const aborted: unknown[] = [];
    const hanging: EngineV1 = {
      ...echoEngine(),
      id: 'hang',
      doRun: (_request, signal) =>
        new Promise((_, reject) => {
          running += 1;
          signal.addEventListener('abort', () => {
            aborted.push(signal.reason);
            reject(signal.reason);
          }, { once: true });
        }),
    };
    const app = await createSwitchyardApp({
      config: {},
      baseDir: root,
      plugins: [definePlugin({ name: 'hang-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(hanging) })],
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
    });
    server = await createServerForApp(app, { port: 0 });
    const base = await server.listen();
    const client = new AbortController();
    const pending = fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hang:any', messages: [{ role: 'user', content: 'hi' }] }),
      signal: client.signal,
    }).catch((error: Error) => error.name);
    for (let i = 0; i < 200 && running === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(running).toBe(1);
    client.abort();
    expect(await pending).toBe('AbortError');
    for (let i = 0; i < 200 && aborted.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(aborted).toHaveLength(1);
    expect(String(aborted[0])).toContain('canceled');
  });

  it('is durable by default: tasks, transcripts, sessions and API-added catalog entries survive a restart (.switchyard)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-durable-'));
    mkdirSync(join(root, 'models'), { recursive: true });
    const makeApp = () =>
      createSwitchyardApp({
        config: { models: { dirs: ['models'] } },
        baseDir: root,
        plugins: [definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(echoEngine()) })],
        logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
      });
    server = await createServerForApp(await makeApp(), { port: 0 });
    let base = await server.listen();
    expect(server.state.dataDir).toBe(join(root, '.switchyard'));
    const added = await fetch(`${base}/v2/catalog/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'added', metadata: { version: '1', execution_template: { type: 'Onnx', model_file: 'x.bin' }, files: ['x.bin'] } }),
    });
    expect(added.status).toBe(201);
    const live = await (await fetch(`${base}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ task_id: 'kept', session_id: 's1', model_ref: 'echo:any', prompt: 'survive the restart' }),
    })).text();
    await server.close({ deadlineMs: 100 });

    server = await createServerForApp(await makeApp(), { port: 0 });
    base = await server.listen();
    expect(await (await fetch(`${base}/v2/tasks/kept`)).json()).toMatchObject({ task_id: 'kept', state: 'completed' });
    // The replay is the live stream minus its `started` line (which carries the position at connect time).
    const replay = await (await fetch(`${base}/v2/tasks/kept/events`)).text();
    expect(replay.slice(replay.indexOf('id: 0'))).toBe(live.slice(live.indexOf('id: 0')));
    expect(await (await fetch(`${base}/v2/catalog/models/added`)).json()).toMatchObject({ id: 'added', files: ['x.bin'] });
    expect(await (await fetch(`${base}/v2/sessions/s1`)).json()).toMatchObject({ session_id: 's1', turns: 1 });
  });
});

describe('model listings come from the app registry (one source of truth)', () => {
  it('GET /v1/models, /v1/models/{id} and /v2/catalog/models list generated-registry, model-pack and models.dirs models', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-listing-'));
    const metadata = (id: string, task: string) => JSON.stringify({ model_id: id, version: '2', description: `${id} model`, execution_template: { type: 'Onnx', model_file: 'weights.bin' }, files: ['weights.bin'], metadata: { task } });
    // models.dirs
    mkdirSync(join(root, 'models', 'from-dir'), { recursive: true });
    writeFileSync(join(root, 'models', 'from-dir', 'weights.bin'), 'w');
    writeFileSync(join(root, 'models', 'from-dir', 'model_metadata.json'), metadata('from-dir', 'text-embedding'));
    // models.packages: an installed model pack whose folder name is not its model_id
    const pack = join(root, 'node_modules', '@acme', 'model-packed');
    mkdirSync(pack, { recursive: true });
    writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: '@acme/model-packed', version: '1.0.0' }));
    writeFileSync(join(pack, 'weights.bin'), 'w');
    writeFileSync(join(pack, 'model_metadata.json'), metadata('packed', 'ocr'));
    // a generated registry entry whose folder is in neither (only the registry knows it)
    mkdirSync(join(root, 'vendor', 'gen'), { recursive: true });
    writeFileSync(join(root, 'vendor', 'gen', 'weights.bin'), 'w');
    const generatedEntry = { id: 'generated-only', dir: 'vendor/gen', metadata: JSON.parse(metadata('generated-only', 'vad')), loadPipeline: async () => ({ modelId: 'generated-only', run: async () => null }) };
    const registry = { list: () => [generatedEntry], get: (id: string) => (id === generatedEntry.id ? generatedEntry : undefined) };
    const engine = echoEngine();
    const app = await createSwitchyardApp({
      config: { models: { dirs: ['models'], packages: ['@acme/model-packed'] }, server: { dataDir: false } },
      baseDir: root,
      registry,
      plugins: [definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(engine) })],
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
    });
    server = await createServerForApp(app, { port: 0 });
    const base = await server.listen();

    const v1 = (await (await fetch(`${base}/v1/models`)).json()) as { data: { id: string; owned_by: string }[] };
    expect(v1.data.map((m) => m.id).sort()).toEqual(['from-dir', 'generated-only', 'packed']);
    for (const id of ['from-dir', 'generated-only', 'packed']) {
      const one = await fetch(`${base}/v1/models/${id}`);
      expect(one.status).toBe(200);
      expect(await one.json()).toMatchObject({ id, object: 'model' });
    }
    expect((await fetch(`${base}/v1/models/not-a-model`)).status).toBe(404);

    const catalog = (await (await fetch(`${base}/v2/catalog/models`)).json()) as { models: Record<string, unknown>[] };
    const byId = Object.fromEntries(catalog.models.map((m) => [m['id'], m]));
    expect(Object.keys(byId).sort()).toEqual(['from-dir', 'generated-only', 'packed']);
    expect(byId['generated-only']).toMatchObject({ workload: 'inference', pipeline: 'generated', task: 'vad', version: '2', files: ['weights.bin'] });
    expect(byId['packed']).toMatchObject({ workload: 'inference', pipeline: 'interpreted', task: 'ocr', description: 'packed model' });
    expect(byId['from-dir']).toMatchObject({ workload: 'inference', pipeline: 'interpreted', task: 'text-embedding' });
    expect(await (await fetch(`${base}/v2/catalog/models/packed`)).json()).toMatchObject({ id: 'packed', pipeline: 'interpreted' });
    // Files resolve where the registry says the model lives (the pack root, the generated entry's dir).
    for (const id of ['packed', 'generated-only']) {
      expect(await (await fetch(`${base}/v2/catalog/models/${id}/verify`, { method: 'POST' })).json()).toMatchObject({ id, ok: true, files: [{ name: 'weights.bin', status: 'unverified' }] });
    }
  });
});

describe('a model added through POST /v2/catalog/models', () => {
  it('runs a task through the app executor (files resolved and sha256-checked), and again after a restart', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-added-'));
    mkdirSync(join(root, 'models', 'added'), { recursive: true });
    writeFileSync(join(root, 'models', 'added', 'w.bin'), 'weights');
    const loads: { id: string; files: Record<string, string>; metadata: unknown }[] = [];
    const recording: EngineV1 = {
      ...echoEngine(),
      id: 'recording',
      doLoad: async (spec) => void loads.push({ id: spec.id, files: { ...spec.files }, metadata: spec.metadata }),
      async *doStream(request) {
        yield { type: 'delta', kind: 'text', text: `ran ${request.modelId}` };
        yield { type: 'finish', usage: {}, finishReason: 'stop' };
      },
    };
    const makeApp = () =>
      createSwitchyardApp({
        config: { models: { dirs: ['models'] } },
        baseDir: root,
        plugins: [
          definePlugin({ name: 'recording-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(recording) }),
          definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(echoEngine()) }),
        ],
        logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
      });
    const post = (base: string, body: unknown) => fetch(`${base}/v2/catalog/models`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const run = async (base: string) => {
      const response = await fetch(`${base}/v2/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ model_ref: 'added', prompt: 'x' }) });
      const frames = [];
      for await (const frame of readSseFrames(response.body!)) frames.push(frame);
      return frames;
    };
    const sha = createHash('sha256').update('weights').digest('hex');
    const metadata = { version: '2', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files: ['w.bin'], sources: { 'w.bin': { path: 'w.bin', sha256: sha } }, metadata: { task: 'demo' } };

    server = await createServerForApp(await makeApp(), { port: 0 });
    let base = await server.listen();
    // Before it is added, the model does not exist: refused before admission.
    const before = await fetch(`${base}/v2/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model_ref: 'added', prompt: 'x' }) });
    expect(before.status).toBe(404);
    expect(await before.json()).toMatchObject({ code: 'NO_SUCH_MODEL' });
    // Bad metadata is refused with located errors and nothing is added.
    const invalid = await post(base, { id: 'added', engine: 'recording', metadata: { ...metadata, execution_template: { type: 'Onnx', model_file: 'other.bin' } } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: 'METADATA_INVALID', message: expect.stringContaining('body/metadata: /execution_template/model_file names a file that is not listed in /files') });
    const escaping = await post(base, { id: 'added', engine: 'recording', metadata: { ...metadata, sources: { 'w.bin': { path: '/etc/passwd' } } } });
    expect(await escaping.json()).toMatchObject({ code: 'METADATA_INVALID', message: expect.stringContaining('/sources/w.bin/path must be a relative path') });
    expect((await post(base, { id: 'added', engine: 'ghost', metadata })).status).toBe(400);
    expect((await fetch(`${base}/v2/catalog/models/added`)).status).toBe(404);

    const added = await post(base, { id: 'added', engine: 'recording', metadata });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ id: 'added', version: '2', task: 'demo', workload: 'inference', pipeline: 'interpreted', engine: 'recording', files: ['w.bin'] });
    let frames = await run(base);
    expect(frames.map((frame) => frame.event)).toEqual(['started', 'token', 'metrics', 'end']);
    expect(frames[1]!.data.t).toBe('ran added');
    expect(frames[2]!.data).toMatchObject({ engine: 'recording' });
    expect(loads).toHaveLength(1);
    expect(loads[0]).toMatchObject({ id: 'added', files: { 'w.bin': join(root, 'models', 'added', 'w.bin') }, metadata: { model_id: 'added', execution_template: { model_file: 'w.bin' } } });
    await server.close({ deadlineMs: 100 });

    // After a restart the entry comes back from the durable store and runs again (a fresh executor loads it).
    server = await createServerForApp(await makeApp(), { port: 0 });
    base = await server.listen();
    expect(await (await fetch(`${base}/v2/catalog/models/added`)).json()).toMatchObject({ id: 'added', engine: 'recording' });
    frames = await run(base);
    expect(frames[1]!.data.t).toBe('ran added');
    expect(loads).toHaveLength(2);
    // A changed file fails its sha256 check instead of being loaded.
    writeFileSync(join(root, 'models', 'added', 'w.bin'), 'tampered');
    await server.close({ deadlineMs: 100 });
    server = await createServerForApp(await makeApp(), { port: 0 });
    base = await server.listen();
    const tampered = (await run(base)).at(-1);
    // (the router then tries the other engine, which fails the same check)
    expect(tampered).toMatchObject({ event: 'error', data: { message: expect.stringContaining('recording:added [UNTRUSTED_ARTIFACT]') } });
    expect(loads).toHaveLength(2);
  });
});

describe('pool reload through the app executor', () => {
  it('reloading to another model and back leaves the first model serving (no MODEL_NOT_LOADED)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-reload-'));
    for (const id of ['alpha', 'beta']) {
      mkdirSync(join(root, 'models', id), { recursive: true });
      writeFileSync(join(root, 'models', id, 'w.bin'), id);
      writeFileSync(join(root, 'models', id, 'model_metadata.json'), JSON.stringify({ model_id: id, version: '1', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files: ['w.bin'] }));
    }
    const loaded = new Set<string>();
    const strict: EngineV1 = {
      ...echoEngine(),
      id: 'strict',
      doLoad: async (spec) => void loaded.add(spec.id),
      doUnload: async (id) => void loaded.delete(id),
      async *doStream(request) {
        if (!loaded.has(request.modelId)) throw Object.assign(new Error(`not loaded: ${request.modelId}`), { code: 'MODEL_NOT_LOADED' });
        yield { type: 'delta', kind: 'text', text: `ran ${request.modelId}` };
        yield { type: 'finish', usage: {}, finishReason: 'stop' };
      },
    };
    const app = await createSwitchyardApp({
      config: { models: { dirs: ['models'] } },
      baseDir: root,
      plugins: [definePlugin({ name: 'strict-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(strict) })],
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
    });
    server = await createServerForApp(app, { port: 0 });
    const run = async () => {
      let text = '';
      for await (const part of app.orchestrator.stream({ model: 'strict:alpha', workload: 'completion', input: { kind: 'text', prompt: 'x' } })) if (part.type === 'delta' && part.kind === 'text') text += part.text;
      return text;
    };
    expect(await run()).toBe('ran alpha');
    const reload = (ref: string) => server!.app.inject({ method: 'POST', url: '/v2/pools/strict/reload', payload: { new_model_ref: ref } });
    expect((await reload('alpha')).statusCode).toBe(200);
    expect((await reload('beta')).json()).toMatchObject({ model_ref: 'beta', previous_model_ref: 'alpha' });
    // the executor forgot alpha when the pool unloaded it: a task on alpha loads it again
    expect(await run()).toBe('ran alpha');
    expect((await reload('alpha')).json()).toMatchObject({ model_ref: 'alpha', previous_model_ref: 'beta' });
    expect(await run()).toBe('ran alpha');
  });
});

describe('server.admission.concurrency.default under serve', () => {
  it('is honoured for engines not listed by id (the executor bulkhead does not override it)', async () => {
    const app = await createSwitchyardApp({
      config: { server: { admission: { concurrency: { default: 1 } } } },
      plugins: [definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(echoEngine()) })],
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
    });
    server = await createServerForApp(app, { port: 0 });
    const capabilities = (await server.app.inject({ method: 'GET', url: '/v2/meta/capabilities' })).json();
    expect(capabilities.engines[0]).toMatchObject({ engine: 'echo', rate_limits: { concurrency: 1 } });
  });
});

describe('a route-addressed task under serve', () => {
  it("counts against the engine its route runs on first (server.admission.concurrency.engines.<id>), not a catch-all key", async () => {
    const release: (() => void)[] = [];
    const held: EngineV1 = {
      ...echoEngine(),
      id: 'held',
      doRun: () => new Promise((resolve) => release.push(() => resolve({ output: { kind: 'text', text: 'done' } }))),
      async *doStream() {
        await new Promise<void>((resolve) => release.push(resolve));
        yield { type: 'delta', kind: 'text', text: 'done' };
        yield { type: 'finish', usage: {}, finishReason: 'stop' };
      },
    };
    const app = await createSwitchyardApp({
      config: { routing: { routes: { chat: { targets: ['held:m', 'echo:m'] } } }, server: { dataDir: false, admission: { concurrency: { engines: { held: 1 } } } } },
      plugins: [definePlugin({ name: 'two-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => (context.registerEngine(held), context.registerEngine(echoEngine())) })],
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
    });
    server = await createServerForApp(app, { port: 0 });
    const submit = async (id: string) => (await server!.app.inject({ method: 'POST', url: '/v2/tasks', payload: { task_id: id, model_ref: 'chat', prompt: 'x' } })).statusCode;
    const state = async (id: string) => (await server!.app.inject({ method: 'GET', url: `/v2/tasks/${id}` })).json().state as string;
    expect(await submit('r1')).toBe(202);
    expect(await submit('r2')).toBe(202);
    for (let i = 0; i < 100 && release.length < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // One slot on 'held': the second route task waits for it (before, both ran under the key 'default').
    expect([await state('r1'), await state('r2'), release.length]).toEqual(['running', 'queued', 1]);
    // Pinned elsewhere, the same route counts against (and waits for) the pinned engine only.
    const pinned = await server!.app.inject({ method: 'POST', url: '/v2/tasks', payload: { task_id: 'r3', model_ref: 'chat', prompt: 'x', placement: { mode: 'pin', pin_pool_id: 'echo' } } });
    expect(pinned.statusCode).toBe(202);
    for (let i = 0; i < 100 && (await state('r3')) !== 'completed'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await state('r3')).toBe('completed');
    release.shift()!();
    for (let i = 0; i < 100 && release.length < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await state('r2')).toBe('running');
    release.shift()!();
    for (let i = 0; i < 100 && (await state('r2')) !== 'completed'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await state('r2')).toBe('completed');
  });
});

describe('placement over /v2/tasks with an engine:model ref', () => {
  it('pin_pool_id naming another engine than the prefix is a 400 naming the field, not a run on the prefix engine', async () => {
    const other: EngineV1 = { ...echoEngine(), id: 'other' };
    const app = await createSwitchyardApp({
      config: { server: { dataDir: false } },
      plugins: [definePlugin({ name: 'two-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => (context.registerEngine(echoEngine()), context.registerEngine(other)) })],
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
    });
    server = await createServerForApp(app, { port: 0 });
    const base = await server.listen();
    const pinned = await fetch(`${base}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model_ref: 'echo:any', prompt: 'x', placement: { mode: 'pin', pin_pool_id: 'other' } }),
    });
    expect(pinned.status).toBe(400);
    expect(await pinned.json()).toMatchObject({ code: 'INVALID_PARAMS', message: "body/placement/pin_pool_id: pool 'other' contradicts model_ref 'echo:any', which names engine 'echo'", details: { field: 'placement.pin_pool_id' } });
    const preferred = await server.app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'other:any', prompt: 'x', placement: { mode: 'prefer', prefer_pools: ['nope'] } } });
    expect(preferred.statusCode).toBe(400);
    expect(preferred.json()).toMatchObject({ details: { field: 'placement.prefer_pools[0]', pointer: '/placement/prefer_pools/0' } });
  });
});

describe('breaker gauges under serve', () => {
  it('a 429 cooldown shows as 3 (cooling down) on switchyard_breaker_state and switchyard_circuit_state, and 1 once it ran out, without another call', async () => {
    const limited: EngineV1 = {
      ...echoEngine(),
      id: 'limited',
      doRun: async () => {
        throw new SwitchyardError({ code: 'RATE_LIMITED', message: 'HTTP 429', retriable: true, retryAfterMs: 300 });
      },
      async *doStream() {
        throw new SwitchyardError({ code: 'RATE_LIMITED', message: 'HTTP 429', retriable: true, retryAfterMs: 300 });
      },
    };
    const app = await createSwitchyardApp({
      config: { server: { dataDir: false }, resilience: { retry: { maxAttempts: 1 } } },
      plugins: [definePlugin({ name: 'limited-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(limited) })],
      logger: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never,
    });
    server = await createServerForApp(app, { port: 0 });
    const base = await server.listen();
    const answer = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'limited:m', messages: [{ role: 'user', content: 'x' }] }) });
    expect(answer.status).toBe(429);
    let metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('switchyard_breaker_state{engine="limited",model="m"} 3');
    expect(metrics).toContain('switchyard_circuit_state{engine="limited"} 3');
    await new Promise((resolve) => setTimeout(resolve, 350));
    metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('switchyard_breaker_state{engine="limited",model="m"} 1');
    expect(metrics).toContain('switchyard_circuit_state{engine="limited"} 1');
  });
});
