import { describe, expect, it, vi } from 'vitest';
import type { PipelineContext, Tensor, TensorMap, TensorRunner } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import type { StepFactory } from '../steps/step-kernel.js';
import { createInterpretedPipeline, TemplateExecutor } from './template-executor.js';

const tensor = (values: number[], dims = [values.length]): Tensor => ({ type: 'float32', dims, data: Float32Array.from(values) });

/** Factories that record what they were built with and transform numbers visibly. */
function recordingFactories() {
  const built: { type: string; params: unknown; step: string; files: unknown }[] = [];
  const make =
    (type: string, fn: (x: Tensor, params: any) => unknown): StepFactory =>
    (params, env) => {
      built.push({ type, params, step: env.step, files: env.files });
      return (input: Tensor) => fn(input, params);
    };
  const factories: Record<string, StepFactory> = {
    Normalize: make('Normalize', (x, p) => tensor(Array.from(x.data as Float32Array, (v) => (v - p.mean[0]) / p.std[0]), [...x.dims])),
    Softmax: make('Softmax', (x) => tensor(Array.from(x.data as Float32Array, (v) => v * 10), [...x.dims])),
    CTCDecode: make('CTCDecode', (x, p) => `${p.vocab_file}:${Array.from(x.data as Float32Array).join(',')}`),
    Threshold: make('Threshold', (x: any, p) => (Array.isArray(x) ? x.map((v) => v > p.threshold) : x)),
  };
  return { built, factories };
}

function recordingRunner(respond: (stage: string | undefined, feeds: TensorMap) => TensorMap) {
  const calls: { stage: string | undefined; names: string[] }[] = [];
  const runner: TensorRunner = {
    async run(stage, feeds) {
      calls.push({ stage, names: Object.keys(feeds) });
      return respond(stage, feeds);
    },
  };
  return { calls, runner };
}

const context = (runner: TensorRunner, files: Record<string, string> = {}, signal = new AbortController().signal): PipelineContext => ({ runner, signal, files });

const ONNX = {
  model_id: 'm',
  version: '1',
  execution_template: { type: 'SimpleMode', model_file: 'model.onnx' },
  preprocessing: [{ type: 'Normalize', mean: [1], std: [2] }],
  postprocessing: [{ type: 'Softmax', dim: 0 }, { type: 'CTCDecode', vocab_file: 'vocab.txt' }],
  files: ['model.onnx', 'vocab.txt'],
  metadata: { input_names: ['pixels'] },
};

describe('createInterpretedPipeline', () => {
  it('runs pre -> graph -> post with the metadata params (defaults applied) and located step names', async () => {
    const { built, factories } = recordingFactories();
    const { calls, runner } = recordingRunner((_, feeds) => ({ logits: tensor(Array.from(feeds.pixels!.data as Float32Array, (v) => v + 1)) }));
    const pipeline = createInterpretedPipeline(ONNX, { factories });
    const out = await pipeline.run(tensor([3, 5]), context(runner, { 'vocab.txt': '/abs/vocab.txt' }));
    expect(out).toBe('vocab.txt:20,30');
    expect(calls).toEqual([{ stage: undefined, names: ['pixels'] }]);
    expect(built.map((b) => [b.type, b.step, b.params])).toEqual([
      ['Normalize', 'preprocessing/0 (Normalize)', { mean: [1], std: [2] }],
      ['Softmax', 'postprocessing/0 (Softmax)', { dim: 0 }],
      ['CTCDecode', 'postprocessing/1 (CTCDecode)', { vocab_file: 'vocab.txt', blank_index: 0 }],
    ]);
  });

  it('refuses a graph output the metadata names but the graph did not return (it used to hand postprocessing the whole map)', async () => {
    const { factories } = recordingFactories();
    const { runner } = recordingRunner(() => ({ logits: tensor([1, 2]) }));
    const pipeline = createInterpretedPipeline({ ...ONNX, metadata: { output_names: ['probs'] } }, { factories });
    const error = await pipeline.run(tensor([3, 5]), context(runner, { 'vocab.txt': '/abs/vocab.txt' })).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
    expect((error as Error).message).toBe("the metadata names graph output 'probs' but the graph returned [logits]");
  });

  it('runs a Normalize whose std is one value for every channel, as the validator accepts it (the kernel used to refuse it at run time)', async () => {
    const { runner } = recordingRunner((_, feeds) => ({ out: feeds.input! }));
    const metadata = { model_id: 'n', version: '1', execution_template: { type: 'Onnx', model_file: 'm.onnx' }, files: ['m.onnx'], preprocessing: [{ type: 'Normalize', mean: [10, 50], std: [10] }] };
    const out = (await createInterpretedPipeline(metadata).run(tensor([10, 20, 30, 40, 50, 60, 70, 80], [1, 2, 2, 2]), context(runner))) as Tensor;
    expect(Array.from(out.data as Float32Array)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('builds file-needing steps once per files map, other steps once', async () => {
    const { built, factories } = recordingFactories();
    const { runner } = recordingRunner(() => ({ out: tensor([1]) }));
    const pipeline = createInterpretedPipeline(ONNX, { factories });
    const filesA = { 'vocab.txt': '/a' };
    const filesB = { 'vocab.txt': '/b' };
    await pipeline.run(tensor([1]), context(runner, filesA));
    await pipeline.run(tensor([1]), context(runner, filesA));
    await pipeline.run(tensor([1]), context(runner, filesB));
    expect(built.filter((b) => b.type === 'CTCDecode').map((b) => b.files)).toEqual([filesA, filesB]);
    expect(built.filter((b) => b.type === 'Normalize')).toHaveLength(1);
  });

  it('runs ModelGraph stages in order, skips disabled ones and batches array inputs by config.batch_size', async () => {
    const { factories } = recordingFactories();
    const seen: number[] = [];
    const { calls, runner } = recordingRunner((stage, feeds) => {
      if (stage === 'rec') seen.push((feeds.x!.data as Float32Array).length);
      return { y: feeds.x! };
    });
    const toBatchTensor: StepFactory = () => (items: number[]) => tensor(items);
    const toList: StepFactory = () => (t: Tensor) => Array.from(t.data as Float32Array);
    const metadata: { model_id: string; execution_template: { type: string; stages: Record<string, unknown>[] } } & Record<string, unknown> = {
      model_id: 'graph',
      version: '1',
      execution_template: {
        type: 'ModelGraph',
        stages: [
          { name: 'det', model_file: 'a.onnx', inputs: ['x'], outputs: ['y'], postprocessing: [{ type: 'Listify' }] },
          { name: 'cls', model_file: 'a.onnx', config: { enabled: false } },
          { name: 'rec', model_file: 'a.onnx', inputs: ['x'], config: { batch_size: 2 }, preprocessing: [{ type: 'Batch' }], postprocessing: [{ type: 'Listify' }] },
        ],
      },
      postprocessing: [{ type: 'Threshold', threshold: 2 }],
      files: ['a.onnx'],
    };
    // Steps outside the schema are refused before anything runs...
    expect(() => createInterpretedPipeline(metadata, { factories })).toThrow(/not a known type/);
    // ...so use schema step names bound to test kernels.
    const stages = metadata.execution_template.stages;
    stages[0]!.postprocessing = [{ type: 'Argmax' }];
    stages[2]!.preprocessing = [{ type: 'Reshape', shape: [-1] }];
    stages[2]!.postprocessing = [{ type: 'Argmax' }];
    const pipeline = createInterpretedPipeline(metadata, { factories: { ...factories, Argmax: toList, Reshape: toBatchTensor } });
    const out = await pipeline.run(tensor([1, 2, 3, 4, 5]), context(runner));
    expect(calls.map((c) => c.stage)).toEqual(['det', 'rec', 'rec', 'rec']);
    expect(seen).toEqual([2, 2, 1]);
    expect(out).toEqual([false, false, true, true, true]);
  });

  it('refuses a template it cannot run and a step without a factory (UNSUPPORTED)', () => {
    const gguf = { model_id: 'g', version: '1', execution_template: { type: 'Gguf', model_file: 'm.gguf' }, files: ['m.gguf'] };
    expect(() => createInterpretedPipeline(gguf)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining("'Gguf'") }));
    expect(() => createInterpretedPipeline(ONNX, { factories: {} })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringContaining('no step factory for CTCDecode, Normalize, Softmax') }),
    );
  });

  it('validates first: METADATA_INVALID with every located issue', () => {
    const bad = { ...ONNX, preprocessing: [{ type: 'Normalize', mean: [1], std: [0] }], version: undefined };
    try {
      createInterpretedPipeline(JSON.parse(JSON.stringify(bad)), { file: 'x/model_metadata.json' });
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
      expect((error as Error).message).toContain('x/model_metadata.json: /version is required');
      expect((error as Error).message).toContain('x/model_metadata.json: /preprocessing/0/std/0 must be > 0');
    }
  });

  it('stops between steps when the signal is aborted', async () => {
    const { factories } = recordingFactories();
    const controller = new AbortController();
    const { calls, runner } = recordingRunner(() => ({ out: tensor([1]) }));
    const abortingFactories = { ...factories, Normalize: (() => (x: Tensor) => (controller.abort(), x)) as StepFactory };
    const pipeline = createInterpretedPipeline(ONNX, { factories: abortingFactories });
    await expect(pipeline.run(tensor([1]), context(runner, {}, controller.signal))).rejects.toMatchObject({ code: 'ABORTED' });
    expect(calls).toEqual([]);
  });

  it('feeds a TensorMap narrowed to the graph input names, and says so when none match', async () => {
    const { runner, calls } = recordingRunner(() => ({ out: tensor([1]) }));
    const passThrough: StepFactory = () => () => ({ input_ids: tensor([1]), attention_mask: tensor([1]), token_type_ids: tensor([0]) });
    const metadata = { ...ONNX, preprocessing: [{ type: 'Tokenize', vocab_file: 'vocab.txt', tokenizer_type: 'WordPiece' }], postprocessing: [], metadata: { input_names: ['input_ids', 'attention_mask'] } };
    await createInterpretedPipeline(metadata, { factories: { Tokenize: passThrough } }).run('hi', context(runner));
    expect(calls[0]!.names).toEqual(['input_ids', 'attention_mask']);
    const wrong = { ...metadata, metadata: { input_names: ['pixels'] } };
    await expect(createInterpretedPipeline(wrong, { factories: { Tokenize: passThrough } }).run('hi', context(runner))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('preprocessing produced tensors [input_ids, attention_mask, token_type_ids] but the graph takes [pixels]'),
    });
  });
});

describe('TemplateExecutor', () => {
  it('builds a pipeline once per metadata object and runs it', async () => {
    const { built, factories } = recordingFactories();
    const { runner } = recordingRunner(() => ({ out: tensor([2]) }));
    const executor = new TemplateExecutor({ factories });
    const spy = vi.fn();
    await executor.execute(ONNX, tensor([1]), context(runner, { 'vocab.txt': '/v' }));
    await executor.execute(ONNX, tensor([1]), context(runner, { 'vocab.txt': '/v' })).then(spy);
    expect(spy).toHaveBeenCalledWith('vocab.txt:20');
    expect(built.filter((b) => b.type === 'Normalize')).toHaveLength(1);
  });
});

describe('createInterpretedPipeline runs the chain check codegen runs (one implementation)', () => {
  const chain = (preprocessing: unknown[], postprocessing: unknown[] = []) => ({ ...ONNX, preprocessing, postprocessing });

  it('refuses a step that cannot take what the step before it returns, located (file, pointer, expected, found)', () => {
    let caught: unknown;
    try {
      createInterpretedPipeline(chain([{ type: 'VadWavDecode' }, { type: 'CenterCrop', width: 2, height: 2 }]), { file: 'models/m/model_metadata.json' });
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.hasCode(caught, 'METADATA_INVALID')).toBe(true);
    expect((caught as { issues: unknown[] }).issues).toContainEqual({
      file: 'models/m/model_metadata.json',
      pointer: '/preprocessing/1',
      message: '(CenterCrop) cannot take what preprocessing/0 (VadWavDecode) returns',
      expected: 'image | tensor',
      found: 'samples',
    });
  });

  it('refuses postprocessing that cannot take the graph output, and a ranked list fed to Softmax', () => {
    expect(() => createInterpretedPipeline(chain([], [{ type: 'TopK', k: 2 }, { type: 'Softmax', dim: 1 }]))).toThrow(
      /\/postprocessing\/1 \(Softmax\) cannot take what postprocessing\/0 \(TopK\) returns \(expected tensor \| tensors, found scored-indices\)/,
    );
  });

  it('accepts a coherent chain', () => {
    expect(() => createInterpretedPipeline(chain([{ type: 'Reshape', shape: [1, 2] }, { type: 'Normalize', mean: [0], std: [1] }], [{ type: 'Softmax', dim: 1 }, { type: 'TopK', k: 1 }]))).not.toThrow();
  });
});
