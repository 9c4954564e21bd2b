import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SwitchyardError, createModelCatalog, createSwitchyardApp, definePlugin, parseConfigText, type EngineV1 } from '@switchyard/core';
import { createRegistryCatalog } from './server-catalog.js';
import { checkAppServerModels, checkServerModels, resolveServerConfig, type ServedModels, type ServerConfig } from './server-config.js';

describe('resolveServerConfig refuses settings it would not honour', () => {
  it.each([
    [{ taskRetentionMs: 1, retention: { maxAgeMs: 2 } }, 'server.taskRetentionMs and server.retention.maxAgeMs are the same setting'],
    [{ taskRetentionMaxTasks: 1, retention: { maxTasks: 2 } }, 'server.taskRetentionMaxTasks and server.retention.maxTasks are the same setting'],
    [{ taskRetentionMaxBytes: 1, retention: { maxBytes: 2 } }, 'server.taskRetentionMaxBytes and server.retention.maxBytes are the same setting'],
    [{ connections: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } }, 'server.connections.headersTimeoutMs (5000) cannot exceed server.connections.requestTimeoutMs (1000)'],
    [{ queue: { redis: 'redis://127.0.0.1:6379' }, retention: { maxTasks: 10 } }, 'server.retention.maxTasks is not applied with queue.redis'],
    [{ queue: { redis: 'redis://127.0.0.1:6379' }, taskRetentionMaxBytes: 10 }, 'server.taskRetentionMaxBytes is not applied with queue.redis'],
  ])('%j', (config, message) => {
    expect(() => resolveServerConfig(config, {})).toThrow(message);
  });

  it('takes each alias alone, and a lower request timeout lowers the default headers timeout', () => {
    const resolved = resolveServerConfig({ taskRetentionMaxTasks: 5, retention: { maxAgeMs: 7 }, connections: { requestTimeoutMs: 1000 } }, {});
    expect(resolved.retention).toMatchObject({ maxTasks: 5, maxAgeMs: 7 });
    expect(resolved.connections).toMatchObject({ requestTimeoutMs: 1000, headersTimeoutMs: 1000 });
    expect(resolveServerConfig({ queue: { redis: 'redis://127.0.0.1:6379' }, retention: { maxAgeMs: 1000 } }, {}).retention.maxAgeMs).toBe(1000);
  });
});

describe('checkServerModels: server.models names only what a request can run', () => {
  const served: ServedModels = { engines: ['onnx', 'openai'], routes: ['chat', 'summarize'], catalog: [{ id: 'paddleocr-v4', engine: 'onnx' }] };
  const refusal = (models: ServerConfig['models']) => {
    try {
      checkServerModels(models, served);
    } catch (error) {
      expect(SwitchyardError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
      return error as SwitchyardError;
    }
    throw new Error('not refused');
  };

  it('takes routes, catalog models and engine:model refs, with the engine each runs on as ownedBy', () => {
    expect(() =>
      checkServerModels([{ id: 'chat', ownedBy: 'openai' }, { id: 'paddleocr-v4', ownedBy: 'onnx' }, { id: 'openai:gpt-4o-mini', ownedBy: 'openai' }, { id: 'onnx:other' }], served),
    ).not.toThrow();
  });

  // Regression: `{ id: auto }` (docs/server.md's example) was listed by /v1/models and failed every request.
  it('refuses an id that is no route, catalog model or engine:model, with close matches', () => {
    const error = refusal([{ id: 'auto' }]);
    expect(error.message).toBe("server.models[0].id: 'auto' is not a route (routes: chat, summarize), a catalog model or an 'engine:model' of a registered engine (engines: onnx, openai), so every request on it would fail");
    expect(error.details).toMatchObject({ pointer: '/server/models/0/id', field: 'server.models[0].id', found: 'auto' });
    expect(refusal([{ id: 'chat' }, { id: 'chta' }]).message).toContain("server.models[1].id: 'chta' is not a route (routes: chat, summarize), a catalog model or an 'engine:model' of a registered engine (engines: onnx, openai), so every request on it would fail; did you mean 'chat'?");
  });

  it('refuses an engine:model of an engine no plugin registered', () => {
    expect(refusal([{ id: 'nosuch:thing', ownedBy: 'nosuch' }]).message).toBe("server.models[0].id: 'nosuch:thing' names engine 'nosuch', which no plugin registered (registered: onnx, openai)");
  });

  it('refuses an ownedBy that names no engine, or another engine than the model runs on', () => {
    const unknown = refusal([{ id: 'chat', ownedBy: 'opnai' }]);
    expect(unknown.message).toBe("server.models[0].ownedBy: no plugin registered an engine 'opnai' (registered: onnx, openai; did you mean 'openai'?)");
    expect(unknown.details).toMatchObject({ pointer: '/server/models/0/ownedBy', field: 'server.models[0].ownedBy', found: 'opnai' });
    expect(refusal([{ id: 'openai:gpt-4o-mini', ownedBy: 'onnx' }]).message).toBe("server.models[0].ownedBy: 'onnx' but 'openai:gpt-4o-mini' runs on engine 'openai'; set ownedBy: openai or leave it out");
    expect(refusal([{ id: 'paddleocr-v4', ownedBy: 'openai' }]).message).toContain("server.models[0].ownedBy: 'openai' but 'paddleocr-v4' runs on engine 'onnx'");
  });

  it('refuses an id listed twice (the second ownedBy would silently win)', () => {
    expect(refusal([{ id: 'chat' }, { id: 'chat', ownedBy: 'onnx' }]).message).toBe("server.models[1].id: 'chat' is listed twice (also server.models[0])");
  });

  // Regression: only the first bad entry was named; fixing it showed the next one at the next start.
  it('names every bad entry in one error, each with its pointer', () => {
    const error = refusal([{ id: 'auto' }, { id: 'chat' }, { id: 'chat', ownedBy: 'opnai' }, { id: 'openai:gpt-4o-mini', ownedBy: 'onnx' }]);
    expect(error.message).toBe(
      [
        'server.models: 3 errors:',
        "  server.models[0].id: 'auto' is not a route (routes: chat, summarize), a catalog model or an 'engine:model' of a registered engine (engines: onnx, openai), so every request on it would fail",
        "  server.models[2].id: 'chat' is listed twice (also server.models[1])",
        "  server.models[3].ownedBy: 'onnx' but 'openai:gpt-4o-mini' runs on engine 'openai'; set ownedBy: openai or leave it out",
      ].join('\n'),
    );
    expect(error.details['errors']).toMatchObject([{ pointer: '/server/models/0/id' }, { pointer: '/server/models/2/id' }, { pointer: '/server/models/3/ownedBy' }]);
  });

  it('without the routes known, checks engines only', () => {
    expect(() => checkServerModels([{ id: 'auto' }], { engines: ['onnx'], catalog: [] })).not.toThrow();
    expect(() => checkServerModels([{ id: 'auto', ownedBy: 'nosuch' }], { engines: ['onnx'], catalog: [] })).toThrow("server.models[0].ownedBy: no plugin registered an engine 'nosuch'");
  });

  it("docs/server.md's config block advertises only models that can run (with its route chat)", () => {
    const doc = readFileSync(new URL('../../../docs/server.md', import.meta.url), 'utf8');
    const block = doc.slice(doc.indexOf('## Config (`server` section)'));
    const yaml = block.slice(block.indexOf('```yaml') + '```yaml'.length, block.indexOf('```', block.indexOf('```yaml') + 7));
    const { server } = parseConfigText('server.md', yaml).value as { server: ServerConfig };
    expect(server.models?.length).toBeGreaterThan(0);
    expect(() => checkServerModels(server.models, { engines: ['onnx', 'openai'], routes: ['chat'], catalog: [] })).not.toThrow();
  });
});

describe('checkAppServerModels over a real app', () => {
  const engine = (id: string): EngineV1 => ({
    specificationVersion: 'v1',
    id,
    capabilities: { workloads: ['completion'], targets: ['local'], features: [] },
    doLoad: async () => undefined,
    doRun: async () => ({ output: { kind: 'text', text: '' } }),
    async *doStream() {},
    doUnload: async () => undefined,
    health: async () => ({ ok: true }),
  });
  const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } } as never;
  const appWith = (models: ServerConfig['models']) =>
    createSwitchyardApp({
      config: { routing: { routes: { chat: { targets: ['echo:m'] } } }, server: { dataDir: false, models } },
      plugins: [definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(engine('echo')) })],
      logger: silent,
    });

  it("refuses docs/server.md's old `{ id: auto }` (no route auto) and `nosuch:thing`, takes the route and echo:m", async () => {
    const catalog = createRegistryCatalog({ registry: createModelCatalog([]), engines: ['echo'] });
    const bad = await appWith([{ id: 'chat' }, { id: 'auto' }]);
    await expect(checkAppServerModels(bad, catalog)).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { pointer: '/server/models/1/id' } });
    await bad.shutdown();
    const foreign = await appWith([{ id: 'nosuch:thing', ownedBy: 'nosuch' }]);
    await expect(checkAppServerModels(foreign, catalog)).rejects.toThrow("server.models[0].id: 'nosuch:thing' names engine 'nosuch', which no plugin registered (registered: echo)");
    await foreign.shutdown();
    const good = await appWith([{ id: 'chat', ownedBy: 'echo' }, { id: 'echo:m' }]);
    await expect(checkAppServerModels(good, catalog)).resolves.toBeUndefined();
    await good.shutdown();
  });
});
