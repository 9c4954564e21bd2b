import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createOnnxEngine, OnnxEngine, onnxModelOptionsSchema, onnxOptionsSchema } from './index.js';
import onnxPlugin from './index.js';
import { f32, fixture, i64, outputTensors, rejection, signal } from '../test/fixtures.js';

const addMul = { id: 'add-mul', files: { 'add-mul.onnx': fixture('add-mul.onnx') } };
const run = (engine: OnnxEngine, tensors: Record<string, ReturnType<typeof f32>>, stage?: string) =>
  engine.doRun({ modelId: 'add-mul', workload: 'inference', input: { kind: 'tensors', tensors, ...(stage ? { stage } : {}) } }, signal());

describe('OnnxEngine (SingleShot)', () => {
  let engine: OnnxEngine;
  afterEach(async () => engine?.close());

  it('runs a graph and returns its outputs', async () => {
    engine = createOnnxEngine();
    await engine.doLoad(addMul, signal());
    const result = await run(engine, { a: f32([1, 2, 3, 4], [1, 4]), b: f32([10, 20, 30, 40], [1, 4]) });
    expect(result.output.kind).toBe('tensors');
    const tensors = outputTensors(result);
    expect(Array.from(tensors['sum']!.data)).toEqual([11, 22, 33, 44]);
    expect(Array.from(tensors['product']!.data)).toEqual([10, 40, 90, 160]);
    expect(tensors['sum']!.dims).toEqual([1, 4]);
    // a dynamic batch dim accepts 2 rows
    const two = await run(engine, { a: f32([1, 1, 1, 1, 2, 2, 2, 2], [2, 4]), b: f32([1, 1, 1, 1, 1, 1, 1, 1], [2, 4]) });
    expect(Array.from(outputTensors(two)['sum']!.data)).toEqual([2, 2, 2, 2, 3, 3, 3, 3]);
  });

  it.each([
    ['a missing input', { a: f32([1, 2, 3, 4], [1, 4]) }, /missing input 'b'/, 'b'],
    ['a wrong dtype', { a: f32([1, 2, 3, 4], [1, 4]), b: i64([1, 2, 3, 4], [1, 4]) }, /input 'b' has dtype int64, expected float32/, 'b'],
    ['a wrong static dim', { a: f32([1, 2, 3], [1, 3]), b: f32([1, 2, 3, 4], [1, 4]) }, /input 'a' has shape \[1, 3\], expected \[batch, 4\]/, 'a'],
    ['a wrong rank', { a: f32([1, 2, 3, 4], [4]), b: f32([1, 2, 3, 4], [1, 4]) }, /input 'a' has shape \[4\], expected \[batch, 4\]/, 'a'],
    ['a misnamed input, listing the graph\'s names', { a: f32([1, 2, 3, 4], [1, 4]), bb: f32([1, 2, 3, 4], [1, 4]) }, /missing input 'b' .*the graph takes: a, b; given: a\)$/, 'b'],
    ['dims that disagree with the data', { a: f32([1, 2, 3], [1, 4]), b: f32([1, 2, 3, 4], [1, 4]) }, /dims \[1, 4\] \(4 elements\) but 3 values/, 'a'],
  ])('refuses %s with INVALID_INPUT naming model, stage and input', async (_what, tensors, message, field) => {
    engine = createOnnxEngine();
    await engine.doLoad(addMul, signal());
    const error = await rejection(run(engine, tensors));
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith("model 'add-mul' stage 'main': ")).toBe(true);
    expect((error as unknown as SwitchyardError).details['modelId']).toBe('add-mul');
    expect((error as unknown as SwitchyardError).details['field']).toBe(field);
  });

  it('feeds only the inputs the graph declares (a tokenizer\'s token_type_ids is not given to DistilBERT)', async () => {
    engine = createOnnxEngine();
    await engine.doLoad(addMul, signal());
    const result = await run(engine, { a: f32([1, 2, 3, 4], [1, 4]), b: f32([1, 1, 1, 1], [1, 4]), token_type_ids: f32([0], [1]) });
    expect(Array.from(outputTensors(result)['sum']!.data)).toEqual([2, 3, 4, 5]);
  });

  it('refuses a run of a model that is not loaded, and a non-tensor input', async () => {
    engine = createOnnxEngine();
    const notLoaded = await rejection(run(engine, {}));
    expect(SwitchyardError.hasCode(notLoaded, 'MODEL_NOT_LOADED')).toBe(true);
    await engine.doLoad(addMul, signal());
    const text = await rejection(engine.doRun({ modelId: 'add-mul', workload: 'inference', input: { kind: 'text', prompt: 'hi' } }, signal()));
    expect(SwitchyardError.hasCode(text, 'UNSUPPORTED')).toBe(true);
    const stage = await rejection(run(engine, {}, 'nope'));
    expect(stage.message).toMatch(/no stage 'nope' \(stages: main\)/);
  });

  it('fails a truncated or corrupt .onnx with MODEL_LOAD_FAILED naming the file as the model names it (never its absolute path)', async () => {
    engine = createOnnxEngine();
    const dir = mkdtempSync(join(tmpdir(), 'onnx-corrupt-'));
    const truncated = join(dir, 'truncated.onnx');
    const bytes = readFileSync(fixture('tiny-lm.onnx'));
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const garbage = join(dir, 'garbage.onnx');
    writeFileSync(garbage, 'this is not a protobuf');
    for (const file of [truncated, garbage, join(dir, 'missing.onnx')]) {
      const error = await rejection(engine.doLoad({ id: 'bad', files: { 'm.onnx': file } }, signal()));
      expect(SwitchyardError.hasCode(error, 'MODEL_LOAD_FAILED')).toBe(true);
      expect(error.message).toMatch(/model 'bad' stage 'main': (onnxruntime could not load m\.onnx \(truncated or not an ONNX model\?\)|cannot read graph file m\.onnx)/);
      expect(error.message).not.toContain(dir);
      expect((error as unknown as SwitchyardError).details['file']).toBe('m.onnx');
    }
    expect(engine.sessions.size).toBe(0);
    expect(engine.loadedModelIds).toEqual([]);
  });

  it('an id with neither metadata nor files is NO_SUCH_MODEL (not a load failure that counts against the engine)', async () => {
    const error = await rejection(engine.doLoad({ id: 'paddleocr-v5', files: {} }, signal()));
    expect(SwitchyardError.hasCode(error, 'NO_SUCH_MODEL')).toBe(true);
    expect(error.message).toContain("no model 'paddleocr-v5'");
  });

  it('refuses an execution provider that is not present, naming it and listing what exists', () => {
    let error: unknown;
    try {
      createOnnxEngine({ executionProviders: ['cuda', 'cpu'] });
    } catch (e) {
      error = e;
    }
    expect(SwitchyardError.hasCode(error, 'EXECUTION_PROVIDER_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/'cuda' is not available .*\(available: cpu/);
    expect((error as SwitchyardError).details['provider']).toBe('cuda');
  });

  it('refuses a per-model execution provider override that is not present', async () => {
    engine = createOnnxEngine();
    const error = await rejection(engine.doLoad({ ...addMul, options: { executionProviders: ['tensorrt'] } }, signal()));
    expect(SwitchyardError.hasCode(error, 'EXECUTION_PROVIDER_UNAVAILABLE')).toBe(true);
  });

  it('refuses a per-model option it does not know, naming the config path and the key (never ignored)', async () => {
    engine = createOnnxEngine();
    const error = await rejection(engine.doLoad({ ...addMul, options: { intraOpThreads: 2 } }, signal()));
    expect(SwitchyardError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      `models.overrides.${addMul.id}.options: 'intraOpThreads' is not an option of the ONNX engine (expected one of executionProviders, intraOpNumThreads, interOpNumThreads, graphOptimizationLevel)`,
    );
    expect(engine.sessions.size).toBe(0);
  });

  it.each([
    [{ intraOpNumThreads: 'two' }, /intraOpNumThreads/],
    [{ graphOptimizationLevel: 'fastest' }, /graphOptimizationLevel/],
    [{ intraOpNumThreads: -1 }, /intraOpNumThreads/],
  ])('a session option onnxruntime refuses (%j, past the app\'s schema check) is named as such, not as a bad graph', async (options, key) => {
    engine = createOnnxEngine();
    const error = await rejection(engine.doLoad({ ...addMul, options }, signal()));
    expect(SwitchyardError.hasCode(error, 'MODEL_LOAD_FAILED')).toBe(true);
    expect(error.message).toMatch(/^model 'add-mul' stage 'main': onnxruntime refused the session options for add-mul\.onnx \(plugin options, the model's config\.onnx, models\.overrides\.<id>\.options\): /);
    expect(error.message).toMatch(key);
    expect(error.message).not.toContain('truncated');
    expect(error.message).not.toContain(fixture('add-mul.onnx'));
  });

  it('declares the schema of its per-model options: the session subset of the plugin options, no defaults, unknown keys refused', () => {
    engine = createOnnxEngine();
    const schema = engine.modelOptionsSchema;
    expect(schema).toBe(onnxModelOptionsSchema);
    expect(schema['additionalProperties']).toBe(false);
    const properties = schema['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual(['executionProviders', 'intraOpNumThreads', 'interOpNumThreads', 'graphOptimizationLevel']);
    const pluginProperties = onnxOptionsSchema['properties'] as Record<string, Record<string, unknown>>;
    for (const [key, definition] of Object.entries(properties)) {
      expect(definition).not.toHaveProperty('default');
      const { default: _default, ...plugin } = pluginProperties[key]!;
      expect(plugin, key).toEqual(definition);
    }
  });

  it('keys the session cache by file and session options', async () => {
    engine = createOnnxEngine();
    await engine.doLoad(addMul, signal());
    await engine.doLoad({ ...addMul, id: 'add-mul-again' }, signal());
    expect(engine.sessions.size).toBe(1);
    await engine.doLoad({ ...addMul, id: 'add-mul-1-thread', options: { intraOpNumThreads: 1 } }, signal());
    expect(engine.sessions.size).toBe(2);
    const result = await engine.doRun({ modelId: 'add-mul-1-thread', workload: 'inference', input: { kind: 'tensors', tensors: { a: f32([1, 2, 3, 4], [1, 4]), b: f32([1, 1, 1, 1], [1, 4]) } } }, signal());
    expect(Array.from(outputTensors(result)['sum']!.data)).toEqual([2, 3, 4, 5]);
  });

  it('honours an aborted signal before running', async () => {
    engine = createOnnxEngine();
    await engine.doLoad(addMul, signal());
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(engine.doRun({ modelId: 'add-mul', workload: 'inference', input: { kind: 'tensors', tensors: {} } }, controller.signal));
    expect(SwitchyardError.hasCode(error, 'ABORTED')).toBe(true);
  });

  it('doRunChecked runs a one-shot graph reading only `aborted` (no signal), and refuses an aborted check', async () => {
    engine = createOnnxEngine();
    await engine.doLoad(addMul, signal());
    const request = { modelId: 'add-mul', workload: 'inference' as const, input: { kind: 'tensors' as const, tensors: { a: f32([1, 2, 3, 4], [1, 4]), b: f32([1, 1, 1, 1], [1, 4]) } } };
    let signalReads = 0;
    const check = (aborted: boolean) => ({
      aborted,
      reason: aborted ? new Error('stop') : undefined,
      get signal(): AbortSignal {
        signalReads++;
        return new AbortController().signal;
      },
    });
    const result = await engine.doRunChecked(request, check(false));
    expect(Array.from(outputTensors(result)['sum']!.data)).toEqual([2, 3, 4, 5]);
    expect(signalReads).toBe(0);
    const error = await rejection(engine.doRunChecked(request, check(true)));
    expect(SwitchyardError.hasCode(error, 'ABORTED')).toBe(true);
  });

  it('runs the stages of a ModelGraph by name and warms up static graphs', async () => {
    engine = createOnnxEngine({ warmup: true, intraOpNumThreads: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'onnx-graph-'));
    copyFileSync(fixture('add-mul.onnx'), join(dir, 'second.onnx'));
    const metadata = {
      model_id: 'two', version: '1', files: ['first.onnx', 'second.onnx'],
      execution_template: { type: 'ModelGraph', stages: [
        { name: 'first', model_file: 'first.onnx', execution_mode: { type: 'SingleShot' }, inputs: ['a', 'b'], outputs: ['sum'] },
        { name: 'second', model_file: 'second.onnx', inputs: ['a', 'b'], outputs: ['sum'] },
      ] },
    };
    await engine.doLoad({ id: 'two', metadata, files: { 'first.onnx': fixture('add-mul.onnx'), 'second.onnx': join(dir, 'second.onnx') } }, signal());
    expect(engine.sessions.size).toBe(2);
    expect((await engine.health()).details?.['warmedUpSessions']).toBe(2);
    const request = (stage?: string) => ({ modelId: 'two', workload: 'inference' as const, input: { kind: 'tensors' as const, tensors: { a: f32([1, 1, 1, 1], [1, 4]), b: f32([2, 2, 2, 2], [1, 4]) }, ...(stage ? { stage } : {}) } });
    const result = await engine.doRun(request('second'), signal());
    expect(Array.from(outputTensors(result)['product']!.data)).toEqual([2, 2, 2, 2]);
    const missingStage = await rejection(engine.doRun(request(), signal()));
    expect(missingStage.message).toMatch(/a stage name is required \(stages: first, second\)/);
    await engine.doUnload('two', signal());
    expect(engine.loadedModelIds).toEqual([]);
  });

  it('builds each stage with its metadata config.onnx session settings (the app\'s per-model options win)', async () => {
    engine = createOnnxEngine();
    const stage = (name: string, onnx?: Record<string, unknown>) => ({ name, model_file: 'g.onnx', inputs: ['a', 'b'], outputs: ['sum'], ...(onnx ? { config: { batch_size: 2, onnx } } : {}) });
    const graph = (stages: object[]) => ({ model_id: 'g', version: '1', files: ['g.onnx'], execution_template: { type: 'ModelGraph', stages } });
    const files = { 'g.onnx': fixture('add-mul.onnx') };
    await engine.doLoad({ id: 'g', files, metadata: graph([stage('plain'), stage('tuned', { intraOpNumThreads: 1, graphOptimizationLevel: 'basic' })]) }, signal());
    // the same file with other session settings is another session
    expect(engine.sessions.size).toBe(2);
    const result = await engine.doRun({ modelId: 'g', workload: 'inference', input: { kind: 'tensors', stage: 'tuned', tensors: { a: f32([1, 2, 3, 4], [1, 4]), b: f32([1, 1, 1, 1], [1, 4]) } } }, signal());
    expect(Array.from(outputTensors(result)['sum']!.data)).toEqual([2, 3, 4, 5]);
    // per-model app options override both stages alike: one session again
    await engine.doLoad({ id: 'g2', files, options: { intraOpNumThreads: 2, graphOptimizationLevel: 'all' }, metadata: graph([stage('plain'), stage('tuned', { intraOpNumThreads: 1, graphOptimizationLevel: 'basic' })]) }, signal());
    expect(engine.sessions.size).toBe(3);
  });

  it.each([
    [{ intraOpNumThreads: -1 }, '/execution_template/stages/0/config/onnx/intraOpNumThreads must be an integer >= 0'],
    [{ graphOptimizationLevel: 'max' }, '/execution_template/stages/0/config/onnx/graphOptimizationLevel is not a graph optimization level (expected one of disabled | basic | extended | all, found "max")'],
    [{ intraOpThreads: 2 }, '/execution_template/stages/0/config/onnx/intraOpThreads is not an ONNX session setting'],
    [{ intraOpNumThread: 1, graphOptimizationLevel: 'max' }, '(2 problems)'],
  ])('refuses a bad stage config.onnx %j with METADATA_INVALID naming the pointer', async (onnx, message) => {
    engine = createOnnxEngine();
    const metadata = { model_id: 'g', version: '1', files: ['g.onnx'], execution_template: { type: 'ModelGraph', stages: [{ name: 's', model_file: 'g.onnx', config: { onnx } }] } };
    const error = await rejection(engine.doLoad({ id: 'g', files: { 'g.onnx': fixture('add-mul.onnx') }, metadata }, signal()));
    expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
    expect(error.message).toContain(message);
  });

  it('streams a SingleShot run as one tensor delta', async () => {
    engine = createOnnxEngine();
    await engine.doLoad(addMul, signal());
    const parts = [];
    for await (const part of engine.doStream({ modelId: 'add-mul', workload: 'inference', input: { kind: 'tensors', tensors: { a: f32([1, 2, 3, 4], [1, 4]), b: f32([1, 1, 1, 1], [1, 4]) } } }, signal())) parts.push(part.type);
    expect(parts).toEqual(['start', 'delta', 'finish']);
  });

  it('is a plugin manifest whose register() registers the engine', async () => {
    const registered: unknown[] = [];
    expect(onnxPlugin.name).toBe('@switchyard/plugin-onnx');
    expect((onnxPlugin.configSchema['properties'] as Record<string, unknown>)['executionProviders']).toBeDefined();
    await onnxPlugin.register({
      options: { executionProviders: ['cpu'] }, coreVersion: '0.1.0', baseDir: '.',
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      container: { isRegistered: () => false, registerInstance() {}, resolve: () => undefined as never, resolveAll: () => [] },
      registerEngine: (e) => registered.push(e),
    });
    expect(registered).toHaveLength(1);
    expect((registered[0] as OnnxEngine).id).toBe('onnx');
    expect(await (registered[0] as OnnxEngine).health()).toMatchObject({ ok: true });
    await onnxPlugin.shutdown?.();
  });
});
