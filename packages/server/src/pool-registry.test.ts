import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineModelSpec, EngineV1 } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import { createServer, type SwitchyardServer } from './create-server.js';
import { createDirectoryCatalog, sha256File } from './server-catalog.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';

function modelsDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-catalog-'));
  const write = (id: string, content: string, sha?: string) => {
    mkdirSync(join(root, id));
    writeFileSync(join(root, id, 'model.onnx'), content);
    const metadata = { model_id: id, version: '1', execution_template: { type: 'Onnx', model_file: 'model.onnx' }, files: ['model.onnx'], metadata: { task: 'test' }, ...(sha ? { sources: { 'model.onnx': { path: 'model.onnx', sha256: sha } } } : {}) };
    writeFileSync(join(root, id, 'model_metadata.json'), JSON.stringify(metadata));
  };
  write('good-v1', 'weights v1');
  write('good-v2', 'weights v2', 'c57bb3b2bcd3d24b9f64ee4f0d9bcb07cd6ae1cbf7d4c3c1ad75cd4a42c7cc6d');
  write('corrupt', 'not an onnx file');
  return root;
}

class RecordingEngine implements EngineV1 {
  readonly specificationVersion = 'v1';
  readonly id = 'onnx';
  readonly capabilities = { workloads: ['inference' as const], targets: ['local' as const], features: [] };
  readonly loaded = new Set<string>();
  async doLoad(spec: EngineModelSpec) {
    if (spec.id === 'corrupt') throw new SwitchyardError({ code: 'MODEL_LOAD_FAILED', message: 'protobuf parsing failed' });
    this.loaded.add(spec.id);
  }
  async doRun(): Promise<never> {
    throw new Error('unused');
  }
  async *doStream() {}
  async doUnload(id: string) {
    this.loaded.delete(id);
  }
  async health() {
    return { ok: true };
  }
}

let server: SwitchyardServer | undefined;
afterEach(async () => {
  await server?.close({ deadlineMs: 50 });
  server = undefined;
});

describe('pools and catalog', () => {
  it('reload is atomic: a failed load keeps the old model serving', async () => {
    const engine = new RecordingEngine();
    const dir = modelsDir();
    const v2sha = await sha256File(join(dir, 'good-v2', 'model.onnx'));
    writeFileSync(join(dir, 'good-v2', 'model_metadata.json'), JSON.stringify({ model_id: 'good-v2', files: ['model.onnx'], sources: { 'model.onnx': { path: 'model.onnx', sha256: v2sha } } }));
    server = await createServer({ orchestrator: new OrchestratorDouble({}), engines: [engine], catalog: await createDirectoryCatalog({ modelsDirs: [dir] }), defaultMetrics: false });
    const app = server.app;
    const first = await app.inject({ method: 'POST', url: '/v2/pools/onnx/reload', payload: { new_model_ref: 'good-v1' } });
    expect(first.json()).toEqual({ pool_id: 'onnx', model_ref: 'good-v1', previous_model_ref: null });
    const failed = await app.inject({ method: 'POST', url: '/v2/pools/onnx/reload', payload: { new_model_ref: 'corrupt' } });
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toMatchObject({ code: 'MODEL_LOAD_FAILED', engine: 'onnx' });
    expect(failed.json().message).toContain("'good-v1' keeps serving");
    expect([...engine.loaded]).toEqual(['good-v1']);
    const health = (await app.inject({ method: 'GET', url: '/v2/pools/onnx/health' })).json();
    expect(health).toMatchObject({ pool_id: 'onnx', live: true, ready: true, draining: false, model_ref: 'good-v1' });
    const switched = await app.inject({ method: 'POST', url: '/v2/pools/onnx/reload', payload: { new_model_ref: 'good-v2' } });
    expect(switched.json()).toEqual({ pool_id: 'onnx', model_ref: 'good-v2', previous_model_ref: 'good-v1' });
    expect([...engine.loaded]).toEqual(['good-v2']);
    expect((await app.inject({ method: 'GET', url: '/v2/pools/nope/health' })).json().code).toBe('NO_SUCH_ENGINE');
  });

  it('drain stops admission for the pool', async () => {
    server = await createServer({ orchestrator: new OrchestratorDouble({ m: {} }), engines: [new RecordingEngine()], defaultMetrics: false });
    const drained = await server.app.inject({ method: 'POST', url: '/v2/pools/onnx/drain', payload: { deadline_ms: 10 } });
    expect(drained.statusCode).toBe(202);
    expect((await server.app.inject({ method: 'GET', url: '/v2/pools/onnx/health' })).json()).toMatchObject({ draining: true, ready: false });
    const refused = await server.app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'm', prompt: 'x' } });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ code: 'POOL_UNAVAILABLE', retriable: true });
    expect((await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    const resumed = await server.app.inject({ method: 'POST', url: '/v2/pools/onnx/resume' });
    expect(resumed.json()).toEqual({ pool_id: 'onnx', draining: false });
    expect((await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/v2/pools/onnx/health' })).json()).toMatchObject({ draining: false, ready: true });
    expect((await server.app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'm', prompt: 'x' } })).statusCode).toBe(202);
  });

  it('catalog lists, gets and verifies sha256 digests', async () => {
    const dir = modelsDir();
    server = await createServer({ orchestrator: new OrchestratorDouble({}), catalog: await createDirectoryCatalog({ modelsDirs: [dir] }), defaultMetrics: false });
    const app = server.app;
    const list = (await app.inject({ method: 'GET', url: '/v2/catalog/models' })).json();
    expect(list.models.map((model: { id: string }) => model.id).sort()).toEqual(['corrupt', 'good-v1', 'good-v2']);
    expect((await app.inject({ method: 'GET', url: '/v2/catalog/models/good-v1' })).json()).toMatchObject({ id: 'good-v1', version: '1', task: 'test', files: ['model.onnx'] });
    expect((await app.inject({ method: 'GET', url: '/v2/catalog/models/none' })).statusCode).toBe(404);
    const mismatch = (await app.inject({ method: 'POST', url: '/v2/catalog/models/good-v2/verify' })).json();
    expect(mismatch.ok).toBe(false);
    expect(mismatch.files[0]).toMatchObject({ name: 'model.onnx', expected_sha256: 'c57bb3b2bcd3d24b9f64ee4f0d9bcb07cd6ae1cbf7d4c3c1ad75cd4a42c7cc6d', ok: false });
    const noDigest = (await app.inject({ method: 'POST', url: '/v2/catalog/models/good-v1/verify' })).json();
    expect(noDigest).toMatchObject({ ok: true, files: [{ name: 'model.onnx', expected_sha256: null, sha256: await sha256File(join(dir, 'good-v1', 'model.onnx')) }] });
    const metadata = (files: string[]) => ({ version: '1', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files });
    const added = await app.inject({ method: 'POST', url: '/v2/catalog/models', payload: { id: 'extra', engine: 'onnx', metadata: metadata(['w.bin']) } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ id: 'extra', version: '1', engine: 'onnx', files: ['w.bin'] });
    const traversal = await app.inject({ method: 'POST', url: '/v2/catalog/models', payload: { id: 'evil', metadata: metadata(['w.bin', '../../etc/passwd']) } });
    expect(traversal.statusCode).toBe(400);
    expect(traversal.json()).toMatchObject({ code: 'METADATA_INVALID', message: expect.stringContaining('body/metadata: /files/1 must not contain a ".." segment') });
  });
});
