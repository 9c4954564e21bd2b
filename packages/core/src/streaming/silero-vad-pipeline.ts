import type { ModelPipeline, PipelineContext } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { createPipelineFrame } from '../steps/step-kernel.js';
import { VadSegmenter } from '../steps/vad-segmenter.js';
import type { VadSegmenterParams } from '../steps/vad-segmenter.js';
import type { VadResult, VadSegment } from '../steps/vad-types.js';
import { createVadWavDecodeStep } from '../steps/vad-wav-decode.js';
import { SampleReframer } from './sample-reframer.js';
import { SILERO_VAD_V5_STREAM_MODE } from './stateful-stream-mode.js';
import type { StatefulStreamMode } from './stateful-stream-mode.js';
import { StatefulStreamRunner } from './stateful-stream-runner.js';
import { VadStreamSession } from './vad-stream-session.js';

const MODEL_ID = 'silero-vad';
const STAGE = 'vad';

/** models/silero-vad/model_metadata.json's segmenter defaults. */
export const SILERO_VAD_SEGMENTER_DEFAULTS: VadSegmenterParams = {
  threshold: 0.5,
  neg_threshold: 0.35,
  min_speech_ms: 250,
  min_silence_ms: 100,
  speech_pad_ms: 30,
};

export interface SileroVadPipelineOptions {
  readonly mode?: StatefulStreamMode;
  readonly segmenter?: VadSegmenterParams;
}

/** WAV bytes, or the Executor's `{ kind: 'audio', samples, sampleRate }` engine input. */
export type SileroVadInput =
  | Uint8Array
  | { readonly kind: 'audio'; readonly samples: Float32Array; readonly sampleRate: number };

export interface SileroVadPipeline extends ModelPipeline<SileroVadInput, VadResult> {
  openStream(context: PipelineContext, options?: VadSegmenterParams): VadStreamSession;
}

/**
 * The silero-vad pipeline: whole-file `run(wavBytes)` and push-chunk `openStream()`. Both drive the same
 * window runner and segmenter, so a streamed file yields the same segments as a whole-file run.
 */
export function createSileroVadPipeline(options: SileroVadPipelineOptions = {}): SileroVadPipeline {
  const mode = options.mode ?? SILERO_VAD_V5_STREAM_MODE;
  const segmenterParams = { ...SILERO_VAD_SEGMENTER_DEFAULTS, ...options.segmenter };
  const decode = createVadWavDecodeStep(
    { sample_rate: mode.sample_rate, channels: 1 },
    { modelId: MODEL_ID, step: 'preprocessing/0 (VadWavDecode)', files: {} },
  );
  return {
    modelId: MODEL_ID,
    async run(input: SileroVadInput, context: PipelineContext): Promise<VadResult> {
      const samples = input instanceof Uint8Array ? await decode(input, createPipelineFrame(context.signal)) : checkSamples(input, mode);
      const model = new StatefulStreamRunner(mode, context.runner, STAGE, MODEL_ID);
      const reframer = new SampleReframer(mode.window_size);
      const segmenter = new VadSegmenter({ ...segmenterParams, sample_rate: mode.sample_rate, window_size: mode.window_size });
      const segments: VadSegment[] = [];
      const windows = reframer.push(samples);
      const last = reframer.flush();
      if (last) windows.push(last);
      for (const window of windows) segments.push(...segmenter.push(await model.step(window, context.signal)));
      segments.push(...segmenter.finish(samples.length));
      return { segments, duration_ms: Math.round((samples.length * 1000) / mode.sample_rate) };
    },
    openStream(context: PipelineContext, streamOptions: VadSegmenterParams = {}): VadStreamSession {
      if (typeof streamOptions !== 'object' || streamOptions === null) {
        throw new SwitchyardError({ code: 'INVALID_INPUT', message: `${MODEL_ID}: stream options must be an object` });
      }
      return new VadStreamSession({
        modelId: MODEL_ID,
        mode,
        runner: context.runner,
        stage: STAGE,
        signal: context.signal,
        segmenter: { ...segmenterParams, ...streamOptions },
      });
    },
  };
}

function checkSamples(input: unknown, mode: StatefulStreamMode): Float32Array {
  const audio = input as { kind?: unknown; samples?: unknown; sampleRate?: unknown } | null;
  if (!audio || audio.kind !== 'audio' || !(audio.samples instanceof Float32Array)) {
    throw new SwitchyardError({
      code: 'INVALID_INPUT',
      message: `${MODEL_ID}: expected WAV bytes or { kind: 'audio', samples: Float32Array, sampleRate }`,
      details: { model: MODEL_ID },
    });
  }
  if (audio.sampleRate !== mode.sample_rate) {
    throw new SwitchyardError({
      code: 'INVALID_INPUT',
      message: `${MODEL_ID}: wrong sample rate: expected ${mode.sample_rate} Hz, found ${String(audio.sampleRate)} Hz`,
      details: { model: MODEL_ID, field: 'sampleRate', expected: mode.sample_rate, found: audio.sampleRate },
    });
  }
  if (audio.samples.length === 0) {
    throw new SwitchyardError({ code: 'INVALID_INPUT', message: `${MODEL_ID}: the audio contains no samples`, details: { model: MODEL_ID } });
  }
  return audio.samples;
}
