import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../../test/app-fixtures.js';
import { createSwitchyardApp } from '../app/create-app.js';
import type { InferenceResult, ModelPipeline } from '@switchyard/spec';
import { definePlugin, SwitchyardError } from '@switchyard/spec';
import type { ModelRegistry } from '../executor/model-catalog.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';
import { FaultEngine } from './__fixtures__/fault-engine.js';
import { createOrchestrator } from './create-orchestrator.js';
import { closeMatches } from './model-names.js';
import { createSoftmaxStep } from '../steps/softmax-step.js';
import { createPipelineFrame } from '../steps/step-kernel.js';

const logger = createOrchestrationLogger({ logLevel: 'silent' });

/** A local engine answering tensor runs with `y = 2x` and text runs like FaultEngine. */
function tensorEngine(id = 'onnx'): FaultEngine {
  const engine = new FaultEngine(id);
  const text = engine.doRun.bind(engine);
  engine.doRun = async (request, signal) => {
    if (request.input.kind !== 'tensors') return text(request, signal);
    const x = request.input.tensors.x ?? Object.values(request.input.tensors)[0]!;
    return { output: { kind: 'tensors', tensors: { y: { ...x, data: Float32Array.from(x.data as Float32Array, (v) => v * 2) } } } };
  };
  return engine;
}

const METADATA = {
  model_id: 'twice',
  version: '1',
  execution_template: { type: 'SimpleMode', model_file: 'model.onnx' },
  preprocessing: [],
  postprocessing: [{ type: 'Softmax', dim: 0 }],
  files: ['model.onnx'],
};

/** What codegen would write for METADATA: the same step factory, called directly. */
const softmax = createSoftmaxStep({ dim: 0 }, { modelId: 'twice', step: 'postprocessing/0 (Softmax)', files: {} });
const generatedTwice: ModelPipeline = {
  modelId: 'twice',
  async run(input, context) {
    const x = input as { dims: number[]; data: number[] };
    const out = await context.runner.run(undefined, { x: { type: 'float32', dims: x.dims, data: Float32Array.from(x.data) } }, context.signal);
    return softmax(out.y!, createPipelineFrame(context.signal));
  },
};

const input = { kind: 'json' as const, value: { type: 'float32', dims: [3], data: [1, 2, 3] } };
let dir: string;

beforeAll(async () => {
  dir = await writeFixture({
    'models/twice/model_metadata.json': JSON.stringify(METADATA),
    'models/twice/model.onnx': 'not read by the test engine',
    'app/switchyard.config.yaml': 'models:\n  dirs: [../models]\n  registry: ./registry.mjs\n',
    'app/registry.mjs': `
      const entry = { id: 'twice', dir: '../models/twice', metadata: ${JSON.stringify(METADATA)}, loadPipeline: async () => globalThis.__twicePipeline };
      export const registry = { list: () => [entry], get: (id) => (id === 'twice' ? entry : undefined) };
    `,
    'plain/switchyard.config.yaml': 'models:\n  dirs: [../models]\n',
    'broken/models/broken-chain/model_metadata.json': JSON.stringify({ ...METADATA, model_id: 'broken-chain', preprocessing: [{ type: 'VadWavDecode' }, { type: 'CenterCrop', width: 2, height: 2 }] }),
    'broken/models/broken-chain/model.onnx': 'never loaded',
  });
  (globalThis as { __twicePipeline?: ModelPipeline }).__twicePipeline = generatedTwice;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const engines = definePlugin({
  name: 'engines',
  version: '0.0.0',
  core: '*',
  configSchema: {},
  register(ctx) {
    ctx.registerEngine(tensorEngine());
  },
});

async function runTwice(options: Parameters<typeof createSwitchyardApp>[0]): Promise<InferenceResult> {
  const app = await createSwitchyardApp({ plugins: [engines], logger, ...options });
  try {
    return await app.orchestrator.run({ model: 'twice', workload: 'inference', input });
  } finally {
    await app.shutdown();
  }
}

describe('one model path', () => {
  it('runs the generated pipeline of a registry given in code, with model folders relative to the base dir', async () => {
    const entry = { id: 'twice', dir: 'models/twice', metadata: METADATA, pipeline: generatedTwice };
    const registry: ModelRegistry = { list: () => [entry], get: (id) => (id === 'twice' ? entry : undefined) };
    const result = await runTwice({ config: {}, baseDir: dir, registry });
    expect(result.pipeline).toBe('generated');
    expect(result.decision).toMatchObject({ engine: 'onnx', model: 'twice', pipeline: 'generated' });
  });

  it('loads the registry named by models.registry relative to the config file', async () => {
    const result = await runTwice({ configPath: join(dir, 'app', 'switchyard.config.yaml') });
    expect(result.pipeline).toBe('generated');
  });

  it('refuses an incompatible step chain when the interpreter loads the model, located in the file, before the engine loads it', async () => {
    const engine = tensorEngine();
    const app = await createSwitchyardApp({
      config: { models: { dirs: ['models'] } },
      baseDir: join(dir, 'broken'),
      plugins: [definePlugin({ name: 'one-engine', version: '0.0.0', core: '*', configSchema: {}, register: (ctx) => ctx.registerEngine(engine) })],
      logger,
    });
    try {
      const failure = await app.orchestrator.run({ model: 'broken-chain', workload: 'inference', input }).then(
        () => undefined,
        (error: unknown) => error as SwitchyardError & { issues: unknown[] },
      );
      expect(failure?.code).toBe('METADATA_INVALID');
      expect(failure?.issues).toContainEqual({
        file: 'models/broken-chain/model_metadata.json',
        pointer: '/preprocessing/1',
        message: '(CenterCrop) cannot take what preprocessing/0 (VadWavDecode) returns',
        expected: 'image | tensor',
        found: 'samples',
      });
      expect(engine.loads).toEqual([]);
    } finally {
      await app.shutdown();
    }
  });

  it('interprets a model folder when no registry has the model, with the same output', async () => {
    const generated = await runTwice({ configPath: join(dir, 'app', 'switchyard.config.yaml') });
    const interpreted = await runTwice({ configPath: join(dir, 'plain', 'switchyard.config.yaml') });
    expect(interpreted.pipeline).toBe('interpreted');
    expect(interpreted.decision.pipeline).toBe('interpreted');
    expect(interpreted.output).toEqual(generated.output);
  });

  it('rejects a config registry module that exports no registry, naming the field', async () => {
    const bad = await writeFixture({ 'switchyard.config.yaml': 'models:\n  registry: ./nothing.mjs\n', 'nothing.mjs': 'export const x = 1;\n' });
    try {
      const error = await createSwitchyardApp({ configPath: bad, logger }).catch((e: unknown) => e);
      expect(SwitchyardError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(/\/models\/registry: '.\/nothing.mjs' exports no `registry`/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });

  it('refuses a registry given both in code and in config', async () => {
    const registry: ModelRegistry = { list: () => [], get: () => undefined };
    const error = await createSwitchyardApp({ configPath: join(dir, 'app', 'switchyard.config.yaml'), registry, logger }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
  });
});

describe('unknown model ids', () => {
  it('fail with NO_SUCH_MODEL and close matches before any engine sees them', async () => {
    const app = await createSwitchyardApp({ config: { models: { dirs: ['models'] } }, baseDir: dir, plugins: [engines], logger });
    try {
      const error = await app.orchestrator.run({ model: 'twise', workload: 'inference', input }).catch((e: unknown) => e);
      expect(SwitchyardError.hasCode(error, 'NO_SUCH_MODEL')).toBe(true);
      expect((error as SwitchyardError).message).toContain("No such model 'twise' (close matches: twice)");
      expect((error as SwitchyardError).details).toMatchObject({ modelId: 'twise', closeMatches: ['twice'] });
      const engine = app.getEngine('onnx') as FaultEngine;
      expect(engine.loads).toEqual([]);
      expect(engine.calls).toBe(0);
    } finally {
      await app.shutdown();
    }
  });

  it('an input of no known kind is INVALID_INPUT naming input.kind, before any engine sees it', async () => {
    const chat = new FaultEngine('chat');
    const orchestrator = createOrchestrator({ engines: [chat], logger, config: {}, configuredModels: ['gpt-4o'] });
    const error = await orchestrator.run({ model: 'gpt-4o', workload: 'completion', input: { kind: 'tensor', tensor: {} } as never }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'input.kind', found: 'tensor' } });
    expect((error as Error).message).toBe('input.kind: expected one of text, texts, tensors, audio, image, json, found "tensor"');
    await expect(orchestrator.run({ model: 'gpt-4o', workload: 'completion' } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(chat.calls).toBe(0);
  });

  it('are never answered by a loaded text engine and never trip its circuit breaker', async () => {
    const chat = new FaultEngine('chat');
    const orchestrator = createOrchestrator({
      engines: [chat],
      logger,
      config: { resilience: { circuitBreaker: { consecutiveFailures: 2, cooldownMs: 60_000 } } },
      configuredModels: ['gpt-4o'],
    });
    for (let i = 0; i < 5; i++) {
      const error = await orchestrator.run({ model: 'gpt-4o-typo', workload: 'completion', input: { kind: 'text', prompt: 'hi' } }).catch((e: unknown) => e);
      expect(SwitchyardError.hasCode(error, 'NO_SUCH_MODEL')).toBe(true);
      expect((error as Error).message).toContain('close matches: gpt-4o');
    }
    const streamed = (async () => {
      for await (const _ of orchestrator.stream({ model: 'nope', workload: 'stream', input: { kind: 'text', prompt: 'hi' } })) void _;
    })();
    await expect(streamed).rejects.toMatchObject({ code: 'NO_SUCH_MODEL' });
    await expect(orchestrator.openStreamSession('nope')).rejects.toMatchObject({ code: 'NO_SUCH_MODEL' });
    expect(chat.calls).toBe(0);
    const ok = await orchestrator.run({ model: 'gpt-4o', workload: 'completion', input: { kind: 'text', prompt: 'hi' } });
    expect(ok.output).toEqual({ kind: 'text', text: 'chat:hi' });
    expect(orchestrator.executor.guard('chat').circuitState).toBe('closed');
  });

  it('an engine:model the engine does not have (NO_SUCH_MODEL at load) never trips the circuit', async () => {
    const chat = new FaultEngine('chat');
    chat.doLoad = async (spec) => {
      if (spec.id === 'nope') throw new SwitchyardError({ code: 'NO_SUCH_MODEL', message: `no model '${spec.id}'` });
    };
    const orchestrator = createOrchestrator({ engines: [chat], logger, config: { resilience: { circuitBreaker: { consecutiveFailures: 2, cooldownMs: 60_000 } } } });
    for (let i = 0; i < 4; i++) {
      await expect(orchestrator.run({ model: 'chat:nope', workload: 'completion', input: { kind: 'text', prompt: 'x' } })).rejects.toMatchObject({ code: 'NO_SUCH_MODEL' });
    }
    expect(orchestrator.executor.guard('chat').circuitState).toBe('closed');
  });

  it('accepts engine:model, routes and configured deployments', async () => {
    const orchestrator = createOrchestrator({
      engines: [new FaultEngine('chat')],
      logger,
      config: { routing: { routes: { auto: { targets: ['chat:small'] } }, models: { big: ['chat:big'] } } },
    });
    for (const model of ['chat:anything', 'auto', 'big']) {
      const result = await orchestrator.run({ model, workload: 'completion', input: { kind: 'text', prompt: 'x' } });
      expect(result.output).toEqual({ kind: 'text', text: 'chat:x' });
    }
    await expect(orchestrator.run({ model: 'other:thing', workload: 'completion', input: { kind: 'text', prompt: 'x' } })).rejects.toMatchObject({
      code: 'NO_SUCH_MODEL',
    });
  });
});

describe('closeMatches', () => {
  it('ranks near names first and ignores unrelated ones', () => {
    expect(closeMatches('paddleocr-v5', ['silero-vad', 'paddleocr-v4', 'xybrid-minilm'])).toEqual(['paddleocr-v4']);
    expect(closeMatches('gpt-4o-typo', ['gpt-4o', 'gpt-4o-mini', 'claude'])).toEqual(['gpt-4o']);
    expect(closeMatches('zzz', ['paddleocr-v4'])).toEqual([]);
  });
});
