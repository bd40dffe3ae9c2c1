// Objective quality metrics (src/eval/metrics.ts): hand-computed cases, caps for identical signals,
// silence handling, meyda's shared state, and input errors. Signals are deterministic (seeded PRNG).
import { describe, it, expect } from 'vitest';
import {
  LSD_EPS,
  MCD_NUM_COEFFS,
  METRIC_CAP_DB,
  fftInPlace,
  frameCount,
  logSpectralDistanceDb,
  melCepstralDistortionDb,
  qualityMetrics,
  siSdrDb,
  snrDb,
} from '../../src/eval/metrics.js';
import { meyda, withMeydaMfcc } from '../../src/eval/mfcc.js';
import { dftReal } from '../kernels/reference/fft.js';
import { rng } from '../helpers.js';

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

describe('logSpectralDistanceDb', () => {
  const ref = whiteRef(SR / 2, 5);

  it('counts frames with a zero-padded tail', () => {
    expect(frameCount(100, 1024, 256)).toBe(1);
    expect(frameCount(1024, 1024, 256)).toBe(1);
    expect(frameCount(1025, 1024, 256)).toBe(2);
    expect(frameCount(2048, 1024, 256)).toBe(5);
  });

  it('is 0 for identical signals', () => {
    expect(logSpectralDistanceDb(ref, Float32Array.from(ref))).toBe(0);
  });

  it('is 20 log10(2) ~ 6.02 dB for a broadband signal against itself scaled by 2 or by 0.5', () => {
    expect(LSD_EPS).toBe(1e-10);
    expect(logSpectralDistanceDb(ref, scaled(ref, 2))).toBeCloseTo(DB2, 4);
    expect(logSpectralDistanceDb(ref, scaled(ref, 0.5))).toBeCloseTo(DB2, 4);
    expect(logSpectralDistanceDb(ref, scaled(ref, 2), { nFft: 256, hop: 64 })).toBeCloseTo(DB2, 4);
  });

  it('averages the per-frame distance over frames (not over all bins pooled)', () => {
    // Non-overlapping frames; the first half of the frames scaled by 2: mean of 6.02 and 0 is 3.01,
    // whereas pooling every bin before the square root would give 6.02 / sqrt(2) = 4.26.
    const nFft = 512;
    const x = whiteRef(8 * nFft, 6);
    const y = Float32Array.from(x, (v, i) => (i < 4 * nFft ? 2 * v : v));
    expect(logSpectralDistanceDb(x, y, { nFft, hop: nFft })).toBeCloseTo(DB2 / 2, 4);
  });

  it('skips frames where both signals are silent; a signal shorter than a frame still works', () => {
    const lead = new Float32Array(4096);
    const x = concat(lead, ref);
    expect(logSpectralDistanceDb(x, concat(lead, scaled(ref, 2)))).toBeCloseTo(DB2, 4);
    const short = whiteRef(100, 8);
    expect(logSpectralDistanceDb(short, scaled(short, 2))).toBeCloseTo(DB2, 4);
  });

  it('is 0 for two silent signals, large and finite for silence against a signal', () => {
    const silent = new Float32Array(2048);
    expect(logSpectralDistanceDb(silent, new Float32Array(2048))).toBe(0);
    const d = logSpectralDistanceDb(silent, whiteRef(2048));
    expect(Number.isFinite(d)).toBe(true);
    expect(d).toBeGreaterThan(100); // bins of ~ +15 dB against the eps floor at -100 dB
  });

  it('refuses bad frame settings', () => {
    expect(() => logSpectralDistanceDb(ref, ref, { nFft: 1000 })).toThrow(/nFft/);
    expect(() => logSpectralDistanceDb(ref, ref, { hop: 0 })).toThrow(/hop/);
  });
});

describe('melCepstralDistortionDb', () => {
  const ref = musicRef(SR / 2);

  it('is 0 for identical signals', () => {
    expect(melCepstralDistortionDb(ref, Float32Array.from(ref), SR)).toBe(0);
  });

  it('grows monotonically as noise is added (30, 20, 10 dB SNR)', () => {
    const m30 = melCepstralDistortionDb(ref, withNoise(ref, 30, 31), SR);
    const m20 = melCepstralDistortionDb(ref, withNoise(ref, 20, 31), SR);
    const m10 = melCepstralDistortionDb(ref, withNoise(ref, 10, 31), SR);
    expect(m30).toBeGreaterThan(0);
    expect(m20).toBeGreaterThan(m30);
    expect(m10).toBeGreaterThan(m20);
  });

  it('equals (10 / ln 10) sqrt(2 sum_{k=1..12} dc_k^2) of meyda MFCCs on a single frame', () => {
    const x = ref.subarray(2000, 3024);
    const y = withNoise(Float32Array.from(x), 15, 41);
    const [cx, cy] = withMeydaMfcc({ bufferSize: 1024, sampleRate: SR, numberOfCoefficients: 13, melBands: 26 }, (mfcc) => [
      mfcc(Float32Array.from(x)),
      mfcc(y),
    ]);
    expect(cx).toHaveLength(MCD_NUM_COEFFS);
    let sq = 0;
    for (let k = 1; k < 13; k++) sq += (cx[k] - cy[k]) ** 2;
    const want = (10 / Math.LN10) * Math.sqrt(2 * sq);
    expect(want).toBeGreaterThan(0);
    expect(melCepstralDistortionDb(x, y, SR)).toBeCloseTo(want, 10);
    // c_0 is left out: the c_0-inclusive distance is a different (larger) number.
    expect((10 / Math.LN10) * Math.sqrt(2 * (sq + (cx[0] - cy[0]) ** 2))).toBeGreaterThan(want);
  });

  it('is not gain invariant (meyda compresses band energies with ln(E + 1))', () => {
    expect(melCepstralDistortionDb(ref, scaled(ref, 2), SR)).toBeGreaterThan(0.1);
  });

  it('skips frames where the reference is digital silence', () => {
    // Reference silent for 4096 samples; est has noise only in [0, 2048), i.e. only in frames that lie
    // wholly inside the silent part (starts <= 1792 end by 2816 < 4096): those are skipped, so MCD = 0.
    const x = concat(new Float32Array(4096), ref);
    const y = Float32Array.from(x);
    const noise = gaussian(2048, 51, 0.1);
    for (let i = 0; i < 2048; i++) y[i] = noise[i];
    expect(melCepstralDistortionDb(x, y, SR)).toBe(0);
  });

  it('for an all-silent reference: 0 against silence, positive and finite against a signal', () => {
    const silent = new Float32Array(4096);
    expect(melCepstralDistortionDb(silent, new Float32Array(4096), SR)).toBe(0);
    const d = melCepstralDistortionDb(silent, whiteRef(4096), SR);
    expect(Number.isFinite(d)).toBe(true);
    expect(d).toBeGreaterThan(0);
  });

  it('is deterministic whatever meyda was left holding, and restores meyda afterwards', () => {
    const est = withNoise(ref, 20, 61);
    const first = melCepstralDistortionDb(ref, est, SR);
    // Another user of meyda: a different buffer size and sample rate leave a stale mel bank behind,
    // which meyda itself would reuse (giving NaN) for a 1024-sample frame.
    const before = { bufferSize: meyda.bufferSize, sampleRate: meyda.sampleRate };
    try {
      meyda.bufferSize = 512;
      meyda.sampleRate = 44100;
      const theirs = meyda.extract('mfcc', whiteRef(512, 9)) as number[];
      expect(theirs.every(Number.isFinite)).toBe(true);
      expect(melCepstralDistortionDb(ref, est, SR)).toBe(first);
      expect(meyda.bufferSize).toBe(512);
      expect(meyda.sampleRate).toBe(44100);
      expect(meyda.extract('mfcc', whiteRef(512, 9))).toEqual(theirs);
    } finally {
      Object.assign(meyda, before);
    }
    // The sample rate is really used (a stale bank would ignore it).
    expect(melCepstralDistortionDb(ref, est, 48000)).not.toBe(first);
  });

  it('lets meyda reuse one frame buffer: same frame, same MFCCs; the input is not modified', () => {
    const frame = Float32Array.from(ref.subarray(0, 1024));
    const copy = Float32Array.from(frame);
    const [a, b, c] = withMeydaMfcc({ bufferSize: 1024, sampleRate: SR, numberOfCoefficients: 13 }, (mfcc) => {
      const a = mfcc(frame);
      const b = mfcc(whiteRef(1024, 71));
      return [a, b, mfcc(frame)];
    });
    expect(c).toEqual(a);
    expect(b).not.toEqual(a);
    expect(frame).toEqual(copy);
  });

  it('refuses a bad sample rate or frame size', () => {
    expect(() => melCepstralDistortionDb(ref, ref, 0)).toThrow(/sample rate/);
    expect(() => melCepstralDistortionDb(ref, ref, Number.NaN)).toThrow(/sample rate/);
    expect(() => melCepstralDistortionDb(ref, ref, SR, { nFft: 1000 })).toThrow(/nFft/);
  });
});

describe('qualityMetrics', () => {
  const ref = musicRef(SR / 4);

  it('gives caps and zero distances for identical signals, and serialises to JSON', () => {
    const m = qualityMetrics(ref, Float32Array.from(ref), SR);
    expect(m).toEqual({ snrDb: 100, siSdrDb: 100, lsdDb: 0, mcdDb: 0 });
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('matches the individual functions on a noisy estimate', () => {
    const est = withNoise(ref, 15, 81);
    const m = qualityMetrics(ref, est, SR);
    expect(m.snrDb).toBe(snrDb(ref, est));
    expect(m.siSdrDb).toBe(siSdrDb(ref, est));
    expect(m.lsdDb).toBe(logSpectralDistanceDb(ref, est));
    expect(m.mcdDb).toBe(melCepstralDistortionDb(ref, est, SR));
    expect(Math.abs(m.snrDb - 15)).toBeLessThan(0.01);
    expect(m.lsdDb).toBeGreaterThan(0);
  });
});

describe('input errors', () => {
  const a = whiteRef(2048);
  const fns: [string, (r: Float32Array, e: Float32Array) => unknown][] = [
    ['snrDb', snrDb],
    ['siSdrDb', siSdrDb],
    ['logSpectralDistanceDb', (r, e) => logSpectralDistanceDb(r, e)],
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
