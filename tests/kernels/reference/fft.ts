// Plain TypeScript twins of the FFT kernels (src/kernels/assembly/fft.ts): a direct O(N^2) real
// DFT in float64, its transpose written out term by term, and the batched magnitude STFT built on
// them. Used only by tests. Angles are reduced exactly ((k n) mod N) before cos/sin, so the twin is
// accurate to ~1e-15 and any error a test sees is the kernel's.
// Spectrum layout matches the kernels: split planes re[k], im[k], k = 0..N/2.

type Num = ArrayLike<number>;

/** X_k = sum_n x_n e^{-2 pi i k n / N}, k = 0..N/2. */
export function dftReal(x: Num): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const bins = n / 2 + 1;
  const re = new Float64Array(bins);
  const im = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const a = (2 * Math.PI * ((k * t) % n)) / n;
      sr += x[t] * Math.cos(a);
      si -= x[t] * Math.sin(a);
    }
    re[k] = sr;
    im[k] = si;
  }
  return { re, im };
}

/** The transpose of dftReal as a real map R^N -> R^(N+2): dx_n = sum_k gRe_k cos - gIm_k sin. */
export function dftRealAdjoint(gRe: Num, gIm: Num, n: number): Float64Array {
  const dx = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let k = 0; k <= n / 2; k++) {
      const a = (2 * Math.PI * ((k * t) % n)) / n;
      s += gRe[k] * Math.cos(a) - gIm[k] * Math.sin(a);
    }
    dx[t] = s;
  }
  return dx;
}

/** Periodic Hann window (torch.hann_window(n, periodic=True)): 0.5 - 0.5 cos(2 pi i / n). */
export function periodicHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** torch.stft-style reflect padding of each row of x [batch, t] by `pad` on both sides. */
export function reflectPad(x: Num, batch: number, t: number, pad: number): Float64Array {
  const len = t + 2 * pad;
  const out = new Float64Array(batch * len);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < len; j++) {
      let s = j - pad;
      if (s < 0) s = -s;
      if (s > t - 1) s = 2 * (t - 1) - s;
      out[b * len + j] = x[b * t + s];
    }
  }
  return out;
}

/** Transpose of reflectPad: dx [batch, t] += fold(dOut). */
export function reflectPadBackward(dOut: Num, batch: number, t: number, pad: number, dx: Float64Array): void {
  const len = t + 2 * pad;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < len; j++) {
      let s = j - pad;
      if (s < 0) s = -s;
      if (s > t - 1) s = 2 * (t - 1) - s;
      dx[b * t + s] += dOut[b * len + j];
    }
  }
}

export interface StftShape {
  n: number;
  batch: number;
  padLen: number;
  frames: number;
  hop: number;
}

/** Magnitude STFT of padded signals xPad [batch, padLen]; re, im, mag: [batch, frames, n/2 + 1]. */
export function stftMagnitude(xPad: Num, window: Num, s: StftShape): { re: Float64Array; im: Float64Array; mag: Float64Array } {
  const bins = s.n / 2 + 1;
  const rows = s.batch * s.frames;
  const re = new Float64Array(rows * bins);
  const im = new Float64Array(rows * bins);
  const mag = new Float64Array(rows * bins);
  const frame = new Float64Array(s.n);
  for (let b = 0; b < s.batch; b++) {
    for (let f = 0; f < s.frames; f++) {
      const start = b * s.padLen + f * s.hop;
      for (let i = 0; i < s.n; i++) frame[i] = xPad[start + i] * window[i];
      const X = dftReal(frame);
      const row = (b * s.frames + f) * bins;
      for (let k = 0; k < bins; k++) {
        re[row + k] = X.re[k];
        im[row + k] = X.im[k];
        mag[row + k] = Math.hypot(X.re[k], X.im[k]);
      }
    }
  }
  return { re, im, mag };
}

/** dxPad [batch, padLen] += d/dxPad sum(dMag .* |X|), with d|X|/dX = X / |X| and 0 at |X| = 0. */
export function stftMagnitudeBackward(
  xPad: Num, window: Num, dMag: Num, s: StftShape, dxPad: Float64Array,
): void {
  const bins = s.n / 2 + 1;
  const { re, im, mag } = stftMagnitude(xPad, window, s);
  const gr = new Float64Array(bins);
  const gi = new Float64Array(bins);
  for (let b = 0; b < s.batch; b++) {
    for (let f = 0; f < s.frames; f++) {
      const row = (b * s.frames + f) * bins;
      for (let k = 0; k < bins; k++) {
        const m = mag[row + k];
        gr[k] = m > 0 ? (dMag[row + k] * re[row + k]) / m : 0;
        gi[k] = m > 0 ? (dMag[row + k] * im[row + k]) / m : 0;
      }
      const d = dftRealAdjoint(gr, gi, s.n);
      const start = b * s.padLen + f * s.hop;
      for (let i = 0; i < s.n; i++) dxPad[start + i] += d[i] * window[i];
    }
  }
}
