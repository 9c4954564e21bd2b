import { describe, expect, it } from 'vitest';
import type { TensorRunner } from '@switchyard/spec';
import { createPipelineFrame } from '../steps/step-kernel.js';
import { createVadSegmenterStep } from '../steps/vad-segmenter.js';
import type * as ModelMetadataTypes from './model-metadata.generated.js';
import { StatefulStreamStage, STREAM_TOTAL_SAMPLES_SLOT } from './stateful-stream-stage.js';

const MODE: ModelMetadataTypes.StatefulStreamMode = { type: 'StatefulStream', sample_rate: 16000, window_size: 4, context_size: 2, state_shape: [1], max_buffered_samples: 10 };

/** A fake graph: output = mean of the window (context included) + carried state; next state = state + 1. */
function fakeRunner(log: number[][]): TensorRunner {
  return {
    async run(_stage, feeds) {
      const input = Array.from(feeds.input!.data as Float32Array);
      log.push(input);
      const state = (feeds.state!.data as Float32Array)[0]!;
      const mean = input.reduce((a, b) => a + b, 0) / input.length;
      return { output: { type: 'float32', dims: [1, 1], data: Float32Array.of(mean + state) }, stateN: { type: 'float32', dims: [1], data: Float32Array.of(state + 1) } };
    },
  };
}

describe('StatefulStreamStage', () => {
  it('carries state and context between windows; streaming in odd chunks equals one whole run', async () => {
    const samples = Float32Array.from({ length: 10 }, (_, i) => i + 1);
    const wholeLog: number[][] = [];
    const frame = createPipelineFrame(new AbortController().signal);
    const whole = await new StatefulStreamStage(MODE, 'm', 'vad').runAll(samples, fakeRunner(wholeLog), frame.signal, frame);
    expect(wholeLog).toEqual([
      [0, 0, 1, 2, 3, 4],
      [3, 4, 5, 6, 7, 8],
      [7, 8, 9, 10, 0, 0],
    ]);
    expect(Array.from(whole)).toEqual(Array.from(Float32Array.of(10 / 6, 33 / 6 + 1, 34 / 6 + 2)));
    expect(frame.slots.get(STREAM_TOTAL_SAMPLES_SLOT)).toBe(10);

    const session = new StatefulStreamStage(MODE, 'm', 'vad').open(fakeRunner([]), new AbortController().signal);
    const streamed: number[] = [];
    for (const chunk of [samples.subarray(0, 3), samples.subarray(3, 9), samples.subarray(9)]) for (const r of await session.push(chunk)) streamed.push(...(r as Float32Array));
    for (const r of await session.close()) streamed.push(...(r as Float32Array));
    expect(streamed).toEqual(Array.from(whole));
  });

  it('refuses pushes past max_buffered_samples (STREAM_OVERFLOW) and after close (STREAM_CLOSED)', async () => {
    const session = new StatefulStreamStage(MODE, 'm', 'vad').open(fakeRunner([]), new AbortController().signal);
    await expect(session.push(new Float32Array(11))).rejects.toMatchObject({ code: 'STREAM_OVERFLOW', retriable: true });
    await session.close();
    await expect(session.push(new Float32Array(1))).rejects.toMatchObject({ code: 'STREAM_CLOSED' });
  });

  it('names the model and stage for a non-audio input', async () => {
    const frame = createPipelineFrame(new AbortController().signal);
    await expect(new StatefulStreamStage(MODE, 'm', 'vad').runAll('x' as never, fakeRunner([]), frame.signal, frame)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining("Model 'm' stage 'vad'"),
    });
  });

  it('streams through the steps after it: a VadSegmenter tail yields segments equal to the whole run', async () => {
    const env = { modelId: 'm', step: 'postprocessing/0 (VadSegmenter)', files: {} };
    const segmenter = createVadSegmenterStep({ threshold: 0.5, min_speech_ms: 0, min_silence_ms: 0, speech_pad_ms: 0 }, env);
    const loud = Float32Array.from({ length: 40 }, (_, i) => (i >= 8 && i < 24 ? 1 : 0));
    const frame = createPipelineFrame(new AbortController().signal);
    const stage = new StatefulStreamStage({ ...MODE, max_buffered_samples: 100 }, 'm', 'vad');
    const whole = await segmenter(await stage.runAll(loud, fakeRunner([]), frame.signal, frame), frame);
    const session = stage.open(fakeRunner([]), new AbortController().signal, [segmenter]);
    const streamed = [...(await session.push(loud.subarray(0, 13))), ...(await session.push(loud.subarray(13))), ...(await session.close())];
    expect(whole.segments.length).toBeGreaterThan(0);
    expect(streamed).toEqual(whole.segments);
  });

  it('refuses a tail step without a streaming form (UNSUPPORTED) and unknown settings (INVALID_INPUT)', () => {
    const stage = new StatefulStreamStage(MODE, 'm', 'vad');
    expect(() => stage.open(fakeRunner([]), new AbortController().signal, [(x: unknown) => x])).toThrow(/step 1 after stream stage 'vad' cannot run on a stream/);
    const segmenter = createVadSegmenterStep({}, { modelId: 'm', step: 's', files: {} });
    expect(() => stage.open(fakeRunner([]), new AbortController().signal, [segmenter], { nope: 1 })).toThrow(/unknown stream setting 'nope'/);
  });
});
