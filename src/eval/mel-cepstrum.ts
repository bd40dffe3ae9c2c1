// The mel-cepstrum of one frame, for the mel-cepstral distortion in ./metrics.ts.
//
// A (real) cepstrum c_0, c_1, ... describes a log-amplitude spectrum as a cosine series,
//   ln|X(w)| = c_0 + sum_{m>=1} c_m cos(m w),       w in [0, pi]
// (the causal convention of SPTK: c_m for m >= 1 is twice the coefficient of the symmetric inverse
// DFT). The mel-cepstrum c~ is the same series on a frequency axis warped by the first-order all-pass
// z~^-1 = (z^-1 - alpha) / (1 - alpha z^-1), which for the right alpha follows the mel scale:
//   ln|X(w)| = c~_0 + sum_{m>=1} c~_m cos(m b(w)),   b(w) = atan2((1 - alpha^2) sin w, (1 + alpha^2) cos w - 2 alpha)
// (Oppenheim & Johnson 1972; Fukada, Tokuda, Kobayashi & Imai, "An adaptive algorithm for
// mel-cepstral analysis of speech", ICASSP 1992). Keeping c~_0..c~_M smooths the spectrum into an
// envelope with a resolution that follows the mel scale.
//
// How c~ is estimated here: the log of the floored periodogram of the frame is turned into its real
// cepstrum by an inverse DFT, then warped by SPTK's frequency transform (`freqt`, the all-pass
// recursion below), as SPTK's/pysptk's sp2mc does. SPTK's `mcep` (used by ESPnet's MCD script) fits
// the same c~ by a different criterion (the unbiased log-spectrum estimate of Fukada et al.), which
// follows spectral peaks a little more closely; distances between two spectra come out close but not
// identical.

import { fftInPlace } from './spectrum.js';

/**
 * Causal real cepstrum of ln|X| from a power spectrum P_k = |X_k|^2, k = 0..N/2 (`power.length` =
 * N/2 + 1, N a power of two), each bin floored at `floor` before the log. Returns c_0..c_{N/2}.
 * `re` and `im` are scratch of length N.
 */
export function logAmplitudeCepstrum(power: Float64Array, floor: number, re: Float64Array, im: Float64Array): Float64Array {
  const half = power.length - 1;
  const n = 2 * half;
  if (re.length !== n || im.length !== n) throw new Error(`cepstrum: scratch must have ${n} samples, got ${re.length} and ${im.length}`);
  // ln P is real and even around 0, so its inverse DFT is the forward DFT divided by N, and real.
  for (let k = 0; k <= half; k++) {
    const l = Math.log(Math.max(power[k], floor));
    re[k] = l;
    if (k > 0 && k < half) re[n - k] = l;
  }
  im.fill(0);
  fftInPlace(re, im);
  // s_m = re[m] / N is the symmetric cepstrum of ln P = 2 ln|X|. The causal cepstrum of ln|X| is
  // s_m for 0 < m < N/2 (the halving and the doubling cancel) and s_m / 2 at m = 0 and m = N/2, the
  // two quefrencies that have no mirror image.
  const c = new Float64Array(half + 1);
  for (let m = 0; m <= half; m++) c[m] = re[m] / n;
  c[0] /= 2;
  c[half] /= 2;
  return c;
}

/**
 * Frequency transform of a cepstrum (SPTK's `freqt`): from `c` (any order) to the cepstrum of the same
 * log spectrum on the all-pass-warped axis, orders 0..order. alpha = 0 returns c truncated (or
 * zero-extended); alpha in (0, 1) warps towards the mel scale. Written from the recursion for the
 * all-pass substitution, applied to c from its highest order down (Horner's scheme).
 */
export function warpCepstrum(c: ArrayLike<number>, order: number, alpha: number): Float64Array {
  if (!Number.isInteger(order) || order < 0) throw new Error(`mel-cepstrum order must be a non-negative integer, got ${order}`);
  if (!(Math.abs(alpha) < 1)) throw new Error(`all-pass constant alpha must be in (-1, 1), got ${alpha}`);
  const beta = 1 - alpha * alpha;
  const g = new Float64Array(order + 1);
  const prev = new Float64Array(order + 1);
  for (let i = c.length - 1; i >= 0; i--) {
    prev.set(g);
    g[0] = c[i] + alpha * prev[0];
    if (order >= 1) g[1] = beta * prev[0] + alpha * prev[1];
    for (let j = 2; j <= order; j++) g[j] = prev[j - 1] + alpha * (prev[j] - g[j - 1]);
  }
  return g;
}

/** Mel-cepstrum c~_0..c~_order of a power spectrum (bins 0..N/2), floored at `floor`. */
export function melCepstrum(
  power: Float64Array,
  order: number,
  alpha: number,
  floor: number,
  re: Float64Array,
  im: Float64Array,
): Float64Array {
  return warpCepstrum(logAmplitudeCepstrum(power, floor, re, im), order, alpha);
}
