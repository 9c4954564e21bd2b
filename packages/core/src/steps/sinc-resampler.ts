/**
 * Band-limited rational resampler: a polyphase windowed-sinc filter (Blackman-windowed, `zeroCrossings` lobes each
 * side, cutoff at the lower Nyquist with a small roll-off). Phases are precomputed for the reduced ratio L/M.
 */
export class SincResampler {
  readonly fromRate: number;
  readonly toRate: number;
  private readonly up: number;
  private readonly down: number;
  private readonly halfTaps: number;
  private readonly phases: Float64Array[];

  constructor(fromRate: number, toRate: number, zeroCrossings = 16, rolloff = 0.945) {
    this.fromRate = fromRate;
    this.toRate = toRate;
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    const cutoff = Math.min(1, toRate / fromRate) * rolloff;
    this.halfTaps = Math.ceil(zeroCrossings / cutoff);
    this.phases = [];
    for (let phase = 0; phase < this.up; phase++) {
      const frac = phase / this.up;
      const taps = new Float64Array(2 * this.halfTaps + 1);
      for (let k = -this.halfTaps; k <= this.halfTaps; k++) {
        const x = k - frac; // distance from the output instant to input sample n0 + k
        const t = x / (this.halfTaps + 1);
        const window = Math.abs(t) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * t) + 0.08 * Math.cos(2 * Math.PI * t);
        const arg = Math.PI * cutoff * x;
        taps[k + this.halfTaps] = cutoff * (arg === 0 ? 1 : Math.sin(arg) / arg) * window;
      }
      this.phases.push(taps);
    }
  }

  resample(input: Float32Array): Float32Array {
    if (this.up === this.down) return input.slice();
    const outLength = Math.floor((input.length * this.up) / this.down);
    const out = new Float32Array(outLength);
    const h = this.halfTaps;
    for (let i = 0; i < outLength; i++) {
      const pos = i * this.down;
      const n0 = Math.floor(pos / this.up);
      const taps = this.phases[pos % this.up]!;
      let acc = 0;
      const lo = Math.max(-h, -n0), hi = Math.min(h, input.length - 1 - n0);
      for (let k = lo; k <= hi; k++) acc += input[n0 + k]! * taps[k + h]!;
      out[i] = acc;
    }
    return out;
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
