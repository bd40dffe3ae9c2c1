// Elementwise kernels and reductions of the WASM core against their float64 twins
// (src/kernels/reference/ops.ts), and every backward against central finite differences.
import { describe, it, expect } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import * as ops from '../../src/kernels/ops.js';
import * as ref from './reference/ops.js';
import { rng } from '../helpers.js';

const core = KernelCore.create();
// Lengths that exercise the vector body, the scalar tail, and both.
const LENGTHS = [1, 3, 4, 7, 64, 1001];
const MAX = 1 << 17;
// Every buffer is allocated once, up front, as the engine does.
const A = core.allocF32(MAX);
const B = core.allocF32(MAX);
const C = core.allocF32(MAX);
const D = core.allocF32(MAX);


/** Fill a core buffer with uniform values in [lo, hi), optionally keeping |v| >= gap; returns the f32 values as f64. */
function fillRandom(ptr: number, n: number, seed: number, lo: number, hi: number, gap = 0): Float64Array {
  const r = rng(seed);
  const v = core.f32(ptr, n);
  for (let i = 0; i < n; i++) {
    let x = lo + (hi - lo) * r();
    while (Math.abs(x) < gap) x = lo + (hi - lo) * r();
    v[i] = x;
  }
  return Float64Array.from(v);
}

function read(ptr: number, n: number): Float64Array {
  return Float64Array.from(core.f32(ptr, n));
}

/** Largest |got - want| / |want| (exact zeros must match to 1e-30). */
function maxRelErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-30);
    if (!(e <= worst)) worst = e; // NaN counts as the worst
  }
  return worst;
}

/**
 * Largest |got - want| / max(|want|, 1): for outputs that are sums of O(1) terms (accumulated
 * gradients, axpy), where a sum that cancels to ~0 has no meaningful relative error of its own.
 */
function maxErrUnitFloor(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

/** Central finite difference of an elementwise f: d/dx_i sum(dy .* f(x)), in float64. */
function fdElementwise(f: (x: number) => number, x: ArrayLike<number>, dy: ArrayLike<number>, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) g[i] = (dy[i] * (f(x[i] + h) - f(x[i] - h))) / (2 * h);
  return g;
}

describe('vector exp', () => {
  it('matches Math.exp to 1e-6 relative over [-20, 10]', () => {
    const n = 30001;
    const x = core.f32(A, n);
    for (let i = 0; i < n; i++) x[i] = -20 + (30 * i) / (n - 1);
    const xs = Float64Array.from(x);
    ops.expF32(core, A, B, n);
    expect(maxRelErr(read(B, n), xs.map(Math.exp))).toBeLessThan(1e-6);
  });
});

describe('ELU', () => {
  it.each(LENGTHS)('forward matches the twin (n = %i)', (n) => {
    const x = fillRandom(A, n, n, -12, 4);
    ops.eluForward(core, A, B, n);
    const want = new Float64Array(n);
    ref.eluForward(x, want);
    expect(maxRelErr(read(B, n), want)).toBeLessThan(1e-5);
  });

  it('keeps relative accuracy for tiny negative inputs (expm1, not exp - 1)', () => {
    const n = 200;
    const x = core.f32(A, n);
    for (let i = 0; i < n; i++) x[i] = -Math.pow(10, -8 + (7 * i) / n);
    const xs = Float64Array.from(x);
    ops.eluForward(core, A, B, n);
    expect(maxRelErr(read(B, n), xs.map(Math.expm1))).toBeLessThan(1e-5);
  });

  // The forward's own expm1 (a base-2 reduction and a degree-5 fit, cheaper than the general one) on
  // both builds, against Math.expm1 over the whole negative range: within 2.5e-7 relative (about 4
  // float32 ulp; measured 1.6e-7 in either build).
  it.each(['simd', 'relaxed'] as const)('is within 2.5e-7 relative of Math.expm1 for every x <= 0 (%s build)', (build) => {
    const k = KernelCore.create(build);
    if (k.build !== build) return; // the runtime does not validate this build: core.test covers the choice
    const n = 60001;
    const px = k.allocF32(n), py = k.allocF32(n);
    const x = k.f32(px, n);
    // A dense sweep of [-90, 0] (past the -87 clamp, where e^x underflows), then magnitudes 1e-12 .. 1.
    for (let i = 0; i < 40000; i++) x[i] = -90 * (i / 40000);
    for (let i = 40000; i < n; i++) x[i] = -Math.pow(10, -12 + (12 * (i - 40000)) / (n - 40001));
    const xs = Float64Array.from(x);
    ops.eluForward(k, px, py, n);
    expect(maxRelErr(Float64Array.from(k.f32(py, n)), xs.map(Math.expm1))).toBeLessThan(2.5e-7);
  });

  it('runs in place and propagates NaN', () => {
    const x = fillRandom(A, 9, 5, -3, 3);
    core.f32(A, 9)[6] = NaN;
    ops.eluForward(core, A, A, 9);
    const got = read(A, 9);
    expect(Number.isNaN(got[6])).toBe(true);
    const want = new Float64Array(9);
    ref.eluForward(x, want);
    want[6] = 0;
    got[6] = 0;
    expect(maxRelErr(got, want)).toBeLessThan(1e-5);
  });

  it.each(LENGTHS)('backward (from y) matches finite differences of the twin (n = %i)', (n) => {
    const x = fillRandom(A, n, 100 + n, -5, 3, 1e-3); // away from the kink at 0
    const dy = fillRandom(C, n, 200 + n, -1, 1);
    const dx0 = fillRandom(D, n, 300 + n, -1, 1); // backward accumulates
    ops.eluForward(core, A, B, n);
    ops.eluBackward(core, B, C, D, n);
    const fd = fdElementwise((v) => (v > 0 ? v : Math.expm1(v)), x, dy);
    const want = dx0.map((v, i) => v + fd[i]);
    expect(maxErrUnitFloor(read(D, n), want)).toBeLessThan(1e-5);
    // and the twin's backward agrees with the same differences
    const y = new Float64Array(n);
    ref.eluForward(x, y);
    const twin = Float64Array.from(dx0);
    ref.eluBackward(y, dy, twin);
    expect(maxErrUnitFloor(twin, want)).toBeLessThan(1e-7);
  });
});

describe('activation backward with overwrite', () => {
  it.each(LENGTHS)('writes dx = dy * f\'(x) without reading it, bit for bit the sum into zeros (n = %i)', (n) => {
    for (const [forward, backward] of [[ops.eluForward, ops.eluBackward], [ops.tanhForward, ops.tanhBackward]] as const) {
      fillRandom(A, n, 40 + n, -4, 4);
      fillRandom(C, n, 50 + n, -1, 1);
      forward(core, A, B, n);
      core.f32(D, n).fill(0);
      backward(core, B, C, D, n);
      const added = Array.from(read(D, n));
      core.f32(D, n).fill(Number.NaN);
      backward(core, B, C, D, n, true);
      expect(Array.from(read(D, n))).toEqual(added);
    }
  });
});

describe('tanh', () => {
  it.each(LENGTHS)('forward matches the twin (n = %i)', (n) => {
    const x = fillRandom(A, n, 7 * n, -12, 12);
    ops.tanhForward(core, A, B, n);
    const want = new Float64Array(n);
    ref.tanhForward(x, want);
    expect(maxRelErr(read(B, n), want)).toBeLessThan(1e-5);
  });

  it('is accurate near 0 and saturates to exactly +-1', () => {
    const v = core.f32(A, 6);
    v.set([1e-7, -3e-5, 2e-3, 30, -30, 0]);
    const xs = Float64Array.from(v);
    ops.tanhForward(core, A, B, 6);
    const got = read(B, 6);
    expect(maxRelErr(got, xs.map(Math.tanh))).toBeLessThan(1e-5);
    expect([got[3], got[4], got[5]]).toEqual([1, -1, 0]);
  });

  it.each(LENGTHS)('backward matches finite differences of the twin (n = %i)', (n) => {
    const x = fillRandom(A, n, 11 * n, -3, 3);
    const dy = fillRandom(C, n, 13 * n, -1, 1);
    const dx0 = fillRandom(D, n, 17 * n, -1, 1);
    ops.tanhForward(core, A, B, n);
    ops.tanhBackward(core, B, C, D, n);
    const fd = fdElementwise(Math.tanh, x, dy);
    const want = dx0.map((v, i) => v + fd[i]);
    expect(maxErrUnitFloor(read(D, n), want)).toBeLessThan(1e-5);
  });
});

describe('linear elementwise', () => {
  it.each(LENGTHS)('add, addInPlace, axpy, scale (n = %i)', (n) => {
    const a = fillRandom(A, n, n + 1, -2, 2);
    const b = fillRandom(B, n, n + 2, -2, 2);
    ops.addForward(core, A, B, C, n);
    const want = new Float64Array(n);
    ref.addForward(a, b, want);
    expect(maxRelErr(read(C, n), want)).toBeLessThan(1e-6);

    ops.addInPlace(core, C, A, n); // c = a + b + a
    // Two float32 roundings: the error scales with the operands, not with a result that may cancel.
    const c2 = read(C, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(c2[i] - (want[i] + a[i])) / (2 * Math.abs(a[i]) + Math.abs(b[i])));
    expect(worst).toBeLessThan(1e-6);

    const y = fillRandom(D, n, n + 3, -2, 2);
    ops.axpy(core, D, A, -0.75, n);
    ref.axpy(y, a, -0.75);
    expect(maxErrUnitFloor(read(D, n), y)).toBeLessThan(1e-6);

    ops.scaleInPlace(core, B, 3.5, n);
    expect(maxRelErr(read(B, n), b.map((v) => v * 3.5))).toBeLessThan(1e-6);
  });

  it('fill, zero and copy touch exactly n floats', () => {
    const guard = core.f32(A, 12);
    guard.fill(9);
    ops.fill(core, A + 4, -1.5, 7);
    expect(Array.from(core.f32(A, 9))).toEqual([9, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5, -1.5, 9]);
    ops.zero(core, A + 8, 3);
    expect(Array.from(core.f32(A, 6))).toEqual([9, -1.5, 0, 0, 0, -1.5]);
    core.f32(B, 5).set([1, 2, 3, 4, 5]);
    ops.copy(core, A, B, 5);
    expect(Array.from(core.f32(A, 6))).toEqual([1, 2, 3, 4, 5, -1.5]);
    ops.copy(core, A + 4, A, 4); // overlapping: memmove semantics
    expect(Array.from(core.f32(A, 6))).toEqual([1, 1, 2, 3, 4, -1.5]);
  });
});

describe('reductions', () => {
  it('long sums keep float64 accuracy', () => {
    const n = 100003;
    const a = fillRandom(A, n, 1, -1, 1);
    const b = fillRandom(B, n, 2, -1, 1);
    // A sum that cancels: float32 lanes would lose ~1e-4 relative here.
    expect(Math.abs(ops.sum(core, A, n) - ref.sum(a))).toBeLessThan(1e-9 * ref.sumAbsDiff(a, new Float64Array(n)));
    expect(ops.sumSquares(core, A, n)).toBeCloseTo(ref.sumSquares(a), 8);
    expect(ops.sumAbsDiff(core, A, B, n) / ref.sumAbsDiff(a, b)).toBeCloseTo(1, 12);
    expect(ops.sumSqDiff(core, A, B, n) / ref.sumSqDiff(a, b)).toBeCloseTo(1, 12);
  });

  it.each(LENGTHS)('match the twin on every length (n = %i)', (n) => {
    const a = fillRandom(A, n, 31 * n, -3, 3);
    const b = fillRandom(B, n, 37 * n, -3, 3);
    const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
    close(ops.sum(core, A, n), ref.sum(a));
    close(ops.sumSquares(core, A, n), ref.sumSquares(a));
    close(ops.sumAbsDiff(core, A, B, n), ref.sumAbsDiff(a, b));
    close(ops.sumSqDiff(core, A, B, n), ref.sumSqDiff(a, b));
    expect(ops.maxAbs(core, A, n)).toBe(ref.maxAbs(a));
  });

  it.each(LENGTHS)('L1 and L2 backward match finite differences of the twin (n = %i)', (n) => {
    const a = fillRandom(A, n, 41 * n, -2, 2);
    const b = fillRandom(B, n, 43 * n, -2, 2);
    const g = 0.37;
    const h = 1e-6;
    const fdL1 = a.map((v, i) => (g * (Math.abs(v + h - b[i]) - Math.abs(v - h - b[i]))) / (2 * h));
    const fdL2 = a.map((v, i) => (g * ((v + h - b[i]) ** 2 - (v - h - b[i]) ** 2)) / (2 * h));
    ops.zero(core, C, n);
    ops.absDiffBackward(core, A, B, C, g, n);
    expect(maxRelErr(read(C, n), fdL1)).toBeLessThan(1e-5);
    const dx0 = fillRandom(D, n, 47 * n, -1, 1);
    ops.sqDiffBackward(core, A, B, D, g, n);
    expect(maxErrUnitFloor(read(D, n), dx0.map((v, i) => v + fdL2[i]))).toBeLessThan(1e-5);
    const twin = Float64Array.from(dx0);
    ref.sqDiffBackward(a, b, twin, g);
    expect(maxErrUnitFloor(twin, dx0.map((v, i) => v + fdL2[i]))).toBeLessThan(1e-7);
  });

  it('L1 backward gives 0 where a == b (sign(0) = 0, as PyTorch)', () => {
    core.f32(A, 6).set([1, 2, 3, 4, 5, 6]);
    core.f32(B, 6).set([1, 3, 3, 2, 5, 7]);
    ops.zero(core, C, 6);
    ops.absDiffBackward(core, A, B, C, 2, 6);
    expect(Array.from(core.f32(C, 6))).toEqual([0, -2, 0, 2, 0, -2]);
  });

  it('maxAbs sees NaN; hasNonFinite finds NaN and +-Inf anywhere', () => {
    const n = 11;
    for (let pos = 0; pos < n; pos++) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        fillRandom(A, n, pos, -3e38, 3e38); // large but finite
        expect(ops.hasNonFinite(core, A, n)).toBe(false);
        core.f32(A, n)[pos] = bad;
        expect(ops.hasNonFinite(core, A, n)).toBe(true);
        expect(ops.hasNonFinite(core, A, pos)).toBe(false); // the prefix before it is clean
        if (Number.isNaN(bad)) expect(ops.maxAbs(core, A, n)).toBeNaN();
      }
    }
    core.f32(A, 2).set([3.4028234663852886e38, -1.401298464324817e-45]); // max float, min denormal
    expect(ops.hasNonFinite(core, A, 2)).toBe(false);
  });
});

describe('memory', () => {
  it('steady-state calls neither grow memory nor allocate', () => {
    const n = 4099;
    fillRandom(A, n, 3, -2, 2);
    fillRandom(B, n, 4, -2, 2);
    const probe1 = core.exports.alloc(16);
    const probe2 = core.exports.alloc(16);
    const bytes = core.exports.memory.buffer.byteLength;
    for (let r = 0; r < 50; r++) {
      ops.eluForward(core, A, C, n);
      ops.eluBackward(core, C, B, D, n);
      ops.tanhForward(core, A, C, n);
      ops.tanhBackward(core, C, B, D, n);
      ops.addForward(core, A, B, C, n);
      ops.axpy(core, D, A, 0.5, n);
      ops.sumSquares(core, D, n);
      ops.sumAbsDiff(core, A, B, n);
      ops.absDiffBackward(core, A, B, D, 1, n);
      ops.hasNonFinite(core, D, n);
    }
    expect(core.exports.memory.buffer.byteLength).toBe(bytes);
    expect(core.exports.alloc(16) - probe2).toBe(probe2 - probe1);
  });
});
