/** Mel scales and the triangular filter bank, as librosa / Hugging Face `mel_filter_bank` build them. */

export type MelScale = 'slaney' | 'htk';

const MIN_LOG_HERTZ = 1000;
const MIN_LOG_MEL = 15;
const LOG_STEP = 27 / Math.log(6.4);

export function hertzToMel(hz: number, scale: MelScale): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HERTZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HERTZ) * LOG_STEP : (3 * hz) / 200;
}

export function melToHertz(mel: number, scale: MelScale): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HERTZ * Math.exp((mel - MIN_LOG_MEL) / LOG_STEP) : (200 * mel) / 3;
}

/** A filter bank stored sparsely: filter i covers bins [start[i], start[i] + weights[i].length). */
export interface MelFilterBank {
  readonly nMels: number;
  readonly nBins: number;
  readonly start: Int32Array;
  readonly weights: readonly Float64Array[];
}

export interface MelFilterBankOptions {
  readonly nMels: number;
  readonly fftSize: number;
  readonly sampleRate: number;
  readonly scale: MelScale;
  /** 'slaney' scales each triangle to constant area (what Whisper uses); null leaves peaks at 1. */
  readonly norm: 'slaney' | null;
  readonly minHz?: number;
  readonly maxHz?: number;
}

export function createMelFilterBank(options: MelFilterBankOptions): MelFilterBank {
  const { nMels, fftSize, sampleRate, scale, norm } = options;
  const nBins = Math.floor(fftSize / 2) + 1;
  const minHz = options.minHz ?? 0;
  const maxHz = options.maxHz ?? sampleRate / 2;
  const melMin = hertzToMel(minHz, scale);
  const melMax = hertzToMel(maxHz, scale);
  const edges = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) edges[i] = melToHertz(melMin + ((melMax - melMin) * i) / (nMels + 1), scale);
  const binHz = Math.floor(sampleRate / 2) / (nBins - 1);
  const start = new Int32Array(nMels);
  const weights: Float64Array[] = [];
  for (let i = 0; i < nMels; i++) {
    const lower = edges[i]!, centre = edges[i + 1]!, upper = edges[i + 2]!;
    const enorm = norm === 'slaney' ? 2 / (upper - lower) : 1;
    const row = new Float64Array(nBins);
    let first = -1, last = -1;
    for (let k = 0; k < nBins; k++) {
      const f = k * binHz;
      const down = (f - lower) / (centre - lower);
      const up = (upper - f) / (upper - centre);
      const w = Math.max(0, Math.min(down, up)) * enorm;
      row[k] = w;
      if (w !== 0) { if (first < 0) first = k; last = k; }
    }
    start[i] = Math.max(first, 0);
    weights.push(first < 0 ? new Float64Array(0) : row.slice(first, last + 1));
  }
  return { nMels, nBins, start, weights };
}

/** Dense [nMels][nBins] copy, for tests and comparisons. */
export function denseMelFilters(bank: MelFilterBank): Float64Array[] {
  return bank.weights.map((w, i) => {
    const row = new Float64Array(bank.nBins);
    row.set(w, bank.start[i]!);
    return row;
  });
}
