import { describe, expectTypeOf, it } from 'vitest';
import type { AudioSamples, ImageValue, OcrResult, PipelineContext, ScoredIndex, Tensor, TensorMap, VadResult } from '@switchyard/core';
import { getModel, runModel, type ModelId, type ModelInput, type ModelOutput } from './index.js';

declare const context: PipelineContext;

describe('generated registry types', () => {
  it('knows every model id', () => {
    expectTypeOf<ModelId>().toEqualTypeOf<'paddleocr-v4' | 'silero-vad' | 'xybrid-digits' | 'xybrid-minilm'>();
    // @ts-expect-error not a model in models/
    getModel('no-such-model');
  });

  it('types inputs and outputs per model', () => {
    // Exactly what the first step takes: Tokenize takes one text or a batch; Reshape a tensor, numbers or pixels.
    expectTypeOf<ModelInput<'xybrid-minilm'>>().toEqualTypeOf<string | readonly string[]>();
    expectTypeOf<ModelInput<'xybrid-digits'>>().toEqualTypeOf<
      Tensor | TensorMap | readonly number[] | Float32Array | Uint8Array | Float64Array | Int32Array | BigInt64Array | ImageValue
    >();
    expectTypeOf<ModelInput<'paddleocr-v4'>>().toEqualTypeOf<Uint8Array | { readonly data: Uint8Array }>();
    expectTypeOf<ModelInput<'silero-vad'>>().toEqualTypeOf<Uint8Array | AudioSamples>();
    expectTypeOf<ModelOutput<'paddleocr-v4'>>().toEqualTypeOf<OcrResult>();
    expectTypeOf<ModelOutput<'silero-vad'>>().toEqualTypeOf<VadResult>();
    expectTypeOf<ModelOutput<'xybrid-digits'>>().toEqualTypeOf<ScoredIndex[][]>();
    expectTypeOf<ModelOutput<'xybrid-minilm'>>().toEqualTypeOf<Tensor>();
    expectTypeOf(runModel<'xybrid-minilm'>).toBeCallableWith('xybrid-minilm', 'hello', context);
  });

  it('rejects a wrong input type at compile time', () => {
    // @ts-expect-error a text embedder takes a string, not a number
    void runModel('xybrid-minilm', 42, context);
    // @ts-expect-error an image classifier takes a Tensor, not a string
    void runModel('xybrid-digits', 'seven', context);
  });
});
