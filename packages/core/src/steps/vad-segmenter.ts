import { STREAM_SLOTS } from './step-kernel.js';
import type { PipelineFrame, StepEnvironment, StepStream, StreamableStep } from './step-kernel.js';
import { vadStepError } from './vad-types.js';
import type { VadResult, VadSegment } from './vad-types.js';

export interface VadSegmenterParams {
  /** Speech starts when a window's probability reaches this. Default 0.5. */
  readonly threshold?: number;
  /** Speech may end when the probability falls below this. Default threshold - 0.15. */
  readonly neg_threshold?: number;
  /** Shorter speech is dropped. Default 250. */
  readonly min_speech_ms?: number;
  /** Silence must last this long to end a segment. Default 100. */
  readonly min_silence_ms?: number;
  /** Each segment is widened by this on both sides (half the gap when two segments are closer). Default 30. */
  readonly speech_pad_ms?: number;
  readonly sample_rate?: number;
  /** Samples per probability. Default 512. */
  readonly window_size?: number;
}

/**
 * Turns per-window speech probabilities into speech segments, incrementally: `push` one probability per window
 * and get the segments that are final by then; `finish` closes the audio. Same rules as Silero's
 * get_speech_timestamps, so whole-file and streamed runs give identical segments.
 */
export class VadSegmenter {
  private readonly threshold: number;
  private readonly negThreshold: number;
  private readonly minSpeech: number;
  private readonly minSilence: number;
  private readonly pad: number;
  private readonly rate: number;
  private readonly window: number;
  private windows = 0;
  private triggered = false;
  private start = 0;
  private tempEnd = 0;
  /** A finished segment (raw samples) whose end padding waits on how soon the next speech starts. */
  private pending: { start: number; end: number } | undefined;
  private previousEnd: number | undefined;

  constructor(params: VadSegmenterParams = {}) {
    this.threshold = params.threshold ?? 0.5;
    this.negThreshold = params.neg_threshold ?? Math.max(this.threshold - 0.15, 0.01);
    this.rate = params.sample_rate ?? 16000;
    this.window = params.window_size ?? 512;
    this.minSpeech = (this.rate * (params.min_speech_ms ?? 250)) / 1000;
    this.minSilence = (this.rate * (params.min_silence_ms ?? 100)) / 1000;
    this.pad = Math.floor((this.rate * (params.speech_pad_ms ?? 30)) / 1000);
  }

  push(probability: number): VadSegment[] {
    const position = this.windows * this.window;
    this.windows++;
    const out: VadSegment[] = [];
    if (probability >= this.threshold && this.tempEnd) this.tempEnd = 0;
    if (probability >= this.threshold && !this.triggered) {
      this.triggered = true;
      this.start = position;
    } else if (probability < this.negThreshold && this.triggered) {
      if (!this.tempEnd) this.tempEnd = position;
      if (position - this.tempEnd >= this.minSilence) {
        if (this.tempEnd - this.start > this.minSpeech) this.closeSegment(this.start, this.tempEnd, out);
        this.triggered = false;
        this.tempEnd = 0;
      }
    }
    // Once the silence after a finished segment spans two pads, no later start can change its end padding.
    const earliestNextStart = this.triggered ? this.start : position + this.window;
    if (this.pending && earliestNextStart - this.pending.end >= 2 * this.pad) {
      out.push(this.emitPending(undefined));
    }
    return out;
  }

  /** Ends the audio after `totalSamples` samples (the real length, not rounded up to the window). */
  finish(totalSamples: number): VadSegment[] {
    const out: VadSegment[] = [];
    if (this.triggered && totalSamples - this.start > this.minSpeech) this.closeSegment(this.start, totalSamples, out);
    this.triggered = false;
    if (this.pending) out.push(this.emitPending(undefined, totalSamples));
    return out;
  }

  private closeSegment(start: number, end: number, out: VadSegment[]): void {
    if (this.pending) out.push(this.emitPending(start));
    this.pending = { start, end };
  }

  private emitPending(nextStart: number | undefined, audioLength = Infinity): VadSegment {
    const { start, end } = this.pending!;
    this.pending = undefined;
    const startPad = this.previousEnd === undefined ? this.pad : Math.min(this.pad, Math.floor((start - this.previousEnd) / 2));
    const gap = nextStart === undefined ? Infinity : nextStart - end;
    const endPad = gap < 2 * this.pad ? Math.floor(gap / 2) : this.pad;
    this.previousEnd = end;
    return {
      start_ms: this.ms(Math.max(0, start - startPad)),
      end_ms: this.ms(Math.min(audioLength, end + endPad)),
    };
  }

  private ms(samples: number): number {
    return Math.round((samples * 1000) / this.rate);
  }
}

type SegmenterSettings = Omit<VadSegmenterParams, 'sample_rate' | 'window_size'>;
const SEGMENTER_SETTINGS = ['threshold', 'neg_threshold', 'min_speech_ms', 'min_silence_ms', 'speech_pad_ms'] as const;

/**
 * Segmentation of per-window speech probabilities: whole (a Float32Array of every window -> `{ segments, duration_ms }`)
 * or streamed after a StatefulStream stage (`openStream`: probabilities in, final segments out). Window size and
 * sample rate default to the stream stage's.
 */
export function createVadSegmenterStep(
  params: VadSegmenterParams,
  env: StepEnvironment,
): StreamableStep<Float32Array, VadResult, Float32Array, VadSegment> {
  const resolved = (frame: PipelineFrame, settings: SegmenterSettings = {}) => {
    const rate = params.sample_rate ?? (frame.slots.get(STREAM_SLOTS.sampleRate) as number | undefined) ?? 16000;
    const window = params.window_size ?? (frame.slots.get(STREAM_SLOTS.windowSize) as number | undefined) ?? 512;
    return { rate, window, segmenter: new VadSegmenter({ ...params, ...settings, sample_rate: rate, window_size: window }) };
  };
  const totalOf = (frame: PipelineFrame, windows: number, window: number) =>
    (frame.slots.get(STREAM_SLOTS.totalSamples) as number | undefined) ?? windows * window;
  const checked = (probabilities: unknown): Float32Array => {
    if (!(probabilities instanceof Float32Array)) {
      throw vadStepError(env, 'STEP_FAILED', 'expected a Float32Array of per-window speech probabilities');
    }
    return probabilities;
  };
  const step = (probabilities: Float32Array, frame: PipelineFrame): VadResult => {
    const scores = checked(probabilities);
    const { rate, window, segmenter } = resolved(frame);
    const segments: VadSegment[] = [];
    for (const p of scores) segments.push(...segmenter.push(p));
    const total = totalOf(frame, scores.length, window);
    segments.push(...segmenter.finish(total));
    return { segments, duration_ms: Math.round((total * 1000) / rate) };
  };
  return Object.assign(step, {
    streamSettings: SEGMENTER_SETTINGS,
    openStream(frame: PipelineFrame, settings: Readonly<Record<string, unknown>> = {}): StepStream<Float32Array, VadSegment> {
      for (const [key, value] of Object.entries(settings)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw vadStepError(env, 'INVALID_INPUT', `stream setting '${key}' must be a finite number`, { field: key, found: typeof value });
        }
      }
      const { window, segmenter } = resolved(frame, settings as SegmenterSettings);
      let windows = 0;
      return {
        push(chunk) {
          const out: VadSegment[] = [];
          for (const p of checked(chunk)) {
            windows++;
            out.push(...segmenter.push(p));
          }
          return out;
        },
        finish(end) {
          return segmenter.finish(totalOf(end, windows, window));
        },
      };
    },
  });
}
