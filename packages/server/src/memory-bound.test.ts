import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSwitchyardApp, definePlugin, type EngineV1, type SwitchyardApp } from '@switchyard/core';
import { createServerForApp } from './serve-app.js';
import type { SwitchyardServer } from './create-server.js';

// The bound docs/server.md#limits promises: distinct unknown model names and retained tasks do not grow the
// heap past a fixed amount, whatever the traffic.
const NAMES_BOUND_BYTES = 6 * 1024 * 1024;
const TASKS_BOUND_BYTES = 8 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

function echoEngine(): EngineV1 {
  return {
    specificationVersion: 'v1',
    id: 'echo',
    capabilities: { workloads: ['completion', 'inference'], targets: ['local'], features: ['streaming', 'abort'] },
    doLoad: async () => undefined,
    doRun: async () => ({ output: { kind: 'text', text: 'ok' } }),
    async *doStream() {
      yield { type: 'delta', kind: 'text', text: 'ok ' };
      yield { type: 'finish', usage: { outputTokens: 1 }, finishReason: 'stop' };
    },
    doUnload: async () => undefined,
    health: async () => ({ ok: true }),
  };
}

let app: SwitchyardApp;
let server: SwitchyardServer;
beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-memory-'));
  mkdirSync(join(root, 'models'));
  app = await createSwitchyardApp({
    config: { models: { dirs: ['models'] }, server: { taskRetentionMaxTasks: 500, artifacts: { maxTotalBytes: 1024 * 1024 } } },
    baseDir: root,
    plugins: [definePlugin({ name: 'echo-plugin', version: '0.1.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(echoEngine()) })],
    logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child() { return this; } } as never,
  });
  server = await createServerForApp(app, { port: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 100 });
});

describe('memory stays bounded', () => {
  it('20,000 distinct unknown model names keep the heap within the documented bound after GC', { timeout: 120_000 }, async () => {
    const call = (name: string) => app.orchestrator.run({ model: name, workload: 'inference', input: { kind: 'json', value: {} } }).catch(() => undefined);
    for (let i = 0; i < 2_000; i += 1) await call(`warm-${i}`);
    const before = await heapAfterGc();
    for (let i = 0; i < 20_000; i += 1) await call(`unknown-model-${i}-${'x'.repeat(40)}`);
    const after = await heapAfterGc();
    expect(after - before, `heap grew ${((after - before) / 1e6).toFixed(1)} MB`).toBeLessThan(NAMES_BOUND_BYTES);
  });

  it('retained-task pressure stays within taskRetentionMaxTasks and the heap bound after GC', { timeout: 120_000 }, async () => {
    const submit = async (i: number) => {
      const response = await server.app.inject({ method: 'POST', url: '/v2/tasks', payload: { model_ref: 'echo:m', prompt: `retained task ${i} ${'w '.repeat(20)}` } });
      expect(response.statusCode).toBe(202);
    };
    const settle = async () => {
      await expect.poll(() => server.scheduler.runningCount('echo') + server.scheduler.queuedCount('echo'), { timeout: 30_000 }).toBe(0);
    };
    for (let i = 0; i < 800; i += 1) await submit(i);
    await settle();
    const before = await heapAfterGc();
    for (let i = 800; i < 4_000; i += 1) await submit(i);
    await settle();
    const after = await heapAfterGc();
    expect(server.scheduler.retainedCount).toBeLessThanOrEqual(500);
    expect(after - before, `heap grew ${((after - before) / 1e6).toFixed(1)} MB`).toBeLessThan(TASKS_BOUND_BYTES);
  });
});
