import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { vadStepError } from './vad-types.js';
import type { VadSegment } from './vad-types.js';

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

/** Whole-audio segmentation of a per-window probability array. */
export function createVadSegmenterStep(
  params: VadSegmenterParams & { readonly total_samples?: number },
  env: StepEnvironment,
): StepFunction<Float32Array, VadSegment[]> {
  const window = params.window_size ?? 512;
  return (probabilities, frame) => {
    if (!(probabilities instanceof Float32Array)) {
      throw vadStepError(env, 'STEP_FAILED', 'expected a Float32Array of per-window speech probabilities');
    }
    const total = (frame.slots.get('vad.total_samples') as number | undefined) ?? probabilities.length * window;
    const segmenter = new VadSegmenter(params);
    const segments: VadSegment[] = [];
    for (const p of probabilities) segments.push(...segmenter.push(p));
    segments.push(...segmenter.finish(total));
    return segments;
  };
}
