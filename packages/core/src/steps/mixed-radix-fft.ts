/**
 * Mixed-radix complex FFT (Stockham autosort, radices 4/2/3/5 plus a generic odd-prime butterfly) and a real FFT
 * built on a half-size complex transform. Exact for any size, e.g. Whisper's 400 = 4·4·5·5; all twiddles are
 * precomputed by the constructor so `transform` only does arithmetic.
 */

interface Stage {
  readonly radix: number;
  /** Sub-transform length n/radix at this stage. */
  readonly m: number;
  /** Stride (product of the radices before this stage). */
  readonly stride: number;
  /** cos/sin of -2π·p·j/n for p < m, 1 <= j < radix, laid out [p*(radix-1) + j-1]. */
  readonly twRe: Float64Array;
  readonly twIm: Float64Array;
}

function factorize(n: number): number[] {
  const factors: number[] = [];
  let rest = n;
  while (rest % 4 === 0) { factors.push(4); rest /= 4; }
  while (rest % 2 === 0) { factors.push(2); rest /= 2; }
  for (let p = 3; rest > 1; p += 2) {
    while (rest % p === 0) { factors.push(p); rest /= p; }
    if (p * p > rest && rest > 1) { factors.push(rest); break; }
  }
  return factors;
}

export class ComplexFft {
  readonly size: number;
  private readonly stages: Stage[] = [];
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;
  /** Generic-radix scratch: inputs and W_r tables per odd prime radix > 5. */
  private readonly genericRe = new Float64Array(0);
  private readonly genericIm = new Float64Array(0);
  private readonly rootTables = new Map<number, { re: Float64Array; im: Float64Array }>();

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`FFT size must be a positive integer, got ${size}`);
    this.size = size;
    this.workRe = new Float64Array(size);
    this.workIm = new Float64Array(size);
    let n = size;
    let stride = 1;
    let maxRadix = 0;
    for (const radix of factorize(size)) {
      const m = n / radix;
      const twRe = new Float64Array(m * (radix - 1));
      const twIm = new Float64Array(m * (radix - 1));
      for (let p = 0; p < m; p++) {
        for (let j = 1; j < radix; j++) {
          const angle = (-2 * Math.PI * p * j) / n;
          twRe[p * (radix - 1) + j - 1] = Math.cos(angle);
          twIm[p * (radix - 1) + j - 1] = Math.sin(angle);
        }
      }
      this.stages.push({ radix, m, stride, twRe, twIm });
      if (radix > 5 && !this.rootTables.has(radix)) {
        const re = new Float64Array(radix);
        const im = new Float64Array(radix);
        for (let k = 0; k < radix; k++) { re[k] = Math.cos((-2 * Math.PI * k) / radix); im[k] = Math.sin((-2 * Math.PI * k) / radix); }
        this.rootTables.set(radix, { re, im });
      }
      maxRadix = Math.max(maxRadix, radix);
      n = m;
      stride *= radix;
    }
    if (maxRadix > 5) { this.genericRe = new Float64Array(maxRadix); this.genericIm = new Float64Array(maxRadix); }
  }

  /** In-place forward DFT of (re, im): X[k] = Σ x[n]·e^{-2πikn/N}. */
  transform(re: Float64Array, im: Float64Array): void {
    let xr = re, xi = im, yr = this.workRe, yi = this.workIm;
    for (const stage of this.stages) {
      this.runStage(stage, xr, xi, yr, yi);
      const tr = xr; xr = yr; yr = tr;
      const ti = xi; xi = yi; yi = ti;
    }
    if (xr !== re) { re.set(xr); im.set(xi); }
  }

  private runStage(stage: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { radix, m, stride: s, twRe, twIm } = stage;
    const sm = s * m;
    if (radix === 4) {
      for (let p = 0; p < m; p++) {
        const t = p * 3;
        const w1r = twRe[t]!, w1i = twIm[t]!, w2r = twRe[t + 1]!, w2i = twIm[t + 1]!, w3r = twRe[t + 2]!, w3i = twIm[t + 2]!;
        for (let q = 0; q < s; q++) {
          const i0 = q + s * p;
          const a0r = xr[i0]!, a0i = xi[i0]!, a1r = xr[i0 + sm]!, a1i = xi[i0 + sm]!;
          const a2r = xr[i0 + 2 * sm]!, a2i = xi[i0 + 2 * sm]!, a3r = xr[i0 + 3 * sm]!, a3i = xi[i0 + 3 * sm]!;
          const s02r = a0r + a2r, s02i = a0i + a2i, d02r = a0r - a2r, d02i = a0i - a2i;
          const s13r = a1r + a3r, s13i = a1i + a3i, d13r = a1r - a3r, d13i = a1i - a3i;
          const o = q + s * 4 * p;
          yr[o] = s02r + s13r; yi[o] = s02i + s13i;
          // y1 = d02 - i·d13, y2 = s02 - s13, y3 = d02 + i·d13, each times its twiddle
          let br = d02r + d13i, bi = d02i - d13r;
          yr[o + s] = br * w1r - bi * w1i; yi[o + s] = br * w1i + bi * w1r;
          br = s02r - s13r; bi = s02i - s13i;
          yr[o + 2 * s] = br * w2r - bi * w2i; yi[o + 2 * s] = br * w2i + bi * w2r;
          br = d02r - d13i; bi = d02i + d13r;
          yr[o + 3 * s] = br * w3r - bi * w3i; yi[o + 3 * s] = br * w3i + bi * w3r;
        }
      }
    } else if (radix === 2) {
      for (let p = 0; p < m; p++) {
        const wr = twRe[p]!, wi = twIm[p]!;
        for (let q = 0; q < s; q++) {
          const i0 = q + s * p;
          const ar = xr[i0]!, ai = xi[i0]!, br = xr[i0 + sm]!, bi = xi[i0 + sm]!;
          const o = q + s * 2 * p;
          yr[o] = ar + br; yi[o] = ai + bi;
          const dr = ar - br, di = ai - bi;
          yr[o + s] = dr * wr - di * wi; yi[o + s] = dr * wi + di * wr;
        }
      }
    } else if (radix === 3) {
      const sin3 = -Math.sqrt(3) / 2;
      for (let p = 0; p < m; p++) {
        const t = p * 2;
        const w1r = twRe[t]!, w1i = twIm[t]!, w2r = twRe[t + 1]!, w2i = twIm[t + 1]!;
        for (let q = 0; q < s; q++) {
          const i0 = q + s * p;
          const a0r = xr[i0]!, a0i = xi[i0]!, a1r = xr[i0 + sm]!, a1i = xi[i0 + sm]!, a2r = xr[i0 + 2 * sm]!, a2i = xi[i0 + 2 * sm]!;
          const tr = a1r + a2r, ti = a1i + a2i;
          const cr = a0r - 0.5 * tr, ci = a0i - 0.5 * ti;
          // i·sin·(a1 - a2)
          const er = -sin3 * (a1i - a2i), ei = sin3 * (a1r - a2r);
          const o = q + s * 3 * p;
          yr[o] = a0r + tr; yi[o] = a0i + ti;
          let br = cr + er, bi = ci + ei;
          yr[o + s] = br * w1r - bi * w1i; yi[o + s] = br * w1i + bi * w1r;
          br = cr - er; bi = ci - ei;
          yr[o + 2 * s] = br * w2r - bi * w2i; yi[o + 2 * s] = br * w2i + bi * w2r;
        }
      }
    } else if (radix === 5) {
      const c1 = Math.cos((2 * Math.PI) / 5), c2 = Math.cos((4 * Math.PI) / 5);
      const s1 = Math.sin((2 * Math.PI) / 5), s2 = Math.sin((4 * Math.PI) / 5);
      for (let p = 0; p < m; p++) {
        const t = p * 4;
        for (let q = 0; q < s; q++) {
          const i0 = q + s * p;
          const a0r = xr[i0]!, a0i = xi[i0]!;
          const a1r = xr[i0 + sm]!, a1i = xi[i0 + sm]!, a2r = xr[i0 + 2 * sm]!, a2i = xi[i0 + 2 * sm]!;
          const a3r = xr[i0 + 3 * sm]!, a3i = xi[i0 + 3 * sm]!, a4r = xr[i0 + 4 * sm]!, a4i = xi[i0 + 4 * sm]!;
          const b1r = a1r + a4r, b1i = a1i + a4i, b2r = a2r + a3r, b2i = a2i + a3i;
          const d1r = a1r - a4r, d1i = a1i - a4i, d2r = a2r - a3r, d2i = a2i - a3i;
          const p1r = a0r + c1 * b1r + c2 * b2r, p1i = a0i + c1 * b1i + c2 * b2i;
          const p2r = a0r + c2 * b1r + c1 * b2r, p2i = a0i + c2 * b1i + c1 * b2i;
          // u = s1·d1 + s2·d2, v = s2·d1 - s1·d2; y1 = p1 - i·u, y4 = p1 + i·u, y2 = p2 - i·v, y3 = p2 + i·v
          const ur = s1 * d1r + s2 * d2r, ui = s1 * d1i + s2 * d2i;
          const vr = s2 * d1r - s1 * d2r, vi = s2 * d1i - s1 * d2i;
          const o = q + s * 5 * p;
          yr[o] = a0r + b1r + b2r; yi[o] = a0i + b1i + b2i;
          let br = p1r + ui, bi = p1i - ur, wr = twRe[t]!, wi = twIm[t]!;
          yr[o + s] = br * wr - bi * wi; yi[o + s] = br * wi + bi * wr;
          br = p2r + vi; bi = p2i - vr; wr = twRe[t + 1]!; wi = twIm[t + 1]!;
          yr[o + 2 * s] = br * wr - bi * wi; yi[o + 2 * s] = br * wi + bi * wr;
          br = p2r - vi; bi = p2i + vr; wr = twRe[t + 2]!; wi = twIm[t + 2]!;
          yr[o + 3 * s] = br * wr - bi * wi; yi[o + 3 * s] = br * wi + bi * wr;
          br = p1r - ui; bi = p1i + ur; wr = twRe[t + 3]!; wi = twIm[t + 3]!;
          yr[o + 4 * s] = br * wr - bi * wi; yi[o + 4 * s] = br * wi + bi * wr;
        }
      }
    } else {
      const roots = this.rootTables.get(radix)!;
      const ar = this.genericRe, ai = this.genericIm;
      for (let p = 0; p < m; p++) {
        for (let q = 0; q < s; q++) {
          const i0 = q + s * p;
          for (let k = 0; k < radix; k++) { ar[k] = xr[i0 + k * sm]!; ai[k] = xi[i0 + k * sm]!; }
          const o = q + s * radix * p;
          for (let j = 0; j < radix; j++) {
            let sr = 0, si = 0;
            for (let k = 0; k < radix; k++) {
              const idx = (j * k) % radix;
              const rr = roots.re[idx]!, ri = roots.im[idx]!;
              sr += ar[k]! * rr - ai[k]! * ri; si += ar[k]! * ri + ai[k]! * rr;
            }
            if (j === 0) { yr[o] = sr; yi[o] = si; continue; }
            const wr = twRe[p * (radix - 1) + j - 1]!, wi = twIm[p * (radix - 1) + j - 1]!;
            yr[o + j * s] = sr * wr - si * wi; yi[o + j * s] = sr * wi + si * wr;
          }
        }
      }
    }
  }
}

/**
 * Real-input FFT returning the one-sided spectrum (bins 0..N/2). Even sizes pack the input into a half-size complex
 * transform and untangle it; odd sizes fall back to a full complex transform.
 */
export class RealFft {
  readonly size: number;
  readonly bins: number;
  private readonly half: ComplexFft | undefined;
  private readonly full: ComplexFft | undefined;
  private readonly zRe: Float64Array;
  private readonly zIm: Float64Array;
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;

  constructor(size: number) {
    this.size = size;
    this.bins = Math.floor(size / 2) + 1;
    const even = size % 2 === 0 && size >= 2;
    const inner = even ? size / 2 : size;
    this.half = even ? new ComplexFft(inner) : undefined;
    this.full = even ? undefined : new ComplexFft(inner);
    this.zRe = new Float64Array(inner);
    this.zIm = new Float64Array(inner);
    this.wRe = new Float64Array(this.bins);
    this.wIm = new Float64Array(this.bins);
    for (let k = 0; k < this.bins; k++) {
      this.wRe[k] = Math.cos((-2 * Math.PI * k) / size);
      this.wIm[k] = Math.sin((-2 * Math.PI * k) / size);
    }
  }

  /** Writes Re/Im of bins 0..N/2 of the DFT of `input` (length N) into outRe/outIm (length >= bins). */
  transform(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const { zRe, zIm } = this;
    if (this.full) {
      for (let i = 0; i < this.size; i++) { zRe[i] = input[i]!; zIm[i] = 0; }
      this.full.transform(zRe, zIm);
      for (let k = 0; k < this.bins; k++) { outRe[k] = zRe[k]!; outIm[k] = zIm[k]!; }
      return;
    }
    const m = this.size / 2;
    for (let i = 0; i < m; i++) { zRe[i] = input[2 * i]!; zIm[i] = input[2 * i + 1]!; }
    this.half!.transform(zRe, zIm);
    for (let k = 0; k < this.bins; k++) {
      const a = k % m, b = (m - k) % m;
      const zr = zRe[a]!, zi = zIm[a]!, cr = zRe[b]!, ci = zIm[b]!;
      const eRe = 0.5 * (zr + cr), eIm = 0.5 * (zi - ci);
      const oRe = 0.5 * (zi + ci), oIm = -0.5 * (zr - cr);
      const wr = this.wRe[k]!, wi = this.wIm[k]!;
      outRe[k] = eRe + wr * oRe - wi * oIm;
      outIm[k] = eIm + wr * oIm + wi * oRe;
    }
  }
}
