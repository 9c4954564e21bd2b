import { describe, expect, it } from 'vitest';
import type { TensorRunner } from '@switchyard/spec';
import { createPipelineFrame } from '../steps/step-kernel.js';
import { createVadWavDecodeStep, vadWavPcm16Samples } from '../steps/vad-wav-decode.js';
import { writeWav } from '../steps/wav-reader.js';
import type * as ModelMetadataTypes from './model-metadata.generated.js';
import { StatefulStreamStage, STREAM_TOTAL_SAMPLES_SLOT } from './stateful-stream-stage.js';

const MODE: ModelMetadataTypes.StatefulStreamMode = { type: 'StatefulStream', sample_rate: 16000, window_size: 4, context_size: 2, state_shape: [1] };
const env = { modelId: 'm', step: 'preprocessing/0 (VadWavDecode)', files: {} };
const PARAMS = { sample_rate: 16000, channels: 1 };

/** A fake graph that records every input buffer bit for bit; output = sum of the input + carried state. */
function recordingRunner(log: Uint8Array[]): TensorRunner {
  return {
    async run(_stage, feeds) {
      const input = feeds.input!.data as Float32Array;
      log.push(new Uint8Array(input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength)));
      const state = (feeds.state!.data as Float32Array)[0]!;
      return { output: { type: 'float32', dims: [1, 1], data: Float32Array.of(input.reduce((a, b) => a + b, 0) + state) }, stateN: { type: 'float32', dims: [1], data: Float32Array.of(state + 1) } };
    },
  };
}

/** A mono PCM16 WAV of raw sample values (writeWav rounds floats, this writes the ints as they are). */
function pcm16Wav(values: readonly number[], options: { rate?: number; extensible?: boolean; declaredBytes?: number; trailing?: number } = {}): Uint8Array {
  const fmt = options.extensible ? 40 : 16;
  const data = values.length * 2 + (options.trailing ?? 0);
  const out = new Uint8Array(20 + fmt + 8 + data);
  const view = new DataView(out.buffer);
  const put = (at: number, s: string) => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  put(0, 'RIFF'); view.setUint32(4, out.length - 8, true); put(8, 'WAVE');
  put(12, 'fmt '); view.setUint32(16, fmt, true);
  view.setUint16(20, options.extensible ? 0xfffe : 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, options.rate ?? 16000, true); view.setUint32(28, (options.rate ?? 16000) * 2, true);
  view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  if (options.extensible) view.setUint16(20 + 24, 1, true);
  put(20 + fmt, 'data'); view.setUint32(24 + fmt, options.declaredBytes ?? data, true);
  values.forEach((v, i) => view.setInt16(28 + fmt + i * 2, v, true));
  return out;
}

/** The same bytes at an odd byte offset of their buffer (no Int16Array view of them is possible). */
function unaligned(bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.length + 1);
  buffer.set(bytes, 1);
  return buffer.subarray(1);
}

async function unfused(input: Uint8Array) {
  const log: Uint8Array[] = [];
  const frame = createPipelineFrame(new AbortController().signal);
  const samples = await createVadWavDecodeStep(PARAMS, env)(input, frame);
  const scores = await new StatefulStreamStage(MODE, 'm', 'vad').runAll(samples, recordingRunner(log), frame.signal, frame);
  return { scores, log, total: frame.slots.get(STREAM_TOTAL_SAMPLES_SLOT) };
}

async function fused(pcm: Int16Array) {
  const log: Uint8Array[] = [];
  const frame = createPipelineFrame(new AbortController().signal);
  const scores = await new StatefulStreamStage(MODE, 'm', 'vad').runAllPcm16(pcm, recordingRunner(log), frame.signal, frame);
  return { scores, log, total: frame.slots.get(STREAM_TOTAL_SAMPLES_SLOT) };
}

describe('VadWavDecode fused into a StatefulStream stage (vadWavPcm16Samples + runAllPcm16)', () => {
  it('feeds the graph the same windows, bit for bit, and gives the same scores and slots as the step then runAll', async () => {
    const extremes = [-32768, 32767, 0, -1, 1, 12345, -12345, 16384, -16384];
    const cases: Uint8Array[] = [
      pcm16Wav(extremes),
      pcm16Wav(extremes, { extensible: true }),
      // A declared data size past the end of the file, and an odd trailing byte: both cut as readWav cuts them.
      pcm16Wav(extremes.slice(0, 5), { declaredBytes: 1000 }),
      pcm16Wav(extremes.slice(0, 6), { trailing: 1 }),
      writeWav(Float32Array.from({ length: 37 }, (_, i) => Math.sin(i / 3) * 0.9), 16000),
    ];
    // Every length around the window size: exact multiples, a partial last window, less than one window.
    for (let n = 1; n <= 13; n++) cases.push(pcm16Wav(Array.from({ length: n }, (_, i) => (i * 7919) % 65536 - 32768)));
    for (const bytes of cases) {
      const pcm = vadWavPcm16Samples(bytes, PARAMS);
      expect(pcm).toBeInstanceOf(Int16Array);
      const [a, b] = [await fused(pcm!), await unfused(bytes)];
      expect(a.log).toEqual(b.log);
      expect(new Uint8Array(a.scores.buffer)).toEqual(new Uint8Array(b.scores.buffer));
      expect(a.total).toBe(b.total);
    }
  });

  it('leaves every other input to the step (other encodings, channels, rates, unaligned bytes, no samples, not a WAV)', async () => {
    const stereo = writeWav(Float32Array.of(0.1, 0.2, 0.3, 0.4), 16000, { channels: 2 });
    const others: unknown[] = [
      writeWav(Float32Array.of(0.1, 0.2), 16000, { encoding: 'float32' }),
      writeWav(Float32Array.of(0.1, 0.2), 16000, { encoding: 'pcm24' }),
      stereo,
      pcm16Wav([1, 2, 3], { rate: 8000 }),
      unaligned(pcm16Wav([1, 2, 3])),
      pcm16Wav([]),
      new Uint8Array([1, 2, 3]),
      pcm16Wav([1, 2, 3]).subarray(0, 30),
      { samples: Float32Array.of(0.5), sampleRate: 16000 },
      Float32Array.of(0.5),
      'not audio',
      null,
    ];
    for (const input of others) expect(vadWavPcm16Samples(input, PARAMS)).toBeUndefined();
    // ...which the step still decodes as before (the fallback is the step itself).
    expect((await unfused(unaligned(pcm16Wav([1, 2, 3])))).log).toEqual((await fused(vadWavPcm16Samples(pcm16Wav([1, 2, 3]), PARAMS)!)).log);
    await expect(unfused(pcm16Wav([1, 2, 3], { rate: 8000 }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('takes the sample rate from the step params (default 16000)', () => {
    const wav = pcm16Wav([1, 2, 3], { rate: 8000 });
    expect(vadWavPcm16Samples(wav, { sample_rate: 8000 })).toEqual(Int16Array.of(1, 2, 3));
    expect(vadWavPcm16Samples(pcm16Wav([1, 2, 3]), {})).toEqual(Int16Array.of(1, 2, 3));
  });
});
