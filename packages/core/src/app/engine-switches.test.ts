import 'reflect-metadata';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/plugin-fixtures.js';
import type { EngineModelSpec, EngineV1 } from '@switchyard/spec';
import { definePlugin } from '@switchyard/spec';
import { createSwitchyardApp } from './create-app.js';

function recordingEngine(id: string, loads: EngineModelSpec[]): EngineV1 {
  return {
    specificationVersion: 'v1',
    id,
    capabilities: { workloads: ['inference'], targets: ['local'], features: [] },
    doLoad: async (spec) => void loads.push(spec),
    doRun: async () => ({ output: { kind: 'json', value: { ok: true } } }),
    async *doStream() {},
    doUnload: async () => undefined,
    health: async () => ({ ok: true }),
  };
}

const plugin = (engines: EngineV1[]) =>
  definePlugin({ name: 'engines', version: '1.0.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => engines.forEach((engine) => context.registerEngine(engine)) });

describe('config switches that reach the engines', () => {
  it('engines.<id>.enabled: false keeps the engine out of the app', async () => {
    const app = await createSwitchyardApp({ config: { engines: { off: { enabled: false } } }, plugins: [plugin([recordingEngine('on', []), recordingEngine('off', [])])], logger: silentLogger });
    try {
      expect(app.engines.map((engine) => engine.id)).toEqual(['on']);
      expect(() => app.getEngine('off')).toThrow(/No engine|off/);
    } finally {
      await app.shutdown();
    }
  });

  it('an engines entry for an id no plugin registered is CONFIG_INVALID naming it', async () => {
    await expect(createSwitchyardApp({ config: { engines: { ghost: { enabled: true } } }, plugins: [plugin([recordingEngine('on', [])])], logger: silentLogger })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining("/engines/ghost: no plugin registered an engine 'ghost' (registered: on)"),
    });
  });

  it('models.overrides.<id>.options reach doLoad', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-overrides-'));
    mkdirSync(join(root, 'models', 'tiny'), { recursive: true });
    writeFileSync(join(root, 'models', 'tiny', 'w.bin'), 'w');
    writeFileSync(join(root, 'models', 'tiny', 'model_metadata.json'), JSON.stringify({ model_id: 'tiny', version: '1', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files: ['w.bin'] }));
    const loads: EngineModelSpec[] = [];
    const app = await createSwitchyardApp({
      config: { models: { dirs: ['models'], overrides: { tiny: { engine: 'rec', options: { intraOpThreads: 3 } } } } },
      baseDir: root,
      plugins: [plugin([recordingEngine('rec', loads)])],
      logger: silentLogger,
    });
    try {
      await app.orchestrator.run({ model: 'rec:tiny', workload: 'inference', input: { kind: 'tensors', tensors: {} } }).catch(() => undefined);
      expect(loads[0]).toMatchObject({ id: 'tiny', options: { intraOpThreads: 3 } });
    } finally {
      await app.shutdown();
    }
  });
});
