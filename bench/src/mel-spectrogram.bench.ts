/**
 * Whisper log-mel features of the same 30 s clip: our MelSpectrogram step (mixed-radix real FFT, sparse slaney
 * filter bank) against @huggingface/transformers' WhisperFeatureExtractor, built from a config object (no hub access).
 */
import { WhisperFeatureExtractor } from '@huggingface/transformers';
import { createMelSpectrogramStep, createPipelineFrame, type AudioSamples, type Tensor } from '@switchyard/core';
import { defineBenchmark } from '../harness.js';

const SAMPLE_RATE = 16000;

/** Deterministic 30 s test signal: a chirp, a steady tone, an AM tone and LCG noise. */
function testSignal(seconds: number): Float32Array {
  const n = seconds * SAMPLE_RATE;
  const out = new Float32Array(n);
  let seed = 2024;
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE;
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out[i] = 0.3 * Math.sin(2 * Math.PI * (100 + 120 * t) * t) + 0.15 * Math.sin(2 * Math.PI * 440 * t)
      + 0.1 * Math.sin(2 * Math.PI * 2500 * t) * Math.sin(2 * Math.PI * 3 * t) + 0.03 * (seed / 1073741824 - 1);
  }
  return out;
}

/** Mean CPU time (user + system) per call: steadier than wall time on a shared, loaded machine. */
async function cpuMsPerCall(fn: () => unknown, calls = 5): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / calls;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

export default defineBenchmark({
  name: 'mel-spectrogram',
  warmup: 3,
  iterations: 20,
  setup: async () => {
    const audio: AudioSamples = { samples: testSignal(30), sampleRate: SAMPLE_RATE };
    const step = createMelSpectrogramStep({ preset: 'whisper' }, { modelId: 'bench', step: 'preprocessing/0 (MelSpectrogram)', files: {} });
    const extractor = new WhisperFeatureExtractor({
      feature_size: 80, sampling_rate: SAMPLE_RATE, hop_length: 160, chunk_length: 30, n_fft: 400,
      n_samples: 480000, nb_max_frames: 3000, padding_value: 0, return_attention_mask: false,
    });
    return { audio, step, extractor, frame: createPipelineFrame(new AbortController().signal), sink: [] as unknown[] };
  },
  cases: {
    switchyard: async (state) => { state.sink[0] = await state.step(state.audio, state.frame); },
    transformersJs: async (state) => { state.sink[0] = await state.extractor(state.audio.samples); },
  },
  baseline: 'transformersJs',
  report: async (state) => {
    const ours = (await state.step(state.audio, state.frame)) as Tensor;
    const { input_features: reference } = await state.extractor(state.audio.samples);
    const diff = maxAbsDiff(ours.data as Float32Array, reference.data as Float32Array);
    const oursCpuMs = await cpuMsPerCall(() => state.step(state.audio, state.frame));
    const referenceCpuMs = await cpuMsPerCall(() => state.extractor(state.audio.samples));
    return {
      cpuMsPerCall: { switchyard: oursCpuMs, transformersJs: referenceCpuMs },
      cpuSpeedup: referenceCpuMs / oursCpuMs,
      audioSeconds: 30,
      dims: ours.dims,
      referenceDims: reference.dims,
      maxAbsDifference: diff,
      withinTolerance: diff <= 1e-4,
    };
  },
});
