import { describe, expect, it } from 'vitest';
import { createPipelineFrame } from './step-kernel.js';
import { createVadSegmenterStep, VadSegmenter } from './vad-segmenter.js';

// 512-sample windows at 16 kHz: one window = 32 ms.
const env = { modelId: 'silero-vad', step: 'postprocessing/0 (VadSegmenter)', files: {} };
const params = { threshold: 0.5, neg_threshold: 0.35, min_speech_ms: 250, min_silence_ms: 100, speech_pad_ms: 30 };

function probabilities(layout: readonly [number, number][]): Float32Array {
  const out: number[] = [];
  for (const [p, windows] of layout) for (let i = 0; i < windows; i++) out.push(p);
  return Float32Array.from(out);
}

describe('VadSegmenter', () => {
  it('finds a segment, pads it by 30 ms and ends it after 100 ms of silence', () => {
    const probs = probabilities([[0.05, 10], [0.9, 20], [0.05, 20]]);
    const step = createVadSegmenterStep(params, env);
    const result = step(probs, createPipelineFrame(new AbortController().signal));
    // speech windows 10..29 -> samples 5120..15360 -> 320..960 ms, padded by 30 ms; 50 windows = 1600 ms.
    expect(result).toEqual({ segments: [{ start_ms: 290, end_ms: 990 }], duration_ms: 1600 });
  });

  it('drops speech shorter than min_speech_ms and bridges silences shorter than min_silence_ms', () => {
    const probs = probabilities([[0.05, 5], [0.9, 5], [0.05, 10], [0.9, 20], [0.1, 2], [0.9, 20], [0.05, 10]]);
    const segmenter = new VadSegmenter(params);
    const segments = [...Array.from(probs).flatMap((p) => segmenter.push(p)), ...segmenter.finish(probs.length * 512)];
    // 5-window (160 ms) blip dropped; the 2-window (64 ms) dip does not split windows 20..61; silence from 62.
    expect(segments).toEqual([{ start_ms: 610, end_ms: 2014 }]);
  });

  it('holds a value between the two thresholds (hysteresis)', () => {
    const probs = probabilities([[0.05, 3], [0.9, 15], [0.4, 15], [0.05, 10]]);
    const segmenter = new VadSegmenter(params);
    const segments = [...Array.from(probs).flatMap((p) => segmenter.push(p)), ...segmenter.finish(probs.length * 512)];
    // 0.4 is below threshold but above neg_threshold: speech continues to window 33.
    expect(segments).toEqual([{ start_ms: 66, end_ms: 1086 }]);
  });

  it('splits the gap when two segments are closer than two pads', () => {
    const segmenter = new VadSegmenter({ ...params, min_silence_ms: 20, speech_pad_ms: 40 });
    const probs = probabilities([[0.9, 10], [0.05, 2], [0.9, 10]]);
    const segments = [...Array.from(probs).flatMap((p) => segmenter.push(p)), ...segmenter.finish(probs.length * 512)];
    // gap 1024 samples (64 ms) < two 40 ms pads: each side takes half (32 ms); the last end stops at the audio end.
    expect(segments).toEqual([
      { start_ms: 0, end_ms: 352 },
      { start_ms: 352, end_ms: 704 },
    ]);
  });

  it('emits a finished segment while streaming, before finish', () => {
    const segmenter = new VadSegmenter(params);
    const emitted: number[] = [];
    probabilities([[0.9, 20], [0.05, 10]]).forEach((p, i) => {
      if (segmenter.push(p).length > 0) emitted.push(i);
    });
    expect(emitted).toEqual([24]);
    expect(segmenter.finish(30 * 512)).toEqual([]);
  });

  it('closes an open segment at the end of the audio', () => {
    const segmenter = new VadSegmenter(params);
    for (const p of probabilities([[0.05, 5], [0.9, 20]])) segmenter.push(p);
    expect(segmenter.finish(25 * 512 - 100)).toEqual([{ start_ms: 130, end_ms: 794 }]);
  });
});
