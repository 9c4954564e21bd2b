import 'reflect-metadata';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../test/plugin-fixtures.js';
import type { EngineModelSpec, EngineV1, JsonSchema } from '@switchyard/spec';
import { definePlugin } from '@switchyard/spec';
import { createSwitchyardApp } from './create-app.js';

const threadsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { intraOpNumThreads: { type: 'integer', minimum: 0 }, level: { enum: ['basic', 'all'] } },
};

function engine(id: string, loads: EngineModelSpec[], schema?: JsonSchema, workloads: EngineV1['capabilities']['workloads'] = ['inference']): EngineV1 {
  return {
    specificationVersion: 'v1',
    id,
    capabilities: { workloads, targets: ['local'], features: [] },
    ...(schema ? { modelOptionsSchema: schema } : {}),
    doLoad: async (spec) => void loads.push(spec),
    doRun: async () => ({ output: { kind: 'json', value: { ok: true } } }),
    async *doStream() {},
    doUnload: async () => undefined,
    health: async () => ({ ok: true }),
  };
}

const plugin = (engines: EngineV1[]) =>
  definePlugin({ name: 'engines', version: '1.0.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => engines.forEach((e) => context.registerEngine(e)) });

/** An app folder with model `tiny` in models/ and the given config lines. */
function appDir(lines: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-model-options-'));
  mkdirSync(join(root, 'models', 'tiny'), { recursive: true });
  writeFileSync(join(root, 'models', 'tiny', 'w.bin'), 'w');
  writeFileSync(join(root, 'models', 'tiny', 'model_metadata.json'), JSON.stringify({ model_id: 'tiny', version: '1', execution_template: { type: 'Onnx', model_file: 'w.bin' }, files: ['w.bin'] }));
  writeFileSync(join(root, 'switchyard.config.yaml'), [...lines, ''].join('\n'));
  return root;
}

describe('models.overrides.<id>.options checked at start against the engine\'s modelOptionsSchema', () => {
  it('a value of the wrong type is CONFIG_INVALID located at the option (line:col), before any load', async () => {
    const root = appDir(['models:', '  dirs: [models]', '  overrides:', '    tiny:', '      options: { intraOpNumThreads: two }']);
    const loads: EngineModelSpec[] = [];
    const file = join(root, 'switchyard.config.yaml');
    await expect(createSwitchyardApp({ configPath: root, plugins: [plugin([engine('rec', loads, threadsSchema)])], logger: silentLogger })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${file}:5:37: /models/overrides/tiny/options/intraOpNumThreads: expected integer, found string "two" (model options of engine 'rec')`,
      details: { file, errors: [expect.objectContaining({ line: 5, column: 37, pointer: '/models/overrides/tiny/options/intraOpNumThreads' })] },
    });
    expect(loads).toEqual([]);
  });

  it('an unknown key is an error at the key, with the close match; every problem of every override at once', async () => {
    const root = appDir([
      'models:',
      '  dirs: [models]',
      '  overrides:',
      '    tiny: { engine: rec, options: { intraOpNumThreds: 2 } }',
      '    rec:cloud-x: { options: { level: fastest, colour: red } }',
    ]);
    const file = join(root, 'switchyard.config.yaml');
    const error = await createSwitchyardApp({ configPath: root, plugins: [plugin([engine('other', []), engine('rec', [], threadsSchema)])], logger: silentLogger }).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message.split('\n')).toEqual([
      `Invalid config ${file} (3 errors):`,
      `  ${file}:4:37: /models/overrides/tiny/options/intraOpNumThreds: expected one of the known keys (intraOpNumThreads, level), found unknown key "intraOpNumThreds" (did you mean "intraOpNumThreads"?) (model options of engine 'rec')`,
      `  ${file}:5:38: /models/overrides/rec:cloud-x/options/level: expected one of "basic", "all", found string "fastest" (model options of engine 'rec')`,
      `  ${file}:5:47: /models/overrides/rec:cloud-x/options/colour: expected one of the known keys (intraOpNumThreads, level), found unknown key "colour" (model options of engine 'rec')`,
    ]);
  });

  it('valid options start the app and reach doLoad unchanged (no schema defaults added)', async () => {
    const root = appDir(['models:', '  dirs: [models]', '  overrides:', '    tiny: { options: { intraOpNumThreads: 2 } }']);
    const loads: EngineModelSpec[] = [];
    const app = await createSwitchyardApp({ configPath: root, plugins: [plugin([engine('rec', loads, { ...threadsSchema, properties: { ...(threadsSchema['properties'] as object), level: { enum: ['basic', 'all'], default: 'all' } } })])], logger: silentLogger });
    try {
      await app.orchestrator.run({ model: 'tiny', workload: 'inference', input: { kind: 'tensors', tensors: {} } }).catch(() => undefined);
      expect(loads.map((spec) => spec.options)).toEqual([{ intraOpNumThreads: 2 }]);
    } finally {
      await app.shutdown();
    }
  });

  it('a catalog model with no engine is checked against the engine serving `inference`; an engine without a schema keeps today\'s behaviour', async () => {
    const root = appDir(['models:', '  dirs: [models]', '  overrides:', '    tiny: { options: { intraOpNumThreads: two } }']);
    // `chat` is first but serves no graph models: `tiny` runs on `rec`, whose schema refuses the value.
    await expect(createSwitchyardApp({ configPath: root, plugins: [plugin([engine('chat', [], { type: 'object', additionalProperties: false }, ['completion']), engine('rec', [], threadsSchema)])], logger: silentLogger })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining("/models/overrides/tiny/options/intraOpNumThreads: expected integer, found string \"two\" (model options of engine 'rec')"),
    });
    const loads: EngineModelSpec[] = [];
    const app = await createSwitchyardApp({ configPath: root, plugins: [plugin([engine('rec', loads)])], logger: silentLogger });
    try {
      await app.orchestrator.run({ model: 'tiny', workload: 'inference', input: { kind: 'tensors', tensors: {} } }).catch(() => undefined);
      expect(loads.map((spec) => spec.options)).toEqual([{ intraOpNumThreads: 'two' }]);
    } finally {
      await app.shutdown();
    }
  });

  it('an id no catalog has and no engine names is not checked (its options reach whichever `<engine>:<id>` is asked)', async () => {
    const root = appDir(['models:', '  dirs: [models]', '  overrides:', '    gpt-x: { options: { temperature: 0 } }']);
    const app = await createSwitchyardApp({ configPath: root, plugins: [plugin([engine('rec', [], threadsSchema)])], logger: silentLogger });
    await app.shutdown();
  });

  it('an in-memory config read from a file (configFile) has the error located in that file', async () => {
    const root = appDir(['models:', '  dirs: [models]', '  overrides:', '    tiny:', '      options: { intraOpNumThreads: -1 }']);
    const file = join(root, 'switchyard.config.yaml');
    const config = { models: { dirs: ['models'], overrides: { tiny: { options: { intraOpNumThreads: -1 } } } } };
    await expect(createSwitchyardApp({ config, configFile: file, plugins: [plugin([engine('rec', [], threadsSchema)])], logger: silentLogger })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `${file}:5:37: /models/overrides/tiny/options/intraOpNumThreads: expected a number >= 0, found integer -1 (model options of engine 'rec')`,
    });
  });
});
