import { describe, expectTypeOf, it } from 'vitest';
import {
  createCenterCropStep,
  createNormalizeStep,
  createPipelineFrame,
  createReshapeStep,
  createSoftmaxStep,
  createTopKStep,
  createVadWavDecodeStep,
  fromGraphOutputs,
  toGraphFeeds,
  type ModelPipeline,
  type ScoredIndex,
  type StepInputOf,
  type StepOutputOf,
  type TensorRunner,
} from '@switchyard/core';

// Hand-made modules in the shape codegen emits (see emit-pipeline.ts): a chain that fits compiles, one that does not
// is rejected by tsc at the broken link.
const env = { modelId: 'm', step: 's', files: {} };
declare const runner: TensorRunner;
declare const signal: AbortSignal;

describe('generated pipeline modules are checked by tsc', () => {
  it('a coherent chain compiles, and its output type is the last step\'s', async () => {
    const pre0 = createReshapeStep({ shape: [1, 4] }, env);
    const pre1 = createNormalizeStep({ mean: [0], std: [1] }, env);
    const post0 = createSoftmaxStep({ dim: 1 }, env);
    const post1 = createTopKStep({ k: 2 }, env);
    const pipeline: ModelPipeline<StepInputOf<typeof createReshapeStep>, StepOutputOf<typeof createTopKStep>> = {
      modelId: 'm',
      async run(input, context) {
        const frame = createPipelineFrame(context.signal);
        const v1 = await pre0(input, frame);
        const v2 = await pre1(v1, frame);
        const v3 = fromGraphOutputs(await context.runner.run(undefined, toGraphFeeds(v2, [], 'm'), context.signal), [], frame);
        const v4 = await post0(v3, frame);
        return post1(v4, frame);
      },
    };
    expectTypeOf(await pipeline.run([1, 2, 3, 4], { runner, signal, files: {} })).toEqualTypeOf<ScoredIndex[][]>();
  });

  it('VadWavDecode -> CenterCrop does not compile', async () => {
    const pre0 = createVadWavDecodeStep({}, env);
    const pre1 = createCenterCropStep({ width: 2, height: 2 }, env);
    const frame = createPipelineFrame(signal);
    const v1 = await pre0(new Uint8Array(0), frame);
    // @ts-expect-error samples (Float32Array) are not an image or a tensor
    await pre1(v1, frame);
  });

  it('a step output fed to the graph must be tensors', async () => {
    const pre0 = createTopKStep({ k: 1 }, env);
    const frame = createPipelineFrame(signal);
    const v1 = await pre0({ type: 'float32', dims: [1], data: new Float32Array(1) }, frame);
    // @ts-expect-error ScoredIndex[][] is not a Tensor or TensorMap
    toGraphFeeds(v1, [], 'm');
  });

  it('the model input must be what the first step takes', async () => {
    const pre0 = createReshapeStep({ shape: [1, 4] }, env);
    // @ts-expect-error a string is not a tensor, numbers or pixels
    await pre0('seven', createPipelineFrame(signal));
  });
});
