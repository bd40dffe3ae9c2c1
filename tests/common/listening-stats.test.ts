// The listening-test statistics (issue 9) against exact values: binomial sums as fractions, Student's
// t against its closed forms and printed tables, Spearman with ties worked by hand, and a MUSHRA-style
// interval against a textbook's published one.
import { describe, expect, it } from 'vitest';
import {
  abxVerdict,
  averageRanks,
  binomialPValue,
  formatPValue,
  MAX_ABX_TRIALS,
  mushraInterval,
  mushraPostScreen,
  spearman,
  StatsError,
  studentTCdf,
  studentTQuantile,
} from '../../src/common/listening-stats.js';

/** Calls fn and returns the StatsError it throws (failing if it throws anything else or nothing). */
function refusal(fn: () => unknown): StatsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StatsError);
    expect(error).toBeInstanceOf(RangeError);
    return error as StatsError;
  }
  throw new Error('expected a StatsError, nothing was thrown');
}

describe('binomialPValue (exact one-sided binomial test)', () => {
  it('gives 12 of 16 as exactly 2517/65536 = 0.0384', () => {
    // C(16,12) + C(16,13) + C(16,14) + C(16,15) + C(16,16) = 1820 + 560 + 120 + 16 + 1 = 2517.
    expect(binomialPValue(12, 16)).toBe(2517 / 65536);
    expect(binomialPValue(12, 16).toFixed(4)).toBe('0.0384');
  });

  it('gives 10 of 10 as exactly 1/1024 and 0 right as 1', () => {
    expect(binomialPValue(10, 10)).toBe(1 / 1024);
    expect(binomialPValue(0, 16)).toBe(1);
    expect(binomialPValue(0, 1)).toBe(1);
    expect(binomialPValue(1, 1)).toBe(0.5);
  });

  it('is exact on both sides of n/2 (the direct sum and the complement)', () => {
    // 9 of 16: 11440 + 8008 + 4368 + 1820 + 560 + 120 + 16 + 1 = 26333 (direct sum, c > n/2).
    expect(binomialPValue(9, 16)).toBe(26333 / 65536);
    // 8 of 16: 65536 − (1 + 16 + 120 + 560 + 1820 + 4368 + 8008 + 11440) = 65536 − 26333 = 39203
    // (the complement, c ≤ n/2).
    expect(binomialPValue(8, 16)).toBe(39203 / 65536);
  });

  it('stays exact for 1000 trials', () => {
    // Reference values from Python's fractions.Fraction(Σ comb(1000, k), 2**1000), rounded to double.
    expect(binomialPValue(527, 1000)).toBe(0.04684364573774833);
    expect(binomialPValue(500, 1000)).toBe(0.5126125090891804);
    expect(binomialPValue(1000, 1000)).toBe(2 ** -1000);
    // P(X ≥ c) + P(X ≥ n − c + 1) = 1 by symmetry, for every c.
    for (const c of [1, 250, 480, 501, 999]) expect(binomialPValue(c, 1000) + binomialPValue(1000 - c + 1, 1000)).toBeCloseTo(1, 15);
  });

  it('handles the largest supported test without overflowing', () => {
    const p = binomialPValue(MAX_ABX_TRIALS / 2, MAX_ABX_TRIALS);
    // 1/2 + C(n, n/2)/2^(n+1), with C(n, n/2)/2^n ≈ √(2/(πn)) = 0.0079787 for n = 10 000.
    expect(p).toBeCloseTo(0.5 + 0.0079786 / 2, 6);
    expect(binomialPValue(MAX_ABX_TRIALS, MAX_ABX_TRIALS)).toBe(0); // 2^-10000 is below the smallest double
  });

  it('refuses counts that are not a test', () => {
    expect(refusal(() => binomialPValue(1.5, 16)).code).toBe('BAD_COUNT');
    expect(refusal(() => binomialPValue(-1, 16)).code).toBe('BAD_COUNT');
    expect(refusal(() => binomialPValue(17, 16)).code).toBe('BAD_COUNT');
    expect(refusal(() => binomialPValue(0, 0)).code).toBe('BAD_COUNT');
    expect(refusal(() => binomialPValue(3, 16.5)).code).toBe('BAD_COUNT');
    expect(refusal(() => binomialPValue(Number.NaN, 16)).code).toBe('BAD_COUNT');
    expect(refusal(() => binomialPValue(1, MAX_ABX_TRIALS + 1)).code).toBe('TOO_MANY_TRIALS');
  });
});

describe('abxVerdict', () => {
  it('words the two outcomes exactly as the issue does', () => {
    const told = abxVerdict(12, 16);
    expect(told).toEqual({
      correct: 12,
      trials: 16,
      pValue: 2517 / 65536,
      distinguished: true,
      sentence: 'You can tell them apart (12 of 16, p = 0.038)',
    });
    const notTold = abxVerdict(9, 16);
    expect(notTold.distinguished).toBe(false);
    expect(notTold.sentence).toBe('No evidence that you hear a difference (9 of 16, p = 0.40)');
  });

  it('uses 0.05 unless told otherwise, strictly below', () => {
    expect(abxVerdict(12, 16, 0.01).distinguished).toBe(false); // p = 0.0384
    expect(binomialPValue(13, 16)).toBe(697 / 65536); // 560 + 120 + 16 + 1 = 697: 0.0106, still ≥ 0.01
    expect(abxVerdict(13, 16, 0.01).distinguished).toBe(false);
    expect(binomialPValue(14, 16)).toBe(137 / 65536); // 120 + 16 + 1 = 137: 0.0021
    expect(abxVerdict(14, 16, 0.01).distinguished).toBe(true);
  });

  it('prints more digits only when two would put p on the wrong side of alpha', () => {
    // 101 of 179: p = 0.049916… would print as 0.050 beside "You can tell them apart".
    const close = abxVerdict(101, 179);
    expect(close.distinguished).toBe(true);
    expect(close.sentence).toBe('You can tell them apart (101 of 179, p = 0.0499)');
    // 44 of 73: p = 0.050322… prints as 0.050, which is on its side of the threshold.
    expect(abxVerdict(44, 73).sentence).toBe('No evidence that you hear a difference (44 of 73, p = 0.050)');
    expect(formatPValue(1)).toBe('1.0');
    expect(formatPValue(1 / 1024)).toBe('0.00098');
  });

  it('refuses a significance level outside (0, 1)', () => {
    for (const alpha of [0, 1, -0.1, Number.NaN]) expect(refusal(() => abxVerdict(12, 16, alpha)).code).toBe('BAD_PROBABILITY');
  });
});

describe("Student's t", () => {
  it('matches the printed table of t(0.975, df) to 3 decimals', () => {
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
      [120, 1.98],
    ];
    for (const [df, t] of table) expect(Math.abs(studentTQuantile(0.975, df) - t)).toBeLessThan(0.0005);
  });

  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    // df 1 (Cauchy): F(t) = ½ + atan(t)/π, so t_p = tan(π(p − ½)).
    // df 2: F(t) = ½ + t / (2√(2 + t²)), so t_p = (2p − 1) / √(2p(1 − p)).
    for (const p of [0.6, 0.9, 0.975, 0.995, 0.02]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 10);
    }
    for (const t of [-30, -2, -0.3, 0, 0.7, 4, 50]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
    }
  });

  it('inverts its own CDF, for whole and fractional df, and tends to the normal', () => {
    for (const df of [1, 3, 7.5, 11, 60, 1000])
      for (const p of [0.001, 0.3, 0.5, 0.8, 0.975, 0.9999]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 5); // z(0.975) = 1.959964, + O(1/df)
    expect(studentTQuantile(0.5, 4)).toBe(0);
  });

  it('refuses df ≤ 0 and probabilities outside (0, 1)', () => {
    expect(refusal(() => studentTQuantile(0.975, 0)).code).toBe('BAD_DEGREES_OF_FREEDOM');
    expect(refusal(() => studentTQuantile(0.975, Number.POSITIVE_INFINITY)).code).toBe('BAD_DEGREES_OF_FREEDOM');
    expect(refusal(() => studentTQuantile(1, 5)).code).toBe('BAD_PROBABILITY');
    expect(refusal(() => studentTQuantile(0, 5)).code).toBe('BAD_PROBABILITY');
  });
});

describe('spearman (Spearman 1904)', () => {
  it('ranks ties by their average, as worked by hand', () => {
    const x = [10, 20, 20, 30, 40];
    const y = [3, 1, 4, 4, 9];
    // x ranks: 10→1, the two 20s share (2+3)/2 = 2.5, 30→4, 40→5.
    expect(averageRanks(x)).toEqual([1, 2.5, 2.5, 4, 5]);
    // y ranks: 1→1, 3→2, the two 4s share (3+4)/2 = 3.5, 9→5.
    expect(averageRanks(y)).toEqual([2, 1, 3.5, 3.5, 5]);
    // Deviations from the mean rank 3: dx = [−2, −0.5, −0.5, 1, 2], dy = [−1, −2, 0.5, 0.5, 2].
    // Σ dx·dy = 2 + 1 − 0.25 + 0.5 + 4 = 7.25; Σ dx² = Σ dy² = 4 + 0.25 + 0.25 + 1 + 4 = 9.5.
    // ρ = 7.25 / √(9.5 · 9.5) = 29/38. (The no-ties shortcut 1 − 6Σd²/(n(n²−1)) would give 0.775.)
    expect(spearman(x, y)).toBeCloseTo(29 / 38, 15);
    expect(spearman(y, x)).toBeCloseTo(29 / 38, 15);
  });

  it('gives exactly 1 for a monotone series, −1 reversed, null when constant or too short', () => {
    const loss = [0.31, 0.12, 0.5, 0.07, 0.2];
    const score = loss.map((l) => 100 - 40 * Math.sqrt(l)); // any decreasing function of the loss
    expect(spearman(loss, loss.map((l) => Math.exp(l)))).toBe(1);
    expect(spearman(loss, score)).toBe(-1);
    expect(spearman(loss, [50, 50, 50, 50, 50])).toBeNull();
    expect(spearman([3], [4])).toBeNull();
    expect(spearman([], [])).toBeNull();
  });

  it('refuses unequal lengths and non-finite values', () => {
    expect(refusal(() => spearman([1, 2, 3], [1, 2])).code).toBe('LENGTH_MISMATCH');
    expect(refusal(() => spearman([1, Number.NaN, 3], [1, 2, 3])).code).toBe('NOT_FINITE');
    expect(refusal(() => spearman([1, 2, 3], [1, Number.POSITIVE_INFINITY, 3])).code).toBe('NOT_FINITE');
  });
});

describe('mushraInterval (BS.1534-3 §9)', () => {
  it("matches a textbook's 95% confidence intervals of a mean", () => {
    // Cumming & Calin-Jageman, "Introduction to the New Statistics" (2017), data set Thomason1
    // (12 students' critical-thinking scores), as published by ESCI for R (package esci,
    // tests/testthat/_snaps/estimate_mdiff_paired.md): Pretest mean 11.58333, 95% CI
    // [9.476776, 13.68989]; Posttest mean 13.25, 95% CI [11.410019, 15.08998]. Each is
    // mean ± t(0.975, 11)·s/√12, the computation BS.1534-3 prescribes for a condition's scores.
    const pretest = mushraInterval([13, 12, 12, 9, 14, 17, 14, 9, 6, 7, 11, 15]);
    expect(pretest.n).toBe(12);
    expect(pretest.mean).toBeCloseTo(11.58333, 5);
    expect(pretest.low).toBeCloseTo(9.476776, 5);
    expect(pretest.high).toBeCloseTo(13.68989, 5);
    const posttest = mushraInterval([14, 13, 16, 12, 15, 18, 13, 10, 10, 8, 14, 16]);
    expect(posttest.mean).toBe(13.25);
    expect(posttest.low).toBeCloseTo(11.410019, 5);
    expect(posttest.high).toBeCloseTo(15.08998, 5);
  });

  it('works on the 0–100 scale without clipping the interval', () => {
    // Two scores 90 and 100: mean 95, s = √50, half-width t(0.975, 1)·√50/√2 = 12.706·5 = 63.53.
    const r = mushraInterval([90, 100]);
    expect(r.mean).toBe(95);
    expect(r.high! - r.mean).toBeCloseTo(5 * Math.tan(0.475 * Math.PI), 8);
    expect(r.high!).toBeGreaterThan(100);
  });

  it('has no interval for one score, and refuses none or out-of-range scores', () => {
    expect(mushraInterval([72])).toEqual({ n: 1, mean: 72, low: null, high: null });
    expect(mushraInterval([0, 0, 0])).toEqual({ n: 3, mean: 0, low: 0, high: 0 });
    expect(refusal(() => mushraInterval([])).code).toBe('NO_SCORES');
    expect(refusal(() => mushraInterval([50, 101])).code).toBe('BAD_SCORE');
    expect(refusal(() => mushraInterval([-0.5, 50])).code).toBe('BAD_SCORE');
    expect(refusal(() => mushraInterval([50, Number.NaN])).code).toBe('BAD_SCORE');
  });
});

describe('mushraPostScreen (BS.1534-3 §4.1.2)', () => {
  const ratings = (below: number, total: number) => Array.from({ length: total }, (_, i) => (i < below ? 85 : 100));

  it('flags a listener only for more than 15% of hidden-reference ratings below 90', () => {
    expect(mushraPostScreen(ratings(3, 20))).toEqual({ trials: 20, below90: 3, flagged: false }); // exactly 15%
    expect(mushraPostScreen(ratings(4, 20))).toEqual({ trials: 20, below90: 4, flagged: true });
    expect(mushraPostScreen(ratings(1, 6))).toEqual({ trials: 6, below90: 1, flagged: true }); // 16.7%
    expect(mushraPostScreen(ratings(1, 7))).toEqual({ trials: 7, below90: 1, flagged: false }); // 14.3%
  });

  it('counts 90 itself as passing, and no trials as nothing to flag', () => {
    expect(mushraPostScreen([90, 90, 89.9])).toEqual({ trials: 3, below90: 1, flagged: true });
    expect(mushraPostScreen([90, 90, 90])).toEqual({ trials: 3, below90: 0, flagged: false });
    expect(mushraPostScreen([])).toEqual({ trials: 0, below90: 0, flagged: false });
    expect(refusal(() => mushraPostScreen([100, 120])).code).toBe('BAD_SCORE');
  });
});
