import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError, type ModelPipeline } from '@switchyard/spec';
import type { VadResult, VadSegment } from '../steps/vad-types.js';
import { createInterpretedPipeline } from '../template-executor/template-executor.js';
import { createOrtTensorRunner, VAD_FILES } from '../../test-assets/ort-tensor-runner.js';
import type { OrtTensorRunner } from '../../test-assets/ort-tensor-runner.js';
import { encodeWav } from '../../test-assets/wav-encoder.js';
import { createVadWavDecodeStep } from '../steps/vad-wav-decode.js';
import { createPipelineFrame } from '../steps/step-kernel.js';

// packages/model-silero-vad/model_metadata.json on the one path (VadWavDecode -> StatefulStream stage -> VadSegmenter), whole
// file and streamed. Fixture made by scripts/make-vad-fixture.sh: espeak-ng phrases separated by silences of known length.
const modelDir = new URL('../../../../packages/model-silero-vad/', import.meta.url);
const fixtureDir = new URL('test/', modelDir);
const metadata = JSON.parse(readFileSync(new URL('model_metadata.json', modelDir), 'utf8')) as unknown;
const wav = new Uint8Array(readFileSync(new URL('speech-with-pauses.wav', fixtureDir)));
const truth = JSON.parse(readFileSync(new URL('speech-with-pauses.truth.json', fixtureDir), 'utf8')) as {
  speech: { start_ms: number; end_ms: number }[];
  duration_ms: number;
};
const samples = createVadWavDecodeStep({}, { modelId: 't', step: 'decode', files: {} })(
  wav,
  createPipelineFrame(new AbortController().signal),
) as Float32Array;

let runner: OrtTensorRunner;
const interpreted = createInterpretedPipeline(metadata);
const pipeline = {
  run: (input: unknown, context: Parameters<ModelPipeline['run']>[1]) => interpreted.run(input, context) as Promise<VadResult>,
  openStream: (context: Parameters<ModelPipeline['run']>[1], settings?: Record<string, unknown>) => interpreted.openStream!(context, settings),
};
const signal = new AbortController().signal;
const context = () => ({ runner, signal, files: VAD_FILES });

beforeAll(() => {
  runner = createOrtTensorRunner({ vad: VAD_FILES['silero_vad_v5.onnx'] });
});
afterAll(() => runner.close());

function worstBoundaryError(segments: readonly VadSegment[]): number {
  expect(segments).toHaveLength(truth.speech.length);
  return Math.max(
    ...segments.flatMap((s, i) => [Math.abs(s.start_ms - truth.speech[i]!.start_ms), Math.abs(s.end_ms - truth.speech[i]!.end_ms)]),
  );
}

/** Deterministic chunk sizes from 1 to 3000 samples (a small LCG, so failures reproduce). */
function* chunks(all: Float32Array, seed: number): Generator<Float32Array> {
  let state = seed;
  for (let at = 0; at < all.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % 3000);
    yield all.subarray(at, at + size);
    at += size;
  }
}

describe('silero-vad whole-file run', () => {
  it('finds the three phrases with every boundary within 100 ms of the truth', async () => {
    const result = await pipeline.run(wav, context());
    const worst = worstBoundaryError(result.segments);
    console.log(`VAD whole file: worst boundary error ${worst} ms`, JSON.stringify(result.segments), 'truth', JSON.stringify(truth.speech.map(({ start_ms, end_ms }) => ({ start_ms, end_ms }))));
    expect(worst).toBeLessThanOrEqual(100);
    expect(Math.abs(result.duration_ms - truth.duration_ms)).toBeLessThanOrEqual(1);
  });

  it('takes the Executor audio input shape and gives the same segments', async () => {
    const fromWav = await pipeline.run(wav, context());
    const fromSamples = await pipeline.run({ kind: 'audio', samples, sampleRate: 16000 }, context());
    expect(fromSamples).toEqual(fromWav);
  });
});

describe('silero-vad streaming session', () => {
  it('streams arbitrary chunk sizes to the same segments, emitting partial results before close', async () => {
    const whole = await pipeline.run(wav, context());
    const session = pipeline.openStream(context());
    const streamed: VadSegment[] = [];
    let beforeClose = 0;
    for (const chunk of chunks(samples, 7)) {
      const partial = (await session.push(chunk)) as VadSegment[];
      streamed.push(...partial);
      beforeClose += partial.length;
    }
    streamed.push(...((await session.close()) as VadSegment[]));
    expect(streamed).toEqual(whole.segments);
    // The first two phrases are final (100 ms of silence seen) long before the audio ends.
    expect(beforeClose).toBeGreaterThanOrEqual(2);
    console.log(`VAD stream: ${beforeClose} of ${streamed.length} segments emitted while streaming`);
  });

  it('queues concurrent pushes in order and keeps state between them', async () => {
    const whole = await pipeline.run(wav, context());
    const session = pipeline.openStream(context());
    // Up to 100,000 samples pushed without awaiting (under the 160,000 bound), the rest one by one.
    const head = samples.subarray(0, 100_000);
    const pending = [...chunks(head, 99)].map((chunk) => session.push(chunk));
    const partials = (await Promise.all(pending)).flat();
    for (const chunk of chunks(samples.subarray(100_000), 5)) partials.push(...(await session.push(chunk)));
    const rest = await session.close();
    expect([...partials, ...rest]).toEqual(whole.segments);
  });

  it('bounds the buffer: a push beyond max_buffered_samples is refused with STREAM_OVERFLOW', async () => {
    const session = pipeline.openStream(context());
    const error = await session.push(new Float32Array(200_000)).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'STREAM_OVERFLOW')).toBe(true);
    expect((error as Error).message).toContain('limit 160000');
    // The session still works after a refused push.
    await expect(session.push(new Float32Array(1000))).resolves.toEqual([]);
    await expect(session.close()).resolves.toEqual([]);
  });

  it('refuses pushes after close with STREAM_CLOSED and non-float chunks with INVALID_INPUT', async () => {
    const session = pipeline.openStream(context());
    const wrongType = await session.push(new Int16Array(512) as unknown as Float32Array).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(wrongType, 'INVALID_INPUT')).toBe(true);
    await session.close();
    const error = await session.push(new Float32Array(512)).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'STREAM_CLOSED')).toBe(true);
  });

  it('honours the segmenter settings given when the stream opens', async () => {
    const session = pipeline.openStream(context(), { min_speech_ms: 5000 });
    const out: unknown[] = [];
    for (const chunk of chunks(samples, 3)) out.push(...(await session.push(chunk)));
    out.push(...(await session.close()));
    expect(out).toEqual([]);
  });

  it('refuses a stream setting no step after the stream stage takes, naming it', async () => {
    const session = pipeline.openStream(context(), { min_speech: 5000 });
    const error = await session.push(samples.subarray(0, 512)).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toContain("unknown stream setting 'min_speech' (known: threshold, neg_threshold, min_speech_ms, min_silence_ms, speech_pad_ms)");
  });
});

describe('silero-vad bad input', () => {
  it('refuses non-WAV bytes', async () => {
    const error = await pipeline.run(new TextEncoder().encode('OggS not a wav'), context()).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toContain('not a WAV file');
  });

  it('refuses a 44.1 kHz WAV naming both rates', async () => {
    const error = await pipeline.run(encodeWav(new Float32Array(4410), 44100), context()).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toContain('expected 16000 Hz, found 44100 Hz');
  });

  it('refuses empty audio (WAV and samples)', async () => {
    const fromWav = await pipeline.run(encodeWav(new Float32Array(0), 16000), context()).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(fromWav, 'INVALID_INPUT')).toBe(true);
    const fromSamples = await pipeline.run({ kind: 'audio', samples: new Float32Array(0), sampleRate: 16000 }, context()).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(fromSamples, 'INVALID_INPUT')).toBe(true);
    const wrongRate = await pipeline.run({ kind: 'audio', samples, sampleRate: 8000 }, context()).catch((e: unknown) => e);
    expect((wrongRate as Error).message).toContain('expected 16000 Hz, found 8000 Hz');
  });

  it('stops with ABORTED when the signal fires (whole file and stream)', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = { runner, signal: controller.signal, files: VAD_FILES };
    const whole = await pipeline.run(wav, aborted).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(whole, 'ABORTED')).toBe(true);
    const streamed = await pipeline.openStream(aborted).push(samples.subarray(0, 2048)).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(streamed, 'ABORTED')).toBe(true);
  });

  it('finds no speech in silence', async () => {
    const result = await pipeline.run(encodeWav(new Float32Array(16000), 16000), context());
    expect(result).toEqual({ segments: [], duration_ms: 1000 });
  });
});
