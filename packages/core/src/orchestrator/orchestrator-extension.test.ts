import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineModelSpec, PluginLogger } from '@switchyard/spec';
import { writeXybBundle } from '../bundles/xyb-write.js';
import { createSwitchyardApp } from '../app/create-app.js';
import { definePlugin, SwitchyardError } from '@switchyard/spec';
import { FaultEngine } from './__fixtures__/fault-engine.js';
import { Orchestrator } from './orchestrator.js';
import { Executor } from '../executor/executor.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';

const plugin = definePlugin({
  name: 'doubles',
  version: '0.0.0',
  core: '*',
  configSchema: {},
  register(ctx) {
    ctx.registerEngine(new FaultEngine('double'));
  },
});

describe('orchestrator app extension', () => {
  it('exposes orchestrator and executor on the app', async () => {
    const app = await createSwitchyardApp({ config: {}, plugins: [plugin], logger: createOrchestrationLogger({ logLevel: 'silent' }) });
    try {
      expect(app.orchestrator).toBeInstanceOf(Orchestrator);
      expect(app.executor).toBeInstanceOf(Executor);
      const result = await app.orchestrator.run({ model: 'double:m', workload: 'completion', input: { kind: 'text', prompt: 'hi' } });
      expect(result.output).toEqual({ kind: 'text', text: 'double:hi' });
    } finally {
      await app.shutdown();
    }
  });

  it('a bad policy expression fails app start with the rule id and column', async () => {
    const error = await createSwitchyardApp({
      config: { policy: { rules: [{ id: 'broken', when: 'metrics.battery <', action: 'deny' }] } },
      plugins: [plugin],
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
    }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'POLICY_EXPRESSION_INVALID')).toBe(true);
    expect((error as SwitchyardError).details).toMatchObject({ rule_id: 'broken', column: 18 });
  });
});

describe('orchestrator app extension: models found by id', () => {
  const recording = (id: string) =>
    definePlugin({
      name: `rec-${id}`,
      version: '0.0.0',
      core: '*',
      configSchema: {},
      register(ctx) {
        ctx.registerEngine({
          specificationVersion: 'v1',
          id,
          capabilities: { workloads: ['inference'], targets: ['local'], features: [] },
          doLoad: async () => undefined,
          doRun: async () => ({ output: { kind: 'json', value: { ok: true } } }),
          async *doStream() {},
          doUnload: async () => undefined,
          health: async () => ({ ok: true }),
        });
      },
    });
  const app = (root: string, logger: PluginLogger = createOrchestrationLogger({ logLevel: 'silent' }), dirs?: string[]) =>
    createSwitchyardApp({ config: dirs ? { models: { dirs } } : {}, baseDir: root, plugins: [recording('rec')], logger });

  it('D5: warns of unknown metadata fields once per model, by file and pointer, through the app logger', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-uf-'));
    mkdirSync(join(root, 'models', 'uf'), { recursive: true });
    writeFileSync(join(root, 'models', 'uf', 'model_metadata.json'), JSON.stringify({ model_id: 'uf', version: '1', colour: 'red', execution_template: { type: 'Onnx', model_file: 'm.onnx' }, files: [] }));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_fields: object | string, message?: string) => void warnings.push(message ?? '') };
    const started = await app(root, logger);
    try {
      for (let i = 0; i < 2; i++) await started.orchestrator.run({ model: 'uf', workload: 'inference', input: { kind: 'tensors', tensors: {} } }).catch(() => undefined);
      expect(warnings).toEqual(['models/uf/model_metadata.json: /colour is not a known field here; ignored (expected one of ' + warnings[0]!.split('expected one of ')[1]]);
      expect(warnings[0]).toMatch(/found "colour"\)$/);
    } finally {
      await started.shutdown();
    }
  });

  it('D1: an app without models/ and without models.dirs starts; a listed folder that does not exist is CONFIG_INVALID', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-nomodels-'));
    await (await app(root)).shutdown();
    await expect(app(root, undefined, ['models'])).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining("/models/dirs/0: 'models' does not exist") });
  });

  it('D9: invalid JSON of a model found by id is located relative to the config folder, by line and column', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-badjson-'));
    mkdirSync(join(root, 'models', 'broken'), { recursive: true });
    writeFileSync(join(root, 'models', 'broken', 'model_metadata.json'), '{\n  "model_id": "broken",\n}');
    const started = await app(root);
    try {
      const error = await started.orchestrator.run({ model: 'broken', workload: 'inference', input: { kind: 'tensors', tensors: {} } }).catch((e: unknown) => e);
      expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(/^Invalid model metadata: models\/broken\/model_metadata\.json: \(root\) is not valid JSON at line 3, column 1: /);
      expect((error as Error).message).not.toContain(root);
      expect((error as Error).message).not.toMatch(/position \d/);
    } finally {
      await started.shutdown();
    }
  });

  it('D4: a registry entry naming a .xyb bundle runs from the bundle, opened as a models.dirs .xyb is', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-regxyb-'));
    mkdirSync(join(root, 'src-model'));
    writeFileSync(join(root, 'src-model', 'w.bin'), 'weights');
    const metadata = { model_id: 'bundled', version: '1', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files: ['w.bin'] };
    writeFileSync(join(root, 'src-model', 'model_metadata.json'), JSON.stringify(metadata));
    await writeXybBundle(join(root, 'src-model'), join(root, 'bundled.xyb'));
    const loads: EngineModelSpec[] = [];
    const engine = definePlugin({ name: 'rec', version: '0.0.0', core: '*', configSchema: {}, register: (ctx) => ctx.registerEngine({ specificationVersion: 'v1', id: 'rec', capabilities: { workloads: ['inference'], targets: ['local'], features: [] }, doLoad: async (spec) => void loads.push(spec), doRun: async () => ({ output: { kind: 'json', value: 1 } }), async *doStream() {}, doUnload: async () => undefined, health: async () => ({ ok: true }) }) });
    const registry = { list: () => [{ id: 'bundled', bundle: 'bundled.xyb', metadata }], get: (id: string) => (id === 'bundled' ? { id, bundle: 'bundled.xyb', metadata } : undefined) };
    const started = await createSwitchyardApp({ config: {}, baseDir: root, registry, plugins: [engine], logger: createOrchestrationLogger({ logLevel: 'silent' }) });
    try {
      await started.orchestrator.run({ model: 'bundled', workload: 'inference', input: { kind: 'tensors', tensors: {} } }).catch(() => undefined);
      expect(loads).toHaveLength(1);
      const file = loads[0]!.files['w.bin']!;
      expect(file.startsWith(join(root, '.switchyard', 'cache', 'bundles'))).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('weights');
    } finally {
      await started.shutdown();
    }
  });
});
