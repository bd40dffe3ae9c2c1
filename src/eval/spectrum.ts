// Framing and power spectra for the spectral quality metrics (LSD and MCD in ./metrics.ts): plain
// TypeScript in float64, deliberately free of the WASM kernels so that a metric never depends on the
// code it scores.
//
// Framing: frames of `nFft` samples every `hop` samples starting at sample 0, with no centring; the
// last frame is zero-padded so that every sample is covered; a signal shorter than one frame gives a
// single zero-padded frame.

/** Number of frames: 1 + ceil(max(0, n - nFft) / hop) (the last one zero-padded). */
export function frameCount(n: number, nFft: number, hop: number): number {
  return 1 + Math.ceil(Math.max(0, n - nFft) / hop);
}

/** Copy frame `f` of `x` into `out` (length nFft), zero-padding past the end. Returns true if all zero. */
export function readFrame(x: ArrayLike<number>, f: number, hop: number, out: Float64Array): boolean {
  const start = f * hop;
  let silent = true;
  for (let i = 0; i < out.length; i++) {
    const j = start + i;
    const v = j < x.length ? x[j] : 0;
    out[i] = v;
    if (v !== 0) silent = false;
  }
  return silent;
}

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array; rev: Uint32Array }>();

function fftTables(n: number) {
  let t = twiddleCache.get(n);
  if (!t) {
    const half = n >> 1;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    const bits = Math.log2(n);
    const rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      rev[i] = r;
    }
    t = { cos, sin, rev };
    twiddleCache.set(n, t);
  }
  return t;
}

/**
 * In-place iterative radix-2 decimation-in-time FFT, X_k = sum_n x_n e^{-2 pi i k n / N}.
 * `re` and `im` have the same power-of-two length. Exported for tests.
 */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n || n < 1 || (n & (n - 1)) !== 0) throw new Error(`fft: length must be a power of two, got ${n}`);
  if (n === 1) return;
  const { cos, sin, rev } = fftTables(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = -sin[k * step];
        const a = start + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

const hannCache = new Map<number, Float64Array>();

/** Periodic Hann window w[n] = 0.5 - 0.5 cos(2 pi n / N) (the usual STFT window, scipy's hann(N, sym=False)). */
export function periodicHann(n: number): Float64Array {
  let w = hannCache.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    hannCache.set(n, w);
  }
  return w;
}

/**
 * Power spectrum P_k = |X_k|^2, k = 0..nFft/2, of `frame` (length nFft) times a periodic Hann window,
 * unnormalised (a full-scale sine peaks near (nFft/4)^2), into `out`; `re` and `im` are scratch.
 */
export function powerSpectrum(frame: Float64Array, re: Float64Array, im: Float64Array, out: Float64Array): void {
  const n = frame.length;
  const w = periodicHann(n);
  for (let i = 0; i < n; i++) {
    re[i] = frame[i] * w[i];
    im[i] = 0;
  }
  fftInPlace(re, im);
  for (let k = 0; k < out.length; k++) out[k] = re[k] * re[k] + im[k] * im[k];
}
