import 'reflect-metadata';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
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

describe('models.overrides checked at start', () => {
  const captured = () => {
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { ...silentLogger, warn: (fields: object | string, message?: string) => void warnings.push({ fields: fields as Record<string, unknown>, message: message ?? '' }) };
    return { warnings, logger };
  };

  it('an override naming an engine no plugin registered is CONFIG_INVALID naming the field, with its line', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-ov-engine-'));
    writeFileSync(join(root, 'switchyard.config.yaml'), ['models:', '  overrides:', '    tiny: { engine: nosuch }', ''].join('\n'));
    await expect(createSwitchyardApp({ configPath: root, plugins: [plugin([recordingEngine('rec', [])])], logger: silentLogger })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/switchyard\.config\.yaml:3:\d+: \/models\/overrides\/tiny\/engine: no plugin registered an engine 'nosuch' \(registered: rec\)/),
    });
  });

  it('an override for an id no catalog has is a located warning, and its options still apply (a cloud model an engine knows)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-ov-id-'));
    mkdirSync(join(root, 'models', 'tiny'), { recursive: true });
    writeFileSync(join(root, 'models', 'tiny', 'model_metadata.json'), JSON.stringify({ model_id: 'tiny', version: '1', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files: ['w.bin'] }));
    writeFileSync(join(root, 'switchyard.config.yaml'), ['models:', '  dirs: [models]', '  overrides:', '    tiny: { engine: b }', '    tinny: { engine: b, options: { model: gpt-x } }', ''].join('\n'));
    const loads: EngineModelSpec[] = [];
    const { warnings, logger } = captured();
    const app = await createSwitchyardApp({ configPath: root, plugins: [plugin([recordingEngine('a', []), recordingEngine('b', loads)])], logger });
    try {
      expect(warnings.map((w) => w.message)).toEqual([
        expect.stringMatching(/switchyard\.config\.yaml:5:\d+: \/models\/overrides\/tinny: no catalog has a model 'tinny' \(registry, models\.dirs, models\.packages; did you mean 'tiny'\?\): it applies to a model of this id added at run time, and its options to requests for '<engine>:tinny' \(e\.g\. a cloud model\)$/),
      ]);
      await app.orchestrator.run({ model: 'b:tinny', workload: 'inference', input: { kind: 'tensors', tensors: {} } });
      expect(loads).toEqual([expect.objectContaining({ id: 'tinny', options: { model: 'gpt-x' } })]);
    } finally {
      await app.shutdown();
    }
  });

  it('an in-memory config read from a file (configFile) has its warnings and errors named by that file, line and column', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-ov-file-'));
    const file = join(root, 'app.yaml');
    writeFileSync(file, ['models:', '  overrides:', '    tinny: { engine: b }', ''].join('\n'));
    const config = { models: { overrides: { tinny: { engine: 'b' } } } };
    const { warnings, logger } = captured();
    const app = await createSwitchyardApp({ config, configFile: file, baseDir: root, plugins: [plugin([recordingEngine('b', [])])], logger });
    await app.shutdown();
    expect(app.configFile).toBe(file);
    expect(warnings).toEqual([{ fields: { file, pointer: '/models/overrides/tinny', line: 3, column: 12 }, message: expect.stringMatching(new RegExp(`^${file}:3:12: /models/overrides/tinny: no catalog has a model 'tinny'`)) }]);
    await expect(createSwitchyardApp({ config: { models: { overrides: { tinny: { engine: 'nosuch' } } } }, configFile: file, baseDir: root, plugins: [plugin([recordingEngine('b', [])])], logger })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(new RegExp(`^${file}:3:\\d+: /models/overrides/tinny/engine: no plugin registered an engine 'nosuch'`)),
      details: { file, line: 3 },
    });
    // A relative configFile is named as typed (and read relative to the current folder).
    const typed = relative(process.cwd(), file);
    await expect(createSwitchyardApp({ config: { server: { port: 'x' } } as never, configFile: typed, logger })).rejects.toMatchObject({ message: expect.stringContaining(`${typed}:1:1: /server/port: expected integer, found string "x"`) });
  });
});
