import { describe, expect, it, vi } from 'vitest';
import type { AbortCheck, ModelPipeline } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { FaultEngine } from '../orchestrator/__fixtures__/fault-engine.js';
import { createOrchestrator } from '../orchestrator/create-orchestrator.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';
import { EventBus } from '../telemetry/event-bus.js';
import { Executor, toPipelineInput } from './executor.js';
import { createModelCatalog } from './model-catalog.js';
import { MetadataInvalidError } from '../template-executor/metadata-invalid-error.js';

const signal = new AbortController().signal;

/** An engine answering tensor runs by echoing `x` doubled. */
function tensorEngine() {
  const engine = new FaultEngine('onnx');
  const stages: (string | undefined)[] = [];
  engine.doRun = async (request) => {
    if (request.input.kind !== 'tensors') throw new Error('expected tensors');
    stages.push(request.input.stage);
    const x = request.input.tensors.x!;
    return { output: { kind: 'tensors', tensors: { y: { ...x, data: Float32Array.from(x.data as Float32Array, (v) => v * 2) } } } };
  };
  return { engine, stages };
}

const doubler: ModelPipeline<unknown, unknown> = {
  modelId: 'doubler',
  async run(input, { runner, signal: s, files }) {
    const value = (input as { kind: string; value: number[] }).value as unknown as number[];
    const out = await runner.run('main', { x: { type: 'float32', dims: [value.length], data: Float32Array.from(value) } }, s);
    return { doubled: [...(out.y!.data as Float32Array)], files: Object.keys(files) };
  },
};

describe('Executor', () => {
  it('loads a registry model once through the provisioner and runs its pipeline over engine.doRun', async () => {
    const { engine, stages } = tensorEngine();
    let provisions = 0;
    const executor = new Executor({
      engines: [engine],
      registry: createModelCatalog([{ id: 'doubler', metadata: { model_id: 'doubler' }, pipeline: doubler }]),
      provisioner: {
        async provision() {
          provisions++;
          return { files: { 'model.onnx': '/models/doubler/model.onnx' } };
        },
      },
    });
    const target = { engine: 'onnx', model: 'doubler', target: 'local' as const };
    const request = { modelId: 'doubler', workload: 'inference' as const, input: { kind: 'json' as const, value: { kind: 'x', value: [1, 2] } } };
    const [a, b] = await Promise.all([executor.executeLocal(target, request, signal), executor.executeLocal(target, request, signal)]);
    expect(a.output).toEqual({ kind: 'json', value: { doubled: [2, 4], files: ['model.onnx'] } });
    expect(b.output).toEqual(a.output);
    expect(provisions).toBe(1);
    expect(engine.loads).toEqual(['doubler']);
    expect(stages).toEqual(['main', 'main']);
    expect(Object.keys(a.timings).sort()).toEqual(['inferMs', 'postprocessMs', 'preprocessMs', 'queueMs', 'totalMs']);
    expect(a.timings.totalMs).toBeGreaterThanOrEqual(a.timings.inferMs);
  });

  it('emits ModelLoadProgress for each provisioning step, then the session creation, before the engine loads', async () => {
    const { engine } = tensorEngine();
    const events = new EventBus();
    const seen: string[] = [];
    events.on('ModelLoadProgress', (p) => seen.push(`${p.model}@${p.engine}:${p.stage}${p.file ? `:${p.file}` : ''}${p.package ? `:${p.package}` : ''}`));
    const load = engine.doLoad.bind(engine);
    engine.doLoad = async (spec) => {
      seen.push('doLoad');
      return load(spec);
    };
    const executor = new Executor({
      engines: [engine],
      events,
      registry: createModelCatalog([{ id: 'doubler', metadata: { model_id: 'doubler' }, pipeline: doubler }]),
      provisioner: {
        async provision(_id, _signal, onProgress) {
          onProgress?.({ stage: 'resolve', file: 'model.onnx', origin: 'npm', package: '@acme/weights' });
          onProgress?.({ stage: 'verify', file: 'model.onnx', origin: 'npm', package: '@acme/weights' });
          return { files: { 'model.onnx': '/models/doubler/model.onnx' } };
        },
      },
    });
    await executor.ensureLoaded('onnx', 'doubler', signal);
    expect(seen).toEqual(['doubler@onnx:resolve:model.onnx:@acme/weights', 'doubler@onnx:verify:model.onnx:@acme/weights', 'doubler@onnx:load', 'doLoad', 'doubler@onnx:ready']);
  });

  it('uses the interpreted pipeline when the registry has metadata but no generated pipeline', async () => {
    const { engine } = tensorEngine();
    const built: unknown[] = [];
    const executor = new Executor({
      engines: [engine],
      registry: createModelCatalog([{ id: 'doubler', metadata: { model_id: 'doubler' } }]),
      createInterpretedPipeline: (metadata) => {
        built.push(metadata);
        return doubler;
      },
    });
    const result = await executor.execute({ engine: 'onnx', model: 'doubler', target: 'local' }, { modelId: 'doubler', workload: 'inference', input: { kind: 'json', value: { value: [3] } } }, signal);
    expect(result.output).toMatchObject({ value: { doubled: [6] } });
    expect(built).toEqual([{ model_id: 'doubler' }]);
  });

  it('imports a generated pipeline lazily through loadPipeline', async () => {
    const { engine } = tensorEngine();
    let imports = 0;
    const executor = new Executor({
      engines: [engine],
      registry: createModelCatalog([{ id: 'doubler', metadata: {}, loadPipeline: async () => (imports++, doubler) }]),
    });
    const target = { engine: 'onnx', model: 'doubler', target: 'local' as const };
    const request = { modelId: 'doubler', workload: 'inference' as const, input: { kind: 'json' as const, value: { value: [5] } } };
    await executor.execute(target, request, signal);
    const result = await executor.execute(target, request, signal);
    expect(result.output).toMatchObject({ value: { doubled: [10] } });
    expect(imports).toBe(1);
  });

  it('a failed load is not cached', async () => {
    const engine = new FaultEngine('e');
    let fail = true;
    engine.doLoad = async () => {
      if (fail) throw new Error('corrupt file');
    };
    const executor = new Executor({ engines: [engine] });
    const target = { engine: 'e', model: 'm', target: 'local' as const };
    const request = { modelId: 'm', workload: 'completion' as const, input: { kind: 'text' as const, prompt: 'x' } };
    const error = await executor.execute(target, request, signal).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'MODEL_LOAD_FAILED')).toBe(true);
    fail = false;
    expect((await executor.execute(target, request, signal)).output).toEqual({ kind: 'text', text: 'e:x' });
  });

  it("files an engine's METADATA_INVALID issues under the model's file as the app shows it (not the engine's placeholder)", async () => {
    const engine = new FaultEngine('onnx');
    engine.doLoad = async () => {
      throw new MetadataInvalidError({ issues: [{ file: "model 'm' model_metadata.json", pointer: '/metadata/output_names/0', message: 'names no output of model.onnx', expected: 'one of logits', found: '"probs"' }] });
    };
    const executor = new Executor({
      engines: [engine],
      registry: createModelCatalog([{ id: 'm', metadata: { model_id: 'm' }, pipeline: doubler, dir: '/app/models/m' }]),
      metadataFile: (model) => `models/${model.id}/model_metadata.json`,
    });
    const error = await executor.execute({ engine: 'onnx', model: 'm', target: 'local' }, { modelId: 'm', workload: 'inference', input: { kind: 'json', value: 1 } }, signal).catch((e: unknown) => e);
    expect(MetadataInvalidError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('Invalid model metadata: models/m/model_metadata.json: /metadata/output_names/0 names no output of model.onnx (expected one of logits, found "probs")');
  });

  it.each([
    ['executeLocal on a cloud engine', (ex: Executor) => ex.executeLocal({ engine: 'cloud', model: 'm', target: 'local' }, { modelId: 'm', workload: 'completion', input: { kind: 'text', prompt: '' } }, signal), 'UNSUPPORTED', "does not run at target 'local'"],
    ['an unsupported workload', (ex: Executor) => ex.execute({ engine: 'cloud', model: 'm', target: 'cloud' }, { modelId: 'm', workload: 'embedding', input: { kind: 'text', prompt: '' } }, signal), 'UNSUPPORTED', "does not support workload 'embedding'"],
    ['an unknown engine', (ex: Executor) => ex.execute({ engine: 'zz', model: 'm', target: 'cloud' }, { modelId: 'm', workload: 'completion', input: { kind: 'text', prompt: '' } }, signal), 'NO_SUCH_ENGINE', "No engine 'zz' is registered (registered: cloud)"],
  ])('rejects %s', async (_name, call, code, message) => {
    const executor = new Executor({ engines: [new FaultEngine('cloud', {}, { targets: ['cloud'] })] });
    const error = await Promise.resolve()
      .then(() => call(executor))
      .catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, code as 'UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toContain(message);
  });

  it('refuses two engines with one id', () => {
    expect(() => new Executor({ engines: [new FaultEngine('a'), new FaultEngine('a')] })).toThrow(/Two engines share the id 'a'/);
  });
});

describe('Orchestrator.openStreamSession', () => {
  it('opens a chunk-in session on a registry model with a streaming pipeline', async () => {
    const { engine } = tensorEngine();
    const pipeline: ModelPipeline = {
      modelId: 'vad',
      run: async () => null,
      openStream: ({ runner, signal: s }) => {
        let total = 0;
        return {
          async push(chunk) {
            const out = await runner.run(undefined, { x: { type: 'float32', dims: [1], data: Float32Array.of(chunk as number) } }, s);
            total += (out.y!.data as Float32Array)[0]!;
            return [total];
          },
          async close() {
            return [`total ${total}`];
          },
        };
      },
    };
    const orchestrator = createOrchestrator({
      engines: [engine],
      registry: createModelCatalog([{ id: 'vad', metadata: {}, pipeline, engine: 'onnx' }]),
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
    });
    const session = await orchestrator.openStreamSession('vad');
    expect(await session.push(1)).toEqual([2]);
    expect(await session.push(2)).toEqual([6]);
    expect(await session.close()).toEqual(['total 6']);
  });

  it('a model without a streaming pipeline is UNSUPPORTED', async () => {
    const { engine } = tensorEngine();
    const orchestrator = createOrchestrator({
      engines: [engine],
      registry: createModelCatalog([{ id: 'doubler', metadata: {}, pipeline: doubler }]),
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
    });
    await expect(orchestrator.openStreamSession('doubler')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('Executor with an engine that takes an AbortCheck (doRunChecked)', () => {
  const target = { engine: 'onnx', model: 'm', target: 'local' as const };
  const request = { modelId: 'm', workload: 'inference' as const, input: { kind: 'tensors' as const, tensors: {} } };

  function checkedEngine(body: (abort: AbortCheck) => Promise<void>) {
    const engine = new FaultEngine('onnx');
    const seen: AbortCheck[] = [];
    let plainRuns = 0;
    engine.doRun = async () => {
      plainRuns++;
      return { output: { kind: 'json', value: 'plain' } };
    };
    engine.doRunChecked = async (_request, abort) => {
      seen.push(abort);
      await body(abort);
      return { output: { kind: 'json', value: abort.aborted } };
    };
    return { engine, seen, plainRuns: () => plainRuns };
  }

  it('calls doRunChecked instead of doRun, with a fresh check per call that creates no AbortController unless its signal is read', async () => {
    const { engine, seen, plainRuns } = checkedEngine(async () => {});
    const executor = new Executor({ engines: [engine] });
    await executor.execute(target, request, signal); // loads the model (the load takes a real signal)
    const created = vi.spyOn(globalThis, 'AbortController');
    try {
      const first = await executor.execute(target, request, signal);
      await executor.execute(target, request, signal);
      expect(first.output).toEqual({ kind: 'json', value: false });
      expect(created).not.toHaveBeenCalled();
    } finally {
      created.mockRestore();
    }
    expect(plainRuns()).toBe(0);
    expect(seen).toHaveLength(3);
    expect(seen[1]).not.toBe(seen[2]);
    expect(seen[1]!.signal).not.toBe(seen[2]!.signal);
  });

  it('a caller abort shows in aborted/reason and in a signal read before or after it', async () => {
    const caller = new AbortController();
    let before!: AbortSignal;
    const { engine } = checkedEngine(async (abort) => {
      before = abort.signal;
      caller.abort(new Error('stop'));
      expect(abort.aborted).toBe(true);
      expect(abort.reason).toEqual(new Error('stop'));
      expect(abort.signal.aborted).toBe(true);
    });
    const result = await new Executor({ engines: [engine] }).execute(target, request, caller.signal);
    expect(result.output).toEqual({ kind: 'json', value: true });
    expect(before.aborted).toBe(true);
  });

  it('the deadline cancels the check; a signal first read after it is born aborted with the timeout', async () => {
    let late!: AbortSignal;
    let release!: () => void;
    const { engine, seen } = checkedEngine(() => new Promise<void>((resolve) => (release = resolve)));
    const executor = new Executor({ engines: [engine], resilience: { timeoutMs: 20 } });
    await expect(executor.execute(target, request, signal)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(seen[0]!.aborted).toBe(true);
    late = seen[0]!.signal;
    expect(late.aborted).toBe(true);
    release();
  });

  it('a settled call is never cancelled later by its caller', async () => {
    const caller = new AbortController();
    const { engine, seen } = checkedEngine(async () => {});
    await new Executor({ engines: [engine] }).execute(target, request, caller.signal);
    const kept = seen[0]!.signal;
    caller.abort();
    expect(seen[0]!.aborted).toBe(false);
    expect(kept.aborted).toBe(false);
  });
});

describe('Executor model bookkeeping on the direct engine path', () => {
  it('a model is idle again after a success, a failure and a late answer past its timeout (then it may be unloaded)', async () => {
    const engine = new FaultEngine('onnx');
    const unloaded: string[] = [];
    engine.doUnload = async (id: string) => void unloaded.push(id);
    let release: (() => void) | undefined;
    engine.doRun = async (request) => {
      if (request.input.kind === 'text' && request.input.prompt === 'fail') throw new SwitchyardError({ code: 'OVERLOADED', message: 'no' });
      if (request.input.kind === 'text' && request.input.prompt === 'hang') await new Promise<void>((resolve) => (release = resolve));
      return { output: { kind: 'text', text: 'ok' } };
    };
    const executor = new Executor({ engines: [engine], maxLoadedModels: 1, resilience: { timeoutMs: 20 } });
    const call = (model: string, prompt: string) =>
      executor.execute({ engine: 'onnx', model, target: 'local' }, { modelId: model, workload: 'completion', input: { kind: 'text', prompt } }, signal);
    const ok = await call('a', 'x');
    expect(ok.timings.totalMs).toBeGreaterThanOrEqual(ok.timings.inferMs);
    await expect(call('a', 'fail')).rejects.toMatchObject({ code: 'OVERLOADED' });
    await call('b', 'x'); // loading b puts 2 above the limit: a is idle, so it goes
    expect(unloaded).toEqual(['a']);
    await expect(call('b', 'hang')).rejects.toMatchObject({ code: 'TIMEOUT' });
    await call('c', 'x'); // b still runs (its answer is late): c, the idle one, goes instead
    expect(unloaded).toEqual(['a', 'c']);
    release!();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await call('d', 'x'); // b answered: idle now, the least recently used
    expect(unloaded).toEqual(['a', 'c', 'b']);
  });
});

describe('toPipelineInput', () => {
  it('hands pipelines what their first steps take: text batches as string[], a bare prompt as a string, image bytes, audio samples', () => {
    expect(toPipelineInput({ kind: 'texts', texts: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(toPipelineInput({ kind: 'text', prompt: 'hello' })).toBe('hello');
    expect(toPipelineInput({ kind: 'json', value: { x: 1 } })).toEqual({ x: 1 });
    const chat = { kind: 'text', messages: [{ role: 'user', content: 'hi' }] } as const;
    expect(toPipelineInput(chat)).toBe(chat);
    const data = new Uint8Array([1]);
    expect(toPipelineInput({ kind: 'image', data })).toBe(data);
    const samples = new Float32Array(2);
    expect(toPipelineInput({ kind: 'audio', samples, sampleRate: 16000 })).toEqual({ samples, sampleRate: 16000 });
  });
});
