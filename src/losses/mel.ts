// The mel filterbank of reference-model.md: HTK mel scale, triangular filters without area
// normalisation, spanning 0 Hz to fmax. The same as torchaudio.functional.melscale_fbanks(
// n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk"). Stored sparse: each
// filter touches only the bins under its triangle, a few per cent of the full matrix.

export const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
export const melToHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

export interface MelFilterbank {
  nFft: number;
  nMels: number;
  nFreqs: number;
  /** Filter m covers bins [start[m], start[m] + weights[m].length). */
  start: Int32Array;
  weights: Float32Array[];
}

/**
 * The nMels + 2 edges of the filters, in Hz, evenly spaced in mel: filter m rises from edge m to
 * m+1 (its centre, where its weight is 1) and falls to m+2.
 */
export function melEdgesHz(nMels: number, fMin: number, fMax: number): number[] {
  const mMin = hzToMel(fMin);
  const mMax = hzToMel(fMax);
  return Array.from({ length: nMels + 2 }, (_, i) => melToHz(mMin + ((mMax - mMin) * i) / (nMels + 1)));
}

export function melFilterbank(opts: { nFft: number; nMels: number; sampleRate: number; fMin?: number; fMax?: number }): MelFilterbank {
  const { nFft, nMels, sampleRate } = opts;
  const fMin = opts.fMin ?? 0;
  const fMax = opts.fMax ?? sampleRate / 2;
  const nFreqs = nFft / 2 + 1;
  const edges = melEdgesHz(nMels, fMin, fMax);
  const start = new Int32Array(nMels);
  const weights: Float32Array[] = [];
  for (let m = 0; m < nMels; m++) {
    const [lo, mid, hi] = [edges[m], edges[m + 1], edges[m + 2]];
    const row: number[] = [];
    let first = -1;
    for (let k = 0; k < nFreqs; k++) {
      const f = (k * sampleRate) / nFft;
      const w = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      if (w > 0) {
        if (first < 0) first = k;
        // Keep interior zeros so the row stays contiguous.
        while (first + row.length < k) row.push(0);
        row.push(w);
      }
    }
    start[m] = Math.max(0, first);
    weights.push(Float32Array.from(row));
  }
  return { nFft, nMels, nFreqs, start, weights };
}

/** mel[f, m] = sum_k mag[f, k] * fb[k, m]; mag: [frames, nFreqs], mel: [frames, nMels]. */
export function applyMel(fb: MelFilterbank, mag: Float32Array, mel: Float32Array, frames: number): void {
  const { nFreqs, nMels, start, weights } = fb;
  for (let f = 0; f < frames; f++) {
    const row = f * nFreqs;
    for (let m = 0; m < nMels; m++) {
      const w = weights[m];
      const s = row + start[m];
      let acc = 0;
      for (let i = 0; i < w.length; i++) acc += w[i] * mag[s + i];
      mel[f * nMels + m] = acc;
    }
  }
}

/** The transpose: dMag[f, k] += sum_m dMel[f, m] * fb[k, m]. */
export function applyMelBackward(fb: MelFilterbank, dMel: Float32Array, dMag: Float32Array, frames: number): void {
  const { nFreqs, nMels, start, weights } = fb;
  for (let f = 0; f < frames; f++) {
    const row = f * nFreqs;
    for (let m = 0; m < nMels; m++) {
      const g = dMel[f * nMels + m];
      if (g === 0) continue;
      const w = weights[m];
      const s = row + start[m];
      for (let i = 0; i < w.length; i++) dMag[s + i] += g * w[i];
    }
  }
}

/** The dense matrix [nFreqs, nMels], for tests and plots. */
export function denseFilterbank(fb: MelFilterbank): Float64Array {
  const out = new Float64Array(fb.nFreqs * fb.nMels);
  for (let m = 0; m < fb.nMels; m++) fb.weights[m].forEach((w, i) => (out[(fb.start[m] + i) * fb.nMels + m] = w));
  return out;
}
