// From a mel spectrogram back to an STFT magnitude, so Griffin-Lim can make audio of it.
//
// Method: non-negative least squares, min ||S F - mel||^2 over S >= 0 for each frame (F the
// filterbank [bins, nMels]), by projected gradient descent with Nesterov/FISTA acceleration (Beck &
// Teboulle 2009, step 1/L, L the largest eigenvalue of F^T F), started from the clamped minimum-norm
// solution max(0, F (F^T F)^-1 mel).
// Why not the clamped pseudo-inverse alone: that is the minimum-norm fit, the smoothest magnitude
// whose mel is exact, but it dips below 0 between band centres where neighbouring bands differ a
// lot (1.7% of the values of a piano excerpt), and clamping those adds energy: its mel is off by
// up to 12 dB in such bands. Used as the starting point it is nearly right everywhere else, so a
// few dozen NNLS iterations fix the clamped bands and leave the smooth shape. (From S = 0 the same
// iteration needs about twice the steps for the same fit, measured on a piano excerpt;
// multiplicative updates cannot move a bin once it reaches 0.)
//
// What it cannot recover: 64 bands carry 64 numbers per frame for 513 bins, so the detail inside a
// band is gone. The bands are 2 to 3 STFT bins wide at the bottom, about 6 (150 Hz) at 1 kHz and
// some 40 (1 kHz) near 10 kHz: where a band is wider than the spacing of a note's harmonics, those
// come back as one smooth bump across the band, and Griffin-Lim then makes a breathy, buzzy sound
// where the original had distinct partials.
import { applyMel, applyMelBackward, type MelFilterbank } from '../losses/mel.js';

/**
 * Enough for every band above -60 dB of the loudest to match within 0.1 dB on music (a piano
 * excerpt: 0.83 dB after 50 iterations, 0.09 after 100, 0.005 after 200); a Setup B loss is in dB.
 */
export const DEFAULT_MEL_INVERSE_ITERS = 100;

/** Magnitude [frames, bins] >= 0 whose mel projection approaches mel [frames, nMels] (the filterbank of src/losses/mel.ts). */
export function melToMagnitude(fb: MelFilterbank, mel: Float32Array, frames: number, o: { iters?: number } = {}): Float32Array {
  const iters = o.iters ?? DEFAULT_MEL_INVERSE_ITERS;
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`melToMagnitude: frames must be a whole number >= 1, got ${frames}`);
  if (mel.length !== frames * fb.nMels) {
    throw new RangeError(`melToMagnitude: mel must hold frames x nMels = ${frames} x ${fb.nMels} = ${frames * fb.nMels} values, got ${mel.length}`);
  }
  if (!Number.isInteger(iters) || iters < 0) throw new RangeError(`melToMagnitude: iters must be a whole number >= 0, got ${iters}`);
  for (let i = 0; i < mel.length; i++) {
    if (!Number.isFinite(mel[i])) throw new RangeError(`melToMagnitude: mel values must be finite, got ${mel[i]} at index ${i}`);
  }
  const gram = gramOf(fb);
  const { nMels, nFreqs } = fb;
  // FISTA's extrapolation weights (t_k - 1) / t_{k+1}, the same for every frame.
  const momentum = new Float64Array(iters);
  for (let k = 0, t = 1; k < iters; k++) {
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    momentum[k] = (t - 1) / tNext;
    t = tNext;
  }
  // Frames are independent problems; solving them one at a time keeps each one's vectors in cache.
  const out = new Float32Array(frames * nFreqs);
  const work = frameWork(nMels, nFreqs);
  for (let f = 0; f < frames; f++) {
    const s = nnlsFrame(fb, gram, mel.subarray(f * nMels, (f + 1) * nMels), momentum, work);
    out.set(s, f * nFreqs);
  }
  return out;
}

interface FrameWork {
  s: Float32Array;
  sNext: Float32Array;
  y: Float32Array;
  grad: Float32Array;
  residual: Float32Array;
  z: Float64Array;
  zf: Float32Array;
}

const frameWork = (nMels: number, nFreqs: number): FrameWork => ({
  s: new Float32Array(nFreqs), sNext: new Float32Array(nFreqs), y: new Float32Array(nFreqs), grad: new Float32Array(nFreqs),
  residual: new Float32Array(nMels), z: new Float64Array(nMels), zf: new Float32Array(nMels),
});

/** One frame's NNLS, started from the clamped minimum-norm solution; returns the estimate (a work buffer). */
function nnlsFrame(fb: MelFilterbank, gram: Gram, mel: Float32Array, momentum: Float64Array, w: FrameWork): Float32Array {
  const { nMels } = fb;
  // S_0 = max(0, F G^-1 mel)
  w.z.set(mel);
  choleskySolve(gram.chol, nMels, w.z);
  w.zf.set(w.z);
  let { s, sNext } = w;
  const { y, grad, residual } = w;
  s.fill(0);
  applyMelBackward(fb, w.zf, s, 1);
  for (let i = 0; i < s.length; i++) s[i] = Math.max(0, s[i]);
  y.set(s);
  const step = 1 / gram.lipschitz;
  for (let k = 0; k < momentum.length; k++) {
    // grad = (Y F - mel) F^T
    applyMel(fb, y, residual, 1);
    for (let m = 0; m < nMels; m++) residual[m] -= mel[m];
    grad.fill(0);
    applyMelBackward(fb, residual, grad, 1);
    const a = momentum[k];
    for (let i = 0; i < y.length; i++) {
      const v = Math.max(0, y[i] - step * grad[i]);
      sNext[i] = v;
      y[i] = v + a * (v - s[i]);
    }
    [s, sNext] = [sNext, s];
  }
  w.s = s;
  w.sNext = sNext;
  return s;
}

interface Gram {
  /** Cholesky factor of G = F^T F [nMels, nMels] (lower, row-major). */
  chol: Float64Array;
  /** The largest eigenvalue of G, with a 1% margin: the gradient step's Lipschitz constant. */
  lipschitz: number;
}

const grams = new WeakMap<MelFilterbank, Gram>();

function gramOf(fb: MelFilterbank): Gram {
  const known = grams.get(fb);
  if (known) return known;
  const n = fb.nMels;
  const g = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      // Filters overlap only with their neighbours, but the product over shared bins is general.
      const lo = Math.max(fb.start[a], fb.start[b]);
      const hi = Math.min(fb.start[a] + fb.weights[a].length, fb.start[b] + fb.weights[b].length);
      let acc = 0;
      for (let k = lo; k < hi; k++) acc += fb.weights[a][k - fb.start[a]] * fb.weights[b][k - fb.start[b]];
      g[a * n + b] = acc;
    }
  }
  const lipschitz = 1.01 * largestEigenvalue(g, n);
  // A ridge of 1e-9 of the largest eigenvalue keeps the factorisation defined if a filter is empty
  // (many bands on a short FFT); for the losses' filterbank (eigenvalues 0.51 to 20.6) it changes nothing.
  for (let i = 0; i < n; i++) g[i * n + i] += 1e-9 * lipschitz;
  const gram = { chol: cholesky(g, n), lipschitz };
  grams.set(fb, gram);
  return gram;
}

/** By power iteration (G is symmetric positive semi-definite). */
function largestEigenvalue(g: Float64Array, n: number): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let lambda = 0;
  for (let it = 0; it < 200; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i] += g[i * n + j] * v[j];
    lambda = Math.hypot(...w);
    if (lambda === 0) return 0;
    v = w.map((x) => x / lambda);
  }
  return lambda;
}

/** Lower-triangular L with L L^T = a (row-major, n x n, positive definite). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * n + j];
    }
  }
  return l;
}

/** z = (L L^T)^-1 z, in place. */
function choleskySolve(l: Float64Array, n: number, z: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = z[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * z[k];
    z[i] = s / l[i * n + i];
  }
}
