// Student's t distribution: its CDF and its quantile, for the confidence interval of a MUSHRA mean
// (ITU-R BS.1534-3, §9: mean ± t(0.975, n − 1) · s / √n). A table of t would cover only the degrees
// of freedom someone typed in; the distribution itself covers any number of listeners. Pure:
// imports nothing but the shared error.
//
// Method (any statistics text, e.g. Abramowitz & Stegun 26.7.1 and 26.5.27; DLMF 8.17.22):
//   P(T > t) = ½ · I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, with I the regularized incomplete beta function,
//   evaluated by its continued fraction; the quantile inverts it by Newton's method inside a bracket
//   that bisection falls back on, so it always converges. Accuracy: relative error about 1e-13 in
//   the tail probability for ν up to 1000 (lnΓ by Stirling's series after climbing to x ≥ 15),
//   falling to about 1e-9 at ν = 10⁶, where lnΓ of large arguments cancels in B(a, b).

import { StatsError } from './stats-error.js';

const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0. */
function lnGamma(x: number): number {
  // Γ(x) = Γ(x + k) / (x (x+1) … (x+k−1)): climb to z ≥ 15, where the Stirling series below, cut
  // after its z⁻⁹ term, is exact to double precision (the next term is below 3e-16 there).
  let product = 1;
  let z = x;
  while (z < 15) {
    product *= z;
    z += 1;
  }
  const z2 = z * z;
  const series = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * z2)) / z2) / z2) / z2) / z;
  return (z - 0.5) * Math.log(z) - z + HALF_LN_2PI + series - Math.log(product);
}

/**
 * The continued fraction of I_x(a, b) (DLMF 8.17.22), by the modified Lentz method. Converges fast
 * for x < (a + 1)/(a + b + 2); the caller swaps to 1 − I_{1−x}(b, a) otherwise. y = 1 − x is passed
 * in so that a caller who knows it exactly does not lose it to cancellation.
 */
function betaContinuedFraction(x: number, y: number, a: number, b: number): number {
  const TINY = 1e-300;
  const front = Math.exp(a * Math.log(x) + b * Math.log(y) - (lnGamma(a) + lnGamma(b) - lnGamma(a + b))) / a;
  // Evaluate g = 1 + d1/(1 + d2/(1 + …)); then I = front / g.
  let g = 1;
  let c = 1;
  let d = 0;
  for (let m = 1; m < 100_000; m++) {
    const k = m >> 1;
    const coefficient =
      m % 2 === 1 ? (-(a + k) * (a + b + k) * x) / ((a + 2 * k) * (a + 2 * k + 1)) : (k * (b - k) * x) / ((a + 2 * k - 1) * (a + 2 * k));
    d = 1 + coefficient * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + coefficient / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = c * d;
    g *= step;
    if (Math.abs(step - 1) < 1e-16) return front / g;
  }
  // Within its region the fraction needs O(√max(a, b)) terms; reaching here is a bug, not data.
  throw new Error(`incomplete beta: continued fraction did not converge (x = ${x}, a = ${a}, b = ${b})`);
}

/** The regularized incomplete beta function I_x(a, b), given x and y = 1 − x. */
function regularizedBeta(x: number, y: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  return x < (a + 1) / (a + b + 2) ? betaContinuedFraction(x, y, a, b) : 1 - betaContinuedFraction(y, x, b, a);
}

/** P(T > t) for t ≥ 0. */
function upperTail(t: number, df: number): number {
  const ratio = (t * t) / df;
  if (!Number.isFinite(ratio)) return 0;
  // x = ν/(ν+t²) and 1 − x = t²/(ν+t²), each formed directly rather than one from the other.
  return 0.5 * regularizedBeta(1 / (1 + ratio), ratio / (1 + ratio), df / 2, 0.5);
}

/** The density of Student's t with df degrees of freedom at t. */
function density(t: number, df: number): number {
  const lnNorm = lnGamma((df + 1) / 2) - lnGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(lnNorm - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

function checkDf(df: number): void {
  if (!(Number.isFinite(df) && df > 0)) {
    throw new StatsError('BAD_DEGREES_OF_FREEDOM', `degrees of freedom must be a positive finite number, got ${df}`);
  }
}

/** P(T ≤ t) for Student's t with df > 0 degrees of freedom (df need not be whole). */
export function studentTCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new StatsError('NOT_FINITE', 'the t value is NaN');
  return t >= 0 ? 1 - upperTail(t, df) : upperTail(-t, df);
}

/**
 * The p-quantile of Student's t with df > 0 degrees of freedom: the t with P(T ≤ t) = p, for p in
 * (0, 1). t(0.975, n − 1) is the factor of a two-sided 95% confidence interval of a mean of n values.
 */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new StatsError('BAD_PROBABILITY', `a quantile needs a probability strictly between 0 and 1, got ${p}`);
  if (p === 0.5) return 0;
  const sign = p > 0.5 ? 1 : -1;
  const target = p > 0.5 ? 1 - p : p; // the tail beyond |t|, by symmetry
  // Bracket the root: the tail falls from ½ at 0 towards 0, so double hi until it is below target.
  let lo = 0;
  let hi = 1;
  while (upperTail(hi, df) > target) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) return sign * Infinity; // beyond the largest double (df ≪ 1, p ≈ 1)
  }
  // Newton on tail(t) − target (slope −density); a step that leaves the bracket is replaced by
  // bisection, so every iteration at least halves the bracket or converges quadratically.
  let t = (lo + hi) / 2;
  for (let i = 0; i < 400; i++) {
    const excess = upperTail(t, df) - target;
    if (excess === 0) break;
    if (excess > 0) lo = t;
    else hi = t;
    let next = t + excess / density(t, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    const converged = Math.abs(next - t) <= 1e-15 * t;
    t = next;
    if (converged || hi - lo <= 1e-15 * hi) break;
  }
  return sign * t;
}
