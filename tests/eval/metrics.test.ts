// Objective quality metrics (src/eval/metrics.ts, mel-cepstrum.ts): hand-computed cases, the exact
// effect of a gain, caps for identical signals, silence, and input errors. Signals are deterministic
// (seeded PRNG) or a music fixture.
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import {
  MCEP_SETTINGS,
  METRIC_CAP_DB,
  SPECTRAL_FLOOR,
  fftInPlace,
  frameCount,
  logSpectralDistance,
  melCepstralDistortionDb,
  qualityMetrics,
  siSdrDb,
  snrDb,
} from '../../src/eval/metrics.js';
import { logAmplitudeCepstrum, warpCepstrum } from '../../src/eval/mel-cepstrum.js';
import { loadClips } from '../../src/data/load.js';
import { dftReal } from '../kernels/reference/fft.js';
import { MUSIC_DIR, rng } from '../helpers.js';

const SR = 24000;
const DB2 = 20 * Math.log10(2); // 6.0206 dB


/** Gaussian noise (Box-Muller) of standard deviation `sd`, in float64. */
function gaussian(n: number, seed: number, sd = 1): Float64Array {
  const u = rng(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u())) * sd;
    const a = 2 * Math.PI * u();
    x[i] = r * Math.cos(a);
    if (i + 1 < n) x[i + 1] = r * Math.sin(a);
  }
  return x;
}

/** Broadband reference: white Gaussian noise, sd 0.2, as float32. */
function whiteRef(n: number, seed = 1): Float32Array {
  return Float32Array.from(gaussian(n, seed, 0.2));
}

/** Music-like reference: a few decaying harmonic notes plus a little noise, peak < 1. */
function musicRef(n: number): Float32Array {
  const x = new Float32Array(n);
  const hiss = gaussian(n, 7, 0.01);
  const notes = [220, 330, 262, 392];
  const len = Math.floor(n / notes.length);
  for (let i = 0; i < n; i++) {
    const note = Math.min(notes.length - 1, Math.floor(i / len));
    const t = (i - note * len) / SR;
    const f0 = notes[note];
    let v = 0;
    for (let h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    x[i] = 0.3 * Math.exp(-3 * t) * v + hiss[i];
  }
  return x;
}

function energy(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/** est = ref + noise, the noise scaled so that sum ref^2 / sum noise^2 = 10^(snr/10) exactly. */
function withNoise(ref: Float32Array, snr: number, seed: number): Float32Array {
  const noise = gaussian(ref.length, seed);
  const g = Math.sqrt(energy(ref) / (energy(noise) * 10 ** (snr / 10)));
  return Float32Array.from(ref, (r, i) => r + g * noise[i]);
}

function scaled(x: Float32Array, g: number): Float32Array {
  return Float32Array.from(x, (v) => v * g);
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('fftInPlace', () => {
  it('matches the direct DFT (real input, n = 64) and a direct complex DFT (n = 16)', () => {
    const x = gaussian(64, 3);
    const re = Float64Array.from(x);
    const im = new Float64Array(64);
    fftInPlace(re, im);
    const ref = dftReal(x);
    for (let k = 0; k <= 32; k++) {
      expect(re[k]).toBeCloseTo(ref.re[k], 9);
      expect(im[k]).toBeCloseTo(ref.im[k], 9);
    }

    const n = 16;
    const zr = gaussian(n, 4);
    const zi = gaussian(n, 5);
    const yr = Float64Array.from(zr);
    const yi = Float64Array.from(zi);
    fftInPlace(yr, yi);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        sr += zr[t] * Math.cos(a) - zi[t] * Math.sin(a);
        si += zr[t] * Math.sin(a) + zi[t] * Math.cos(a);
      }
      expect(yr[k]).toBeCloseTo(sr, 9);
      expect(yi[k]).toBeCloseTo(si, 9);
    }
  });

  it('refuses a length that is not a power of two', () => {
    expect(() => fftInPlace(new Float64Array(12), new Float64Array(12))).toThrow(/power of two/);
  });
});

describe('snrDb', () => {
  const ref = musicRef(8192);

  it('gives the cap (+100 dB) for identical signals, as a plain JSON number', () => {
    expect(METRIC_CAP_DB).toBe(100);
    expect(snrDb(ref, Float32Array.from(ref))).toBe(100);
    expect(JSON.stringify({ snr: snrDb(ref, ref) })).toBe('{"snr":100}');
  });

  it.each([30, 10, 0, -5])('est = ref + noise at %i dB gives that SNR to 0.01 dB', (snr) => {
    expect(Math.abs(snrDb(ref, withNoise(ref, snr, 11)) - snr)).toBeLessThan(0.01);
  });

  it('est = 0.5 ref gives 20 log10(2); est = -ref gives 10 log10(1/4); est = 0 gives 0 dB', () => {
    expect(snrDb(ref, scaled(ref, 0.5))).toBeCloseTo(DB2, 9);
    expect(snrDb(ref, scaled(ref, -1))).toBeCloseTo(10 * Math.log10(1 / 4), 9);
    expect(snrDb(ref, new Float32Array(ref.length))).toBeCloseTo(0, 12);
  });

  it('handles a silent reference: +100 if est is silent too, -100 otherwise; clamps at -100', () => {
    const silent = new Float32Array(1000);
    expect(snrDb(silent, new Float32Array(1000))).toBe(100);
    expect(snrDb(silent, whiteRef(1000))).toBe(-100);
    // ~ -134 dB before clamping.
    expect(snrDb(scaled(whiteRef(1000, 2), 1e-6), whiteRef(1000, 3))).toBe(-100);
  });
});

describe('siSdrDb', () => {
  const ref = musicRef(8192);

  it('gives the cap for identical signals and for any non-zero gain, either sign (scale invariant)', () => {
    expect(siSdrDb(ref, Float32Array.from(ref))).toBe(100);
    expect(siSdrDb(ref, scaled(ref, 0.5))).toBe(100);
    expect(siSdrDb(ref, scaled(ref, -1))).toBe(100);
    expect(siSdrDb(ref, scaled(ref, 0.3))).toBe(100); // float32 rounding residual is < -100 dB
    // ... where SNR is not scale invariant.
    expect(snrDb(ref, scaled(ref, 0.5))).toBeCloseTo(DB2, 6);
  });

  it('removes the mean first: a DC offset on est does not lower it', () => {
    expect(siSdrDb(ref, Float32Array.from(ref, (v) => v + 0.25))).toBe(100);
    expect(snrDb(ref, Float32Array.from(ref, (v) => v + 0.25))).toBeLessThan(20);
  });

  it('matches a hand computation: ref [1,-1,0,0], est [1,0,-1,0] gives 10 log10(1/3)', () => {
    // alpha = <est,ref>/<ref,ref> = 1/2, target = [.5,-.5,0,0] (|.|^2 = .5), residual [.5,.5,-1,0] (1.5).
    const r = Float32Array.of(1, -1, 0, 0);
    const e = Float32Array.of(1, 0, -1, 0);
    expect(siSdrDb(r, e)).toBeCloseTo(10 * Math.log10(1 / 3), 12);
    // Orthogonal est: alpha = 0, no target at all.
    expect(siSdrDb(r, Float32Array.of(0, 0, 1, -1))).toBe(-100);
  });

  it('est = ref + noise orthogonal to ref at 10 dB gives 10 dB, and the same after scaling est by 3', () => {
    const n = ref.length;
    const mean = (x: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      return s / x.length;
    };
    const mr = mean(ref);
    const r0 = Float64Array.from(ref, (v) => v - mr);
    const noise = gaussian(n, 21);
    const mn = mean(noise);
    for (let i = 0; i < n; i++) noise[i] -= mn;
    let dot = 0;
    for (let i = 0; i < n; i++) dot += noise[i] * r0[i];
    const proj = dot / energy(r0);
    for (let i = 0; i < n; i++) noise[i] -= proj * r0[i];
    const g = Math.sqrt(energy(r0) / (energy(noise) * 10));
    const est = Float32Array.from(ref, (v, i) => v + g * noise[i]);
    expect(Math.abs(siSdrDb(ref, est) - 10)).toBeLessThan(0.01);
    expect(siSdrDb(ref, scaled(est, 3))).toBeCloseTo(siSdrDb(ref, est), 5);
    expect(Math.abs(snrDb(ref, scaled(est, 3)) - 10)).toBeGreaterThan(1);
  });

  it('handles silent and constant signals without NaN', () => {
    const silent = new Float32Array(512);
    expect(siSdrDb(silent, new Float32Array(512))).toBe(100);
    expect(siSdrDb(silent, whiteRef(512))).toBe(-100);
    expect(siSdrDb(new Float32Array(512).fill(0.5), new Float32Array(512).fill(-0.1))).toBe(100); // both constant
    expect(siSdrDb(whiteRef(512), silent)).toBe(-100);
  });
});

describe('logSpectralDistance', () => {
  const ref = whiteRef(SR / 2, 5);

  it('counts frames with a zero-padded tail', () => {
    expect(frameCount(100, 1024, 256)).toBe(1);
    expect(frameCount(1024, 1024, 256)).toBe(1);
    expect(frameCount(1025, 1024, 256)).toBe(2);
    expect(frameCount(2048, 1024, 256)).toBe(5);
  });

  it('is 0 for identical signals', () => {
    expect(logSpectralDistance(ref, Float32Array.from(ref))).toBe(0);
  });

  it('is exactly log10(4) (= 6.02 dB / 10) for a broadband signal against itself scaled by 2 or by 0.5', () => {
    // Scaling by a power of two is exact, so every power bin is exactly 4 times (1/4 of) the other.
    expect(logSpectralDistance(ref, scaled(ref, 2))).toBeCloseTo(Math.log10(4), 12);
    expect(logSpectralDistance(ref, scaled(ref, 0.5))).toBeCloseTo(Math.log10(4), 12);
    expect(logSpectralDistance(ref, scaled(ref, 2), { nFft: 256, hop: 64 })).toBeCloseTo(Math.log10(4), 12);
    expect(10 * logSpectralDistance(ref, scaled(ref, 2))).toBeCloseTo(DB2, 10);
  });

  it('matches a hand computation on one 4-sample frame, floor included', () => {
    // Periodic Hann(4) = [0, 0.5, 1, 0.5]. ref [0, 2, 1, 0] -> windowed [0, 1, 1, 0]: X = [2, -1 - i, 0],
    // P = [4, 2, 0 -> 1e-8]. est [0, 2, 2, 0] -> [0, 1, 2, 0]: X = [3, -2 - i, 1], P = [9, 5, 1].
    const expected = Math.sqrt((Math.log10(4 / 9) ** 2 + Math.log10(2 / 5) ** 2 + Math.log10(1e-8 / 1) ** 2) / 3);
    expect(SPECTRAL_FLOOR).toBe(1e-8);
    expect(logSpectralDistance([0, 2, 1, 0], [0, 2, 2, 0], { nFft: 4, hop: 4 })).toBeCloseTo(expected, 12);
  });

  it('averages the per-frame distance over all frames (not over all bins pooled)', () => {
    // Non-overlapping frames, the first half scaled by 2: the mean of log10 4 and 0, whereas pooling
    // every bin before the square root would give log10(4) / sqrt(2).
    const nFft = 512;
    const x = whiteRef(8 * nFft, 6);
    const y = Float32Array.from(x, (v, i) => (i < 4 * nFft ? 2 * v : v));
    expect(logSpectralDistance(x, y, { nFft, hop: nFft })).toBeCloseTo(Math.log10(4) / 2, 12);
    // A frame of digital silence in both counts, as 0: 4 silent frames added to 8 give 2/3 of the value.
    const lead = new Float32Array(4 * nFft);
    expect(logSpectralDistance(concat(lead, x), concat(lead, y), { nFft, hop: nFft })).toBeCloseTo(Math.log10(4) / 3, 12);
  });

  it('is 0 for two silent signals, large and finite for silence against a signal', () => {
    const silent = new Float32Array(2048);
    expect(logSpectralDistance(silent, new Float32Array(2048))).toBe(0);
    const d = logSpectralDistance(silent, whiteRef(2048));
    expect(Number.isFinite(d)).toBe(true);
    expect(d).toBeGreaterThan(8); // bins near +1.5 (log10 of ~40) against the floor at -8
  });

  it('refuses bad frame settings', () => {
    expect(() => logSpectralDistance(ref, ref, { nFft: 1000 })).toThrow(/nFft/);
    expect(() => logSpectralDistance(ref, ref, { hop: 0 })).toThrow(/hop/);
  });
});

describe('mel-cepstrum', () => {
  it('recovers a known cepstrum from the power spectrum it describes', () => {
    // ln|X_k| = sum_n c_n cos(2 pi k n / N) with c_n = 0 beyond n = 5 < N/2; P = |X|^2.
    const n = 64;
    const c = [0.3, -0.8, 0.25, 0.1, -0.05, 0.02];
    const power = new Float64Array(n / 2 + 1);
    for (let k = 0; k <= n / 2; k++) {
      let l = 0;
      for (let m = 0; m < c.length; m++) l += c[m] * Math.cos((2 * Math.PI * k * m) / n);
      power[k] = Math.exp(2 * l);
    }
    const got = logAmplitudeCepstrum(power, 1e-30, new Float64Array(n), new Float64Array(n));
    expect(got).toHaveLength(n / 2 + 1);
    got.forEach((v, m) => expect(v).toBeCloseTo(c[m] ?? 0, 12));
  });

  it('warps onto the all-pass frequency axis: sum c_n cos(n w) = sum c~_m cos(m b(w))', () => {
    const c = [0.3, 0.5, -0.2, 0.1];
    const alpha = 0.46;
    const warped = warpCepstrum(c, 200, alpha); // alpha^200 ~ 1e-68: truncation is invisible
    for (const w of [0.05, 0.4, 1, 1.7, 2.5, 3.1]) {
      const b = Math.atan2((1 - alpha * alpha) * Math.sin(w), (1 + alpha * alpha) * Math.cos(w) - 2 * alpha);
      let lin = 0;
      c.forEach((v, n) => (lin += v * Math.cos(n * w)));
      let mel = 0;
      warped.forEach((v, m) => (mel += v * Math.cos(m * b)));
      expect(mel).toBeCloseTo(lin, 10);
    }
    // alpha = 0 is the identity, truncated or zero-extended; a constant (c_0) stays in c~_0 only.
    expect(Array.from(warpCepstrum(c, 2, 0))).toEqual([0.3, 0.5, -0.2]);
    expect(Array.from(warpCepstrum([1.5], 3, alpha))).toEqual([1.5, 0, 0, 0]);
    expect(() => warpCepstrum(c, 3, 1)).toThrow(/alpha/);
  });
});

describe('melCepstralDistortionDb', () => {
  const ref = whiteRef(SR / 2, 11);

  it('uses the SPTK / ESPnet settings at 24 kHz: order 34, alpha 0.46', () => {
    expect(MCEP_SETTINGS[SR]).toEqual({ order: 34, alpha: 0.46 });
    const est = withNoise(ref, 10, 12);
    expect(melCepstralDistortionDb(ref, est, SR)).toBe(melCepstralDistortionDb(ref, est, 16000, { order: 34, alpha: 0.46 }));
  });

  it('is 0 for identical signals and for two silent ones', () => {
    expect(melCepstralDistortionDb(ref, Float32Array.from(ref), SR)).toBe(0);
    expect(melCepstralDistortionDb(new Float32Array(3000), new Float32Array(3000), SR)).toBe(0);
  });

  it('ignores a gain, which only moves c~_0 (left out, as Kubichek does)', () => {
    // Wherever no bin is at the floor (one that is does not move with the gain): true of this noise.
    const x = whiteRef(SR / 2, 5);
    expect(melCepstralDistortionDb(x, scaled(x, 2), SR)).toBeLessThan(1e-9);
    expect(melCepstralDistortionDb(x, scaled(x, 0.25), SR, { nFft: 256, hop: 64 })).toBeLessThan(1e-9);
  });

  it('matches a hand computation: alpha 0, order 1, one 4-sample frame', () => {
    // With N = 4, c_1 = (ln P_0 - ln P_2) / 4. P as in the LSD hand case: ref [4, 2, 1e-8], est [9, 5, 1].
    const dc1 = (Math.log(4) - Math.log(1e-8)) / 4 - (Math.log(9) - Math.log(1)) / 4;
    const expected = (10 / Math.LN10) * Math.sqrt(2 * dc1 * dc1);
    expect(melCepstralDistortionDb([0, 2, 1, 0], [0, 2, 2, 0], SR, { nFft: 4, hop: 4, order: 1, alpha: 0 })).toBeCloseTo(expected, 12);
  });

  it('is, with every order kept and alpha 0, the RMS dB difference of the two spectra after removing its mean', () => {
    // Parseval on the circle of N bins (mirrored): var_k(d ln|X_k|) = (1/2) sum_{n=1}^{N/2-1} dc_n^2 + dc_{N/2}^2
    // (the Nyquist quefrency has no mirror image), and 20 log10 = (20 / ln 10) ln. So the RMS dB difference
    // is (10 / ln 10) sqrt(2 sum_{n<N/2} dc_n^2 + 4 dc_{N/2}^2): Kubichek's formula plus the Nyquist term.
    const nFft = 64;
    const x = whiteRef(nFft, 21);
    const y = withNoise(x, 5, 22);
    const dbDiff: number[] = [];
    const w = (i: number) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft);
    const px = dftReal(Array.from(x, (v, i) => v * w(i)));
    const py = dftReal(Array.from(y, (v, i) => v * w(i)));
    for (let k = 0; k < nFft; k++) {
      const kk = k <= nFft / 2 ? k : nFft - k; // the circle: bins mirrored
      const p = (s: { re: Float64Array; im: Float64Array }) => s.re[kk] ** 2 + s.im[kk] ** 2;
      dbDiff.push(10 * Math.log10(p(px)) - 10 * Math.log10(p(py)));
    }
    const mean = dbDiff.reduce((a, b) => a + b, 0) / nFft;
    const rmsDb = Math.sqrt(dbDiff.reduce((a, b) => a + (b - mean) ** 2, 0) / nFft);
    const half = nFft / 2;
    const opts = { nFft, hop: nFft, alpha: 0 };
    // MCD up to order N/2 - 1, and the Nyquist coefficient alone (order N/2 minus order N/2 - 1, squared).
    const k = 10 / Math.LN10;
    const low = melCepstralDistortionDb(x, y, SR, { ...opts, order: half - 1 });
    const all = melCepstralDistortionDb(x, y, SR, { ...opts, order: half });
    const nyquistSq = (all / k) ** 2 / 2 - (low / k) ** 2 / 2; // dc_{N/2}^2
    expect(k * Math.sqrt((low / k) ** 2 + 4 * nyquistSq)).toBeCloseTo(rmsDb, 9);
  });

  it('grows as noise is added (30, 20, 10 dB SNR) on music', () => {
    const x = musicRef(SR / 2);
    const d = [30, 20, 10].map((snr) => melCepstralDistortionDb(x, withNoise(x, snr, 31), SR));
    expect(d[0]).toBeGreaterThan(0);
    expect(d[1]).toBeGreaterThan(d[0]);
    expect(d[2]).toBeGreaterThan(d[1]);
  });

  it('refuses a sample rate without standard settings unless order and alpha are given, and bad settings', () => {
    expect(() => melCepstralDistortionDb(ref, ref, 0)).toThrow(/sample rate/);
    expect(() => melCepstralDistortionDb(ref, ref, Number.NaN)).toThrow(/sample rate/);
    expect(() => melCepstralDistortionDb(ref, ref, 32000)).toThrow(/no standard mel-cepstrum settings for a sample rate of 32000 Hz/);
    expect(melCepstralDistortionDb(ref, ref, 32000, { order: 30, alpha: 0.5 })).toBe(0);
    expect(() => melCepstralDistortionDb(ref, ref, SR, { nFft: 1000 })).toThrow(/nFft/);
    expect(() => melCepstralDistortionDb(ref, ref, SR, { order: 0 })).toThrow(/order/);
    expect(() => melCepstralDistortionDb(ref, ref, SR, { alpha: -1 })).toThrow(/alpha/);
  });
});

describe('LSD and MCD on a real recording', () => {
  it('a gain of 2 gives about log10 4 and about 0 dB; noise raises both, more noise more', async () => {
    const { clips } = await loadClips([path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav')]);
    const x = clips[0].audio.subarray(0, 2 * SR);
    const gain = qualityMetrics(x, scaled(x, 2), SR);
    // Bins at the floor in both do not move, so slightly under log10 4 and slightly over 0.
    expect(gain.lsd).toBeGreaterThan(0.55);
    expect(gain.lsd).toBeLessThanOrEqual(Math.log10(4) + 1e-12);
    expect(gain.mcdDb).toBeLessThan(1);
    const m = [30, 10].map((snr) => qualityMetrics(x, withNoise(x, snr, 41), SR));
    expect(m[0].lsd).toBeGreaterThan(gain.lsd);
    expect(m[1].lsd).toBeGreaterThan(m[0].lsd);
    expect(m[0].mcdDb).toBeGreaterThan(1);
    expect(m[1].mcdDb).toBeGreaterThan(m[0].mcdDb);
  });
});

describe('qualityMetrics', () => {
  const ref = musicRef(SR / 4);

  it('gives caps and zero distances for identical signals, and serialises to JSON', () => {
    const m = qualityMetrics(ref, Float32Array.from(ref), SR);
    expect(m).toEqual({ snrDb: 100, siSdrDb: 100, lsd: 0, mcdDb: 0 });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('matches the individual functions on a noisy estimate', () => {
    const est = withNoise(ref, 15, 81);
    const m = qualityMetrics(ref, est, SR);
    expect(m.snrDb).toBe(snrDb(ref, est));
    expect(m.siSdrDb).toBe(siSdrDb(ref, est));
    expect(m.lsd).toBe(logSpectralDistance(ref, est));
    expect(m.mcdDb).toBe(melCepstralDistortionDb(ref, est, SR));
    expect(Math.abs(m.snrDb - 15)).toBeLessThan(0.01);
    expect(m.lsd).toBeGreaterThan(0);
  });
});

describe('input errors', () => {
  const a = whiteRef(2048);
  const fns: [string, (r: Float32Array, e: Float32Array) => unknown][] = [
    ['snrDb', snrDb],
    ['siSdrDb', siSdrDb],
    ['logSpectralDistance', (r, e) => logSpectralDistance(r, e)],
    ['melCepstralDistortionDb', (r, e) => melCepstralDistortionDb(r, e, SR)],
    ['qualityMetrics', (r, e) => qualityMetrics(r, e, SR)],
  ];

  it.each(fns)('%s refuses mismatched lengths, empty input and non-finite samples', (_name, fn) => {
    expect(() => fn(a, a.subarray(0, 2000))).toThrow(/same length.*2048 and 2000/);
    expect(() => fn(new Float32Array(0), new Float32Array(0))).toThrow(/empty/);
    const nan = Float32Array.from(a);
    nan[17] = Number.NaN;
    expect(() => fn(a, nan)).toThrow(/est has a non-finite sample \(NaN\) at index 17/);
    const inf = Float32Array.from(a);
    inf[3] = Number.POSITIVE_INFINITY;
    expect(() => fn(inf, a)).toThrow(/ref has a non-finite sample \(Infinity\) at index 3/);
  });

  it('qualityMetrics refuses a bad sample rate', () => {
    expect(() => qualityMetrics(a, a, -1)).toThrow(/sample rate/);
  });
});
