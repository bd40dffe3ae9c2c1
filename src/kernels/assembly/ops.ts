// Elementwise kernels and the reductions the losses and the trainer need, over flat f32 buffers.
// Every pointer is a byte offset into linear memory (from `alloc`, so 16-byte aligned); `n` counts floats.
// Each loop runs four lanes at a time and finishes the last n % 4 floats one by one. The forward tails
// run the same vector code on a splatted value, so a float gives the same bits wherever it sits. The
// backward tails are plain scalar multiply-adds: in the relaxed build, whose vector lanes fuse them
// (one rounding), a tail element can differ from a lane in its last bit (two roundings).
// Backward kernels accumulate (`dx += ...`), as every gradient in the engine does.

import { madd, pow2 } from './simd-math';
import { elux4 } from './elu-vector';

// ---------------------------------------------------------------------------------------------
// Vector exp / expm1 (there is no SIMD exp instruction).
// Range reduction x = k ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2 so k*C1 is exact), then
// the Cephes expf polynomial for e^r - 1 = r + r^2 P(r), about 1 ulp on that interval. Working on
// e^r - 1 rather than e^r keeps expm1 accurate near 0, which ELU needs (exp(x) - 1 cancels for small x):
//   expm1(x) = 2^k (e^r - 1) + (2^k - 1),   exp(x) = 2^k (e^r - 1) + 2^k.
// x is clamped to [-87, 88] so 2^k stays a normal float (k in [-126, 127]); beyond that exp(x)
// underflows to ~1e-38 (expm1 to -1) or would overflow, which the callers never reach (tanh clamps).
// k is rounded with the 1.5 * 2^23 trick: adding it leaves round-to-nearest(x log2 e) in the low
// mantissa bits, which also gives the exponent field of 2^k without a float-to-int conversion.
// NaN propagates: pmin/pmax keep a NaN first operand and the polynomial of NaN is NaN.
//
// The constants are read from this table inside the loops rather than written as f32x4.splat(c):
// Binaryen folds splatted constants back into the loop body, and V8 rebuilds every v128.const on
// each iteration, which made the loop twice as slow (measured: 2.3 -> 1.3 ns per element).
// Layout: 16 bytes per constant, all four lanes equal.
const EXP_TABLE = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0, //  0: lowest x
  88.0, 88.0, 88.0, 88.0, // 16: highest x
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, // 32: log2(e)
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // 48: 1.5 * 2^23, the rounding constant
  0.693359375, 0.693359375, 0.693359375, 0.693359375, // 64: C1 (high part of ln 2)
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, // 80: C2 = ln 2 - C1
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, // 96: Cephes expf p0
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, // 112: p1
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, // 128: p2
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, // 144: p3
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, // 160: p4
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, // 176: p5
  1.0, 1.0, 1.0, 1.0, // 192: one
  9.0, 9.0, 9.0, 9.0, // 208: tanh saturation point
  2.0, 2.0, 2.0, 2.0, // 224: two
], 16);

/** t = x log2(e) + 1.5 * 2^23 for x clamped to [-87, 88]; its low bits hold k = round(x / ln 2). */
// @ts-ignore: decorator
@inline function expShifted(xc: v128): v128 {
  return madd(xc, v128.load(EXP_TABLE, 32), v128.load(EXP_TABLE, 48));
}

/** e^r - 1 for r = x - k ln2, |r| <= ln2/2, given t from expShifted. */
// @ts-ignore: decorator
@inline function expm1Reduced(xc: v128, t: v128): v128 {
  const kf = f32x4.sub(t, v128.load(EXP_TABLE, 48));
  // Cody-Waite: ln2 = C1 + C2 with C1 = 355/512 exact in 9 bits, so k*C1 and x - k*C1 are exact.
  let r = f32x4.sub(xc, f32x4.mul(kf, v128.load(EXP_TABLE, 64)));
  r = f32x4.sub(r, f32x4.mul(kf, v128.load(EXP_TABLE, 80)));
  // Cephes expf: e^r = 1 + r + r^2 (((((p0 r + p1) r + p2) r + p3) r + p4) r + p5)
  let p = madd(v128.load(EXP_TABLE, 96), r, v128.load(EXP_TABLE, 112));
  p = madd(p, r, v128.load(EXP_TABLE, 128));
  p = madd(p, r, v128.load(EXP_TABLE, 144));
  p = madd(p, r, v128.load(EXP_TABLE, 160));
  p = madd(p, r, v128.load(EXP_TABLE, 176));
  return madd(f32x4.mul(r, r), p, r);
}

/** x clamped to the range where 2^k is a normal float. */
// @ts-ignore: decorator
@inline function expClamp(x: v128): v128 {
  return f32x4.pmin(f32x4.pmax(x, v128.load(EXP_TABLE, 0)), v128.load(EXP_TABLE, 16));
}

/** e^x - 1 in each lane, accurate to a few ulp relative over the whole range (see above). */
// @ts-ignore: decorator
@inline function expm1x4(x: v128): v128 {
  const xc = expClamp(x);
  const t = expShifted(xc);
  const twoK = pow2(t);
  return madd(twoK, expm1Reduced(xc, t), f32x4.sub(twoK, v128.load(EXP_TABLE, 192)));
}

/** e^x in each lane, a few ulp relative for x in [-87, 88]. */
// @ts-ignore: decorator
@inline function expx4(x: v128): v128 {
  const xc = expClamp(x);
  const t = expShifted(xc);
  const twoK = pow2(t);
  return madd(twoK, expm1Reduced(xc, t), twoK);
}

/**
 * tanh(x) = sign(x) * e / (e + 2) with e = expm1(2|x|): no cancellation for small |x|, so the result
 * keeps full relative accuracy near 0. |x| is clamped at 9, where tanh is 1 to float precision.
 */
// @ts-ignore: decorator
@inline function tanhx4(x: v128): v128 {
  const signBit = v128.and(x, i32x4.splat(0x80000000));
  const a = f32x4.pmin(f32x4.abs(x), v128.load(EXP_TABLE, 208));
  const e = expm1x4(f32x4.add(a, a));
  const t = f32x4.div(e, f32x4.add(e, v128.load(EXP_TABLE, 224)));
  return v128.or(t, signBit);
}

/** y = exp(x), exported so the tests can hold the vector exp against Math.exp. */
export function expF32(x: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, expx4(v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(expx4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

// ---------------------------------------------------------------------------------------------
// ELU (alpha = 1). x, y, dy, dx: [n]
// The vector ELU itself (elux4) is in elu-vector.ts, shared with the convolutions, which apply it
// while packing their input (see conv.ts).

/** y = x > 0 ? x : exp(x) - 1. y may alias x (in-place). */
export function eluForward(x: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, elux4(v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(elux4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/**
 * dx += dy * (y > 0 ? 1 : y + 1), from the OUTPUT y: for x <= 0, d/dx (e^x - 1) = e^x = y + 1, and
 * y > 0 exactly when x > 0. Taking y lets the forward run in place (the input need not be kept);
 * it is PyTorch's `elu_backward(..., is_result=True)` form. With `overwrite`, dx = dy * ELU'
 * (dx is not read: the training graph's first gradient into a buffer, instead of zeroing it first).
 */
export function eluBackward(y: usize, dy: usize, dx: usize, n: i32, overwrite: bool): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const yv = v128.load(y + o);
    const d = v128.bitselect(one, f32x4.add(yv, one), f32x4.gt(yv, zero));
    v128.store(dx + o, madd(v128.load(dy + o), d, overwrite ? zero : v128.load(dx + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const yv = load<f32>(y + o);
    const d: f32 = yv > 0 ? 1 : yv + 1;
    store<f32>(dx + o, (overwrite ? 0 : load<f32>(dx + o)) + load<f32>(dy + o) * d);
  }
}

// ---------------------------------------------------------------------------------------------
// tanh. x, y, dy, dx: [n]

/** y = tanh(x). y may alias x. */
export function tanhForward(x: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanhx4(v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(tanhx4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** dx += dy * (1 - y^2), from the output y (with `overwrite`: dx = ..., dx not read). */
export function tanhBackward(y: usize, dy: usize, dx: usize, n: i32, overwrite: bool): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const yv = v128.load(y + o);
    const d = f32x4.sub(one, f32x4.mul(yv, yv));
    v128.store(dx + o, madd(v128.load(dy + o), d, overwrite ? zero : v128.load(dx + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const yv = load<f32>(y + o);
    store<f32>(dx + o, (overwrite ? 0 : load<f32>(dx + o)) + load<f32>(dy + o) * (1 - yv * yv));
  }
}

// ---------------------------------------------------------------------------------------------
// Linear elementwise: residual add and its backward, scale, axpy, fill, copy.

/** y = a + b (the residual join). y may alias a or b. Backward: addInPlace(da, dy) and addInPlace(db, dy). */
export function addForward(a: usize, b: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** y += x (gradient accumulation, e.g. the backward of addForward). */
export function addInPlace(y: usize, x: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + load<f32>(x + o));
  }
}

/** y += a * x. */
export function axpy(y: usize, x: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, madd(av, v128.load(x + o), v128.load(y + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/** x *= a (in place: gradient clipping, loss scaling). */
export function scaleInPlace(x: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), av));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * a);
  }
}

/** y[i] = value. */
export function fillF32(y: usize, value: f32, n: i32): void {
  const v = f32x4.splat(value);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) v128.store(y + (<usize>i << 2), v);
  for (let i = n4; i < n; i++) store<f32>(y + (<usize>i << 2), value);
}

/** y[i] = 0 (bulk memory fill; the usual start of every backward pass). */
export function zeroF32(y: usize, n: i32): void {
  memory.fill(y, 0, <usize>n << 2);
}

/** dst = src; the ranges may overlap (memory.copy is memmove). */
export function copyF32(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

// ---------------------------------------------------------------------------------------------
// Reductions. Each lane is widened to f64 before it is accumulated (f64x2, two accumulators),
// so a sum over a few million floats is as accurate as the floats themselves; the widening costs
// little next to the loads. (Summing in f32 lanes would lose ~1e-4 relative over a batch of 65k.)

// @ts-ignore: decorator
@inline function lowF64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
// @ts-ignore: decorator
@inline function highF64(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 0, 1));
}
// @ts-ignore: decorator
@inline function hsum(a: v128, b: v128): f64 {
  const s = f64x2.add(a, b);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** sum_i x[i]. */
export function sumF32(x: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    a0 = f64x2.add(a0, lowF64(v));
    a1 = f64x2.add(a1, highF64(v));
  }
  let s = hsum(a0, a1);
  for (let i = n4; i < n; i++) s += <f64>load<f32>(x + (<usize>i << 2));
  return s;
}

/** sum_i x[i]^2 (the squares are formed in f64, exactly). Gradient-norm clipping uses it. */
export function sumSquares(x: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const lo = lowF64(v);
    const hi = highF64(v);
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
  }
  let s = hsum(a0, a1);
  for (let i = n4; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** sum_i |a[i] - b[i]| (the wave-L1 numerator). Differences are taken in f64. */
export function sumAbsDiff(a: usize, b: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const va = v128.load(a + o);
    const vb = v128.load(b + o);
    a0 = f64x2.add(a0, f64x2.abs(f64x2.sub(lowF64(va), lowF64(vb))));
    a1 = f64x2.add(a1, f64x2.abs(f64x2.sub(highF64(va), highF64(vb))));
  }
  let s = hsum(a0, a1);
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    s += Math.abs(<f64>load<f32>(a + o) - <f64>load<f32>(b + o));
  }
  return s;
}

/**
 * Backward of g * sum |a - b| with respect to a: da += g * sign(a - b), with sign(0) = 0 as in
 * PyTorch's l1_loss backward (the subgradient that leaves an exact match alone).
 */
export function absDiffBackward(a: usize, b: usize, da: usize, g: f32, n: i32): void {
  const gv = f32x4.splat(g);
  const ng = f32x4.splat(-g);
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const d = f32x4.sub(v128.load(a + o), v128.load(b + o));
    // +g where d > 0, -g where d < 0, 0 where d == 0 (and NaN, which the NaN guard reports anyway)
    const step = v128.or(v128.and(gv, f32x4.gt(d, zero)), v128.and(ng, f32x4.lt(d, zero)));
    v128.store(da + o, f32x4.add(v128.load(da + o), step));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(b + o);
    const step: f32 = d > 0 ? g : d < 0 ? -g : 0;
    store<f32>(da + o, load<f32>(da + o) + step);
  }
}

/** sum_i (a[i] - b[i])^2 (the wave-L2 numerator), in f64. */
export function sumSqDiff(a: usize, b: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const va = v128.load(a + o);
    const vb = v128.load(b + o);
    const dl = f64x2.sub(lowF64(va), lowF64(vb));
    const dh = f64x2.sub(highF64(va), highF64(vb));
    a0 = f64x2.add(a0, f64x2.mul(dl, dl));
    a1 = f64x2.add(a1, f64x2.mul(dh, dh));
  }
  let s = hsum(a0, a1);
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const d = <f64>load<f32>(a + o) - <f64>load<f32>(b + o);
    s += d * d;
  }
  return s;
}

/** Backward of g * sum (a - b)^2 with respect to a: da += 2 g (a - b). */
export function sqDiffBackward(a: usize, b: usize, da: usize, g: f32, n: i32): void {
  const g2 = f32x4.splat(2 * g);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const d = f32x4.sub(v128.load(a + o), v128.load(b + o));
    v128.store(da + o, madd(g2, d, v128.load(da + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(a + o) - load<f32>(b + o);
    store<f32>(da + o, load<f32>(da + o) + 2 * g * d);
  }
}

/** max_i |x[i]|; NaN if any element is NaN (f32x4.max propagates NaN), 0 for n = 0. */
export function maxAbs(x: usize, n: i32): f32 {
  let m = f32x4.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) m = f32x4.max(m, f32x4.abs(v128.load(x + (<usize>i << 2))));
  for (let i = n4; i < n; i++) {
    m = f32x4.max(m, f32x4.abs(f32x4.splat(load<f32>(x + (<usize>i << 2)))));
  }
  const h = f32x4.max(m, f32x4.shuffle(m, m, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.max(h, f32x4.shuffle(h, h, 1, 0, 3, 2)), 0);
}

/**
 * 1 if any element is NaN or +-Inf, else 0 (the NaN guard). Tested on the bits: a float is not
 * finite exactly when its exponent field is all ones, i.e. (bits & 0x7fffffff) >= 0x7f800000.
 */
export function hasNonFinite(x: usize, n: i32): i32 {
  const absMask = i32x4.splat(0x7fffffff);
  const expAll = i32x4.splat(0x7f800000);
  let bad = i32x4.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const bits = v128.and(v128.load(x + (<usize>i << 2)), absMask);
    bad = v128.or(bad, i32x4.ge_u(bits, expAll));
  }
  for (let i = n4; i < n; i++) {
    const bits = load<u32>(x + (<usize>i << 2)) & 0x7fffffff;
    if (bits >= 0x7f800000) return 1;
  }
  return v128.any_true(bad) ? 1 : 0;
}
