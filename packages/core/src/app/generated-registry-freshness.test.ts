import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definePlugin, type ModelPipeline, type PluginLogger, type SwitchyardError } from '@switchyard/spec';
import { writeFixture } from '../../test/app-fixtures.js';
import type { ModelRegistry } from '../executor/model-catalog.js';
import { FaultEngine } from '../orchestrator/__fixtures__/fault-engine.js';
import { createSwitchyardApp } from './create-app.js';

/** A local engine answering tensor runs with `y = 2x`. */
function tensorEngine(): FaultEngine {
  const engine = new FaultEngine('onnx');
  engine.doRun = async (request) => {
    if (request.input.kind !== 'tensors') throw new Error('expected tensors');
    const x = Object.values(request.input.tensors)[0]!;
    return { output: { kind: 'tensors', tensors: { y: { ...x, data: Float32Array.from(x.data as Float32Array, (v) => v * 2) } } } };
  };
  return engine;
}
const engines = definePlugin({ name: 'engines', version: '0.0.0', core: '*', configSchema: {}, register: (ctx) => ctx.registerEngine(tensorEngine()) });

const METADATA = {
  model_id: 'my-digits',
  version: '1',
  execution_template: { type: 'SimpleMode', model_file: 'model.onnx' },
  postprocessing: [{ type: 'Softmax', dim: 0 }, { type: 'TopK', k: 3 }],
  files: ['model.onnx'],
};
const FILE = 'models/my-digits/model_metadata.json';
const input = { kind: 'json' as const, value: { type: 'float32', dims: [3], data: [1, 2, 3] } };
/** Stands in for the generated pipeline of METADATA (what codegen compiled: TopK k 3). */
const generated: ModelPipeline = { modelId: 'my-digits', run: async () => 'generated for k 3' };

function logger(): PluginLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (obj, msg) => void warnings.push(msg ?? String(obj)) };
}

describe('a generated registry whose model_metadata.json changed since codegen (S2)', () => {
  let dir: string;
  let registry: ModelRegistry;
  beforeEach(async () => {
    dir = await writeFixture({ [FILE]: JSON.stringify(METADATA, null, 2), 'models/my-digits/model.onnx': 'not read by the test engine' });
    // What codegen writes: the folder, the metadata with defaults, the generated pipeline and the file's sha256.
    const entry = { id: 'my-digits', dir: 'models/my-digits', metadata: METADATA, metadataSha256: createHash('sha256').update(readFileSync(join(dir, FILE))).digest('hex'), loadPipeline: async () => generated };
    registry = { list: () => [entry], get: (id) => (id === entry.id ? entry : undefined) };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function run(log: PluginLogger) {
    const app = await createSwitchyardApp({ config: {}, baseDir: dir, registry, plugins: [engines], logger: log });
    try {
      return await app.orchestrator.run({ model: 'my-digits', workload: 'inference', input });
    } finally {
      await app.shutdown();
    }
  }

  it('runs the generated pipeline, without a warning, while the file is unchanged', async () => {
    const log = logger();
    const result = await run(log);
    expect(result.pipeline).toBe('generated');
    expect(result.output).toEqual({ kind: 'json', value: 'generated for k 3' });
    expect(log.warnings).toEqual([]);
  });

  it('warns at app start, naming the model and the file, and runs what the file says now (interpreted)', async () => {
    writeFileSync(join(dir, FILE), JSON.stringify({ ...METADATA, postprocessing: [{ type: 'Softmax', dim: 0 }, { type: 'TopK', k: 1 }] }, null, 2));
    const log = logger();
    const result = await run(log);
    expect(log.warnings).toEqual([
      "generated registry is stale for 'my-digits' (models/my-digits/model_metadata.json changed since codegen): run `npx switchyard codegen`; until then the model runs interpreted, as the file says now",
    ]);
    expect(result.pipeline).toBe('interpreted');
    expect(result.decision.pipeline).toBe('interpreted');
    const value = (result.output as { value: unknown }).value as { index: number }[][] | { index: number }[];
    expect(JSON.stringify(value)).toMatch(/^\[\[?\{"index":2,"score":[0-9.]+\}\]?\]$/); // k 1: the top class only
  });

  it('a changed file that is not JSON: warned at start, and the model fails to load with the located error', async () => {
    writeFileSync(join(dir, FILE), '{\n  "model_id": "my-digits",\n}');
    const log = logger();
    const error = (await run(log).catch((e: unknown) => e)) as SwitchyardError;
    expect(error.code).toBe('METADATA_INVALID');
    expect(error.message).toContain('models/my-digits/model_metadata.json: (root) is not valid JSON at line 3, column 1');
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/^generated registry is stale for 'my-digits' \(models\/my-digits\/model_metadata\.json changed since codegen\): run `npx switchyard codegen`; the model fails to load until the file is fixed: models\/my-digits\/model_metadata\.json: \(root\) is not valid JSON/);
  });
});
