// The statistics of the listening tests (issue 9), shared by the engine (which stores results) and
// the renderer (which shows them while the test runs), so a p-value or an interval is computed by
// one piece of code everywhere. Pure: imports nothing outside src/common.
//
// Sources:
// - ABX: the exact one-sided binomial (sign) test; under "the listener is guessing" each answer is
//   right with probability ½, so P(≥ c right of n) = Σ_{k≥c} C(n,k) / 2ⁿ (any statistics text, e.g.
//   Conover, "Practical Nonparametric Statistics", 3rd ed., §3.1 "The binomial test").
// - MUSHRA: ITU-R BS.1534-3 (10/2015), "Method for the subjective assessment of intermediate quality
//   level of audio systems": §9 (mean and 95% confidence interval from Student's t) and §4.1.2
//   (post-screening of assessors on the hidden reference).
// - Agreement of a measure with the ears: C. Spearman (1904), "The proof and measurement of
//   association between two things", Am. J. Psychol. 15(1), 72–101: Pearson's correlation of ranks.

import { StatsError } from './stats-error.js';
import { studentTQuantile } from './student-t.js';

export { StatsError, type StatsErrorCode } from './stats-error.js';
export { studentTCdf, studentTQuantile } from './student-t.js';

/**
 * The most ABX trials the exact p-value is computed for. The exact sum costs O(n²) bit operations
 * (n/2 big-integer terms of up to n bits), about 15 ms at this size; no listener sits 10 000
 * trials, so a larger count is a mistake to report rather than work to do.
 */
export const MAX_ABX_TRIALS = 10_000;

/** The significance level below which an ABX result says the sides can be told apart. */
export const ABX_ALPHA = 0.05;

/** A hidden-reference score below this counts against a MUSHRA listener (BS.1534-3 §4.1.2). */
export const MUSHRA_SCREEN_SCORE = 90;
/** A listener is flagged when more than this percentage of hidden-reference scores is below 90. */
export const MUSHRA_SCREEN_PERCENT = 15;

function checkCounts(correct: number, trials: number): void {
  if (!Number.isInteger(trials) || trials < 1) {
    throw new StatsError('BAD_COUNT', `the number of trials must be a whole number of at least 1, got ${trials}`);
  }
  if (trials > MAX_ABX_TRIALS) {
    throw new StatsError('TOO_MANY_TRIALS', `at most ${MAX_ABX_TRIALS} trials are supported, got ${trials}`);
  }
  if (!Number.isInteger(correct) || correct < 0 || correct > trials) {
    throw new StatsError('BAD_COUNT', `the number correct must be a whole number from 0 to ${trials}, got ${correct}`);
  }
}

const bitLength = (value: bigint): number => value.toString(2).length;

/**
 * num / den as the nearest double, for 0 < num ≤ den of any size. Number(num) / Number(den) would
 * overflow to Infinity / Infinity once den passes 2¹⁰²⁴ and round each side separately before that;
 * instead take a 64-bit quotient (one more rounding than exact, far below a double's precision) and
 * scale it by the power of two it was shifted by.
 */
function ratioToNumber(num: bigint, den: bigint): number {
  const shift = bitLength(den) - bitLength(num) + 64;
  let value = Number((num << BigInt(shift)) / den) * 2 ** -64; // in [0.5, 2)
  let exponent = shift - 64;
  while (exponent > 1000) {
    value *= 2 ** -1000;
    exponent -= 1000;
  }
  return value * 2 ** -exponent;
}

/**
 * Exact one-sided binomial p-value of `correct` or more right out of `trials` by guessing:
 * Σ_{k≥c} C(n,k) / 2ⁿ.
 *
 * Computed with BigInt, exactly, and rounded once to a double at the end. Log-space (lnΓ for each
 * C(n,k)) would carry a relative error of about 1e-13 per term and cancel badly when the sum is near
 * 1; exact integers cost little at these sizes and make p = 2517/65536 come out as that fraction's
 * nearest double. Only the shorter half of the sum is taken: for c ≤ n/2 the complement
 * 2ⁿ − Σ_{k<c} C(n,k), still exact. Refuses (StatsError, a RangeError, code BAD_COUNT or
 * TOO_MANY_TRIALS) counts that are not whole, negative, correct > trials, trials 0 or above
 * MAX_ABX_TRIALS.
 */
export function binomialPValue(correct: number, trials: number): number {
  checkCounts(correct, trials);
  if (correct === 0) return 1;
  const n = BigInt(trials);
  const total = 1n << n;
  let tail = 0n;
  if (2 * correct > trials) {
    // Σ_{k=c}^{n} C(n,k), walking down from C(n,n) = 1 with C(n,k−1) = C(n,k)·k/(n−k+1).
    let term = 1n;
    for (let k = trials; k >= correct; k--) {
      tail += term;
      term = (term * BigInt(k)) / BigInt(trials - k + 1);
    }
  } else {
    // 2ⁿ − Σ_{k=0}^{c−1} C(n,k), walking up from C(n,0) = 1 with C(n,k+1) = C(n,k)·(n−k)/(k+1).
    let below = 0n;
    let term = 1n;
    for (let k = 0; k < correct; k++) {
      below += term;
      term = (term * BigInt(trials - k)) / BigInt(k + 1);
    }
    tail = total - below;
  }
  return ratioToNumber(tail, total);
}

/** The outcome of an ABX test, as stored and shown. */
export interface AbxVerdict {
  correct: number;
  trials: number;
  /** The exact one-sided binomial p-value (binomialPValue). */
  pValue: number;
  /** pValue < alpha (ABX_ALPHA, 0.05, unless the caller chose another): unlikely under guessing. */
  distinguished: boolean;
  /** "You can tell them apart (12 of 16, p = 0.038)" or "No evidence that you hear a difference (9 of 16, p = 0.40)". */
  sentence: string;
}

/**
 * p with two significant figures (trailing zeros kept: 0.40, 1.0), or more when two would put the
 * printed value on the other side of alpha than p itself (p = 0.0496 prints as 0.0496, not 0.050,
 * beside "You can tell them apart"). Below 1e-6 JavaScript's toPrecision writes an exponent (3.1e-9).
 */
export function formatPValue(p: number, alpha: number = ABX_ALPHA): string {
  for (let digits = 2; digits < 17; digits++) {
    const text = p.toPrecision(digits);
    if (Number(text) < alpha === p < alpha) return text;
  }
  return p.toPrecision(17);
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new StatsError('BAD_PROBABILITY', `the significance level must be between 0 and 1, got ${alpha}`);
}

/**
 * The ABX verdict: the sides are told apart when the exact one-sided binomial p-value is below
 * alpha (0.05 unless given). The sentence is the wording, with p rounded to two significant
 * figures (formatPValue: more only when two would misplace p against alpha).
 */
export function abxVerdict(correct: number, trials: number, alpha: number = ABX_ALPHA): AbxVerdict {
  checkAlpha(alpha);
  const pValue = binomialPValue(correct, trials);
  const distinguished = pValue < alpha;
  const counts = `${correct} of ${trials}, p = ${formatPValue(pValue, alpha)}`;
  const sentence = distinguished ? `You can tell them apart (${counts})` : `No evidence that you hear a difference (${counts})`;
  return { correct, trials, pValue, distinguished, sentence };
}

function checkFinite(values: readonly number[], what: string): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new StatsError('NOT_FINITE', `${what}[${bad}] is ${values[bad]}, not a finite number`);
}

/** 1-based ranks, tied values sharing the average of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    // Positions start..end−1 hold ranks start+1..end; their average is (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Spearman's rank correlation (Spearman 1904) of two equal-length series: Pearson's correlation of
 * their ranks, tied values given their average rank (so it stays exact with ties, where the
 * 1 − 6Σd²/(n(n²−1)) shortcut does not). null when n < 2 or either series is constant (no ranking
 * to agree with). StatsError LENGTH_MISMATCH or NOT_FINITE for unequal lengths or NaN/∞.
 */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new StatsError('LENGTH_MISMATCH', `the series differ in length: ${x.length} and ${y.length}`);
  checkFinite(x, 'x');
  checkFinite(y, 'y');
  const n = x.length;
  if (n < 2) return null;
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mean = (n + 1) / 2; // the mean of any average-ranked series of n values
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) ** 2;
    syy += (ry[i] - mean) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  // Ranks are multiples of ½, so the sums are exact and a perfect ranking gives exactly ±1; the
  // clamp only guards the last ulp of the division.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

function checkScores(scores: readonly number[]): void {
  const bad = scores.findIndex((s) => !(Number.isFinite(s) && s >= 0 && s <= 100));
  if (bad >= 0) throw new StatsError('BAD_SCORE', `MUSHRA scores lie in [0, 100]; score ${bad} is ${scores[bad]}`);
}

/**
 * MUSHRA (ITU-R BS.1534-3, §9): one condition's mean score and its 95% confidence interval,
 * mean ± t(0.975, n−1) · s / √n with s the sample standard deviation (n − 1 in the denominator).
 * The interval is null for n < 2 (no spread to estimate). It is not clipped to [0, 100]: it is a
 * statement about the mean, and a display may clip it. Scores outside [0, 100] are refused
 * (StatsError BAD_SCORE), never clamped; no scores at all is NO_SCORES.
 */
export function mushraInterval(scores: readonly number[]): { n: number; mean: number; low: number | null; high: number | null } {
  checkScores(scores);
  const n = scores.length;
  if (n === 0) throw new StatsError('NO_SCORES', 'a MUSHRA mean needs at least one score');
  const mean = scores.reduce((sum, s) => sum + s, 0) / n;
  if (n < 2) return { n, mean, low: null, high: null };
  const variance = scores.reduce((sum, s) => sum + (s - mean) ** 2, 0) / (n - 1);
  const halfWidth = (studentTQuantile(0.975, n - 1) * Math.sqrt(variance)) / Math.sqrt(n);
  return { n, mean, low: mean - halfWidth, high: mean + halfWidth };
}

/**
 * BS.1534-3 post-screening (§4.1.2): a listener is flagged when they rate the hidden reference
 * below 90 in more than 15% of trials (strictly more: 3 of 20 is exactly 15% and passes). No
 * trials means nothing to hold against them: not flagged. Scores outside [0, 100] are refused.
 */
export function mushraPostScreen(hiddenReferenceScores: readonly number[]): { trials: number; below90: number; flagged: boolean } {
  checkScores(hiddenReferenceScores);
  const trials = hiddenReferenceScores.length;
  const below90 = hiddenReferenceScores.filter((s) => s < MUSHRA_SCREEN_SCORE).length;
  // below90 / trials > 15%, in integers, so the boundary case (3 of 20) does not rest on 0.15's inexact binary form.
  return { trials, below90, flagged: below90 * 100 > MUSHRA_SCREEN_PERCENT * trials };
}
