// Real FFT for power-of-two N, its exact adjoint, and the batched magnitude STFT built on them.
//
// Forward map (what the losses call "the spectrum"):  X_k = sum_n x_n e^{-2 pi i k n / N},  k = 0..N/2.
// Output layout: SPLIT planes of N/2 + 1 floats each, re[k] and im[k] (not interleaved), so the
// magnitude and its gradient are plain lane-wise SIMD. im[0] and im[N/2] are always 0.
//
// Method: the N real samples are packed as M = N/2 complex ones z_m = x_{2m} + i x_{2m+1}, one
// complex radix-2 FFT of size M runs on split re/im work buffers, and a post-pass separates the
// even and odd halves:  E_k = (Z_k + conj Z_{M-k}) / 2,  O_k = -i (Z_k - conj Z_{M-k}) / 2,
// X_k = E_k + W^k O_k with W = e^{-2 pi i / N}  (Numerical Recipes 12.3, "FFT of real functions").
//
// Adjoint: the forward is the real-linear map  x -> Post(F(Pack(x))), so its transpose is
// Pack^T(F^H(Post^T(g))). F^H (conjugate transpose of the DFT) is computed as conj(F(conj(.))), so
// the same forward butterflies serve both directions. Post^T is derived in adjointFrame below.
// The STFT loss backward needs exactly this transpose, not an inverse FFT (they differ by scaling
// and by how bins 0 and N/2 are counted).
//
// A plan holds everything that depends only on N (twiddles, bit reversal, scratch); it is allocated
// once through `alloc` and reused, so transforms never allocate.

import { alloc } from './index';

// Plan header, 64 bytes at the plan pointer: i32 fields.
// @ts-ignore: decorator
@inline const P_N = 0; //          N (real length)
// @ts-ignore: decorator
@inline const P_M = 4; //          M = N / 2 (complex length)
// @ts-ignore: decorator
@inline const P_STAGE_RE = 8; //   [M] stage twiddles: stage with half-size h uses [h, 2h): e^{-i pi j / h}
// @ts-ignore: decorator
@inline const P_STAGE_IM = 12;
// @ts-ignore: decorator
@inline const P_POST_RE = 16; //   [M + 1] W^k = e^{-2 pi i k / N}, k = 0..M
// @ts-ignore: decorator
@inline const P_POST_IM = 20;
// @ts-ignore: decorator
@inline const P_REV = 24; //       [M] i32 bit-reversal permutation of log2(M) bits
// @ts-ignore: decorator
@inline const P_WORK_RE = 28; //   [M] complex work buffer (split)
// @ts-ignore: decorator
@inline const P_WORK_IM = 32;
// @ts-ignore: decorator
@inline const P_SPEC_RE = 36; //   [M + 1] spectrum scratch: gradient bins, or a spectrum not kept
// @ts-ignore: decorator
@inline const P_SPEC_IM = 40;
// @ts-ignore: decorator
@inline const PLAN_HEADER_BYTES: usize = 64;

// @ts-ignore: decorator
@inline function field(plan: usize, off: usize): usize {
  return <usize>load<i32>(plan + off);
}

/** a * b + c, fused where the build has relaxed SIMD. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** a * b - c * d on four lanes. */
// @ts-ignore: decorator
@inline function mulSub(a: v128, b: v128, c: v128, d: v128): v128 {
  return f32x4.sub(f32x4.mul(a, b), f32x4.mul(c, d));
}

/**
 * Make a plan for real length n (a power of two, 16 <= n <= 2^24). Returns the plan pointer, or 0 if n
 * is not allowed. Allocates once (about 7 n floats); keep the plan and reuse it.
 */
export function rfftPlanCreate(n: i32): usize {
  if (n < 16 || n > (1 << 24) || (n & (n - 1)) != 0) return 0;
  const m = n >> 1;
  const plan = alloc(PLAN_HEADER_BYTES);
  store<i32>(plan + P_N, n);
  store<i32>(plan + P_M, m);
  const mb = <usize>m << 2;
  const mb1 = (<usize>m + 4) << 2; // M + 1 rounded up to a whole vector
  store<i32>(plan + P_STAGE_RE, <i32>alloc(mb));
  store<i32>(plan + P_STAGE_IM, <i32>alloc(mb));
  store<i32>(plan + P_POST_RE, <i32>alloc(mb1));
  store<i32>(plan + P_POST_IM, <i32>alloc(mb1));
  store<i32>(plan + P_REV, <i32>alloc(mb));
  store<i32>(plan + P_WORK_RE, <i32>alloc(mb));
  store<i32>(plan + P_WORK_IM, <i32>alloc(mb));
  store<i32>(plan + P_SPEC_RE, <i32>alloc(mb1));
  store<i32>(plan + P_SPEC_IM, <i32>alloc(mb1));

  // Twiddles are computed in f64 from the angle (not by repeated rotation), so each is correctly
  // rounded to f32 and the error does not grow with N.
  const stRe = field(plan, P_STAGE_RE);
  const stIm = field(plan, P_STAGE_IM);
  for (let h = 1; h < m; h <<= 1) {
    for (let j = 0; j < h; j++) {
      const a = -Math.PI * <f64>j / <f64>h;
      store<f32>(stRe + (<usize>(h + j) << 2), <f32>Math.cos(a));
      store<f32>(stIm + (<usize>(h + j) << 2), <f32>Math.sin(a));
    }
  }
  const poRe = field(plan, P_POST_RE);
  const poIm = field(plan, P_POST_IM);
  for (let k = 0; k <= m; k++) {
    const a = -2.0 * Math.PI * <f64>k / <f64>n;
    store<f32>(poRe + (<usize>k << 2), <f32>Math.cos(a));
    store<f32>(poIm + (<usize>k << 2), <f32>Math.sin(a));
  }
  const rev = field(plan, P_REV);
  const bits = ctz<i32>(m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    store<i32>(rev + (<usize>i << 2), r);
  }
  return plan;
}

/**
 * In-place complex FFT of size M on the plan's split work buffers, input in bit-reversed order,
 * output in natural order (radix-2 decimation in time). The first two stages (half-sizes 1 and 2,
 * twiddles 1 and -i) are fused into one radix-4 pass with lane shuffles; every later stage has
 * half-size h >= 4, so four consecutive butterflies share one vector of contiguous twiddles.
 */
function fftCore(plan: usize): void {
  const m = load<i32>(plan + P_M);
  const re = field(plan, P_WORK_RE);
  const im = field(plan, P_WORK_IM);
  const stRe = field(plan, P_STAGE_RE);
  const stIm = field(plan, P_STAGE_IM);

  // Stages h = 1 and h = 2 on each group of four (c = after h = 1):
  //   c0 = a0 + a1, c1 = a0 - a1, c2 = a2 + a3, c3 = a2 - a3
  //   b0 = c0 + c2, b1 = c1 + t, b2 = c0 - c2, b3 = c1 - t, with t = -i c3 = (c3.im, -c3.re)
  const altSign = f32x4(1, -1, 1, -1);
  const halfSign = f32x4(1, 1, -1, -1);
  const crossSign = f32x4(1, -1, -1, 1);
  for (let g = 0; g < m; g += 4) {
    const o = <usize>g << 2;
    const ar = v128.load(re + o);
    const ai = v128.load(im + o);
    const cr = madd(f32x4.shuffle(ar, ar, 1, 1, 3, 3), altSign, f32x4.shuffle(ar, ar, 0, 0, 2, 2));
    const ci = madd(f32x4.shuffle(ai, ai, 1, 1, 3, 3), altSign, f32x4.shuffle(ai, ai, 0, 0, 2, 2));
    // lanes 0..3 of the second operand: (c2, t, c2, t); t.re = c3.im, t.im = -c3.re
    const hr = f32x4.shuffle(cr, ci, 2, 7, 2, 7);
    const hi = f32x4.shuffle(ci, cr, 2, 7, 2, 7);
    v128.store(re + o, madd(hr, halfSign, f32x4.shuffle(cr, cr, 0, 1, 0, 1)));
    v128.store(im + o, madd(hi, crossSign, f32x4.shuffle(ci, ci, 0, 1, 0, 1)));
  }

  for (let h = 4; h < m; h <<= 1) {
    const tr = stRe + (<usize>h << 2);
    const ti = stIm + (<usize>h << 2);
    const hb = <usize>h << 2;
    for (let s = 0; s < m; s += h << 1) {
      const pr = re + (<usize>s << 2);
      const pi = im + (<usize>s << 2);
      for (let j: usize = 0; j < hb; j += 16) {
        const wr = v128.load(tr + j);
        const wi = v128.load(ti + j);
        const br = v128.load(pr + hb + j);
        const bi = v128.load(pi + hb + j);
        // t = w * b
        const xr = mulSub(br, wr, bi, wi);
        const xi = madd(br, wi, f32x4.mul(bi, wr));
        const ar = v128.load(pr + j);
        const ai = v128.load(pi + j);
        v128.store(pr + j, f32x4.add(ar, xr));
        v128.store(pi + j, f32x4.add(ai, xi));
        v128.store(pr + hb + j, f32x4.sub(ar, xr));
        v128.store(pi + hb + j, f32x4.sub(ai, xi));
      }
    }
  }
}

/**
 * One frame forward: outRe/outIm [M + 1] = rfft(x .* window) for x [N]. window = 0 means none.
 * x may alias the output (x is consumed into the work buffer before anything is written).
 */
function forwardFrame(plan: usize, x: usize, window: usize, outRe: usize, outIm: usize): void {
  const m = load<i32>(plan + P_M);
  const re = field(plan, P_WORK_RE);
  const im = field(plan, P_WORK_IM);
  const rev = field(plan, P_REV);
  // Pack z_m = x_{2m} + i x_{2m+1} straight into bit-reversed slots (a scatter, so scalar).
  if (window == 0) {
    for (let j = 0; j < m; j++) {
      const d = <usize>load<i32>(rev + (<usize>j << 2)) << 2;
      const src = x + (<usize>j << 3);
      store<f32>(re + d, load<f32>(src));
      store<f32>(im + d, load<f32>(src, 4));
    }
  } else {
    for (let j = 0; j < m; j++) {
      const d = <usize>load<i32>(rev + (<usize>j << 2)) << 2;
      const src = x + (<usize>j << 3);
      const w = window + (<usize>j << 3);
      store<f32>(re + d, load<f32>(src) * load<f32>(w));
      store<f32>(im + d, load<f32>(src, 4) * load<f32>(w, 4));
    }
  }
  fftCore(plan);

  // Post-pass for k = 1..M-1, four bins at a time; Z_{M-k} for k..k+3 is a reversed vector load.
  const poRe = field(plan, P_POST_RE);
  const poIm = field(plan, P_POST_IM);
  const half = f32x4.splat(0.5);
  let k = 1;
  for (; k + 4 <= m; k += 4) {
    const o = <usize>k << 2;
    const r = <usize>(m - k - 3) << 2;
    const zr = v128.load(re + o);
    const zi = v128.load(im + o);
    let yr = v128.load(re + r);
    let yi = v128.load(im + r);
    yr = f32x4.shuffle(yr, yr, 3, 2, 1, 0);
    yi = f32x4.shuffle(yi, yi, 3, 2, 1, 0);
    const er = f32x4.mul(half, f32x4.add(zr, yr));
    const ei = f32x4.mul(half, f32x4.sub(zi, yi));
    const or = f32x4.mul(half, f32x4.add(zi, yi));
    const oi = f32x4.mul(half, f32x4.sub(yr, zr));
    const wr = v128.load(poRe + o);
    const wi = v128.load(poIm + o);
    v128.store(outRe + o, f32x4.add(er, mulSub(wr, or, wi, oi)));
    v128.store(outIm + o, f32x4.add(ei, madd(wr, oi, f32x4.mul(wi, or))));
  }
  for (; k < m; k++) {
    const o = <usize>k << 2;
    const r = <usize>(m - k) << 2;
    const zr = load<f32>(re + o);
    const zi = load<f32>(im + o);
    const yr = load<f32>(re + r);
    const yi = load<f32>(im + r);
    const er: f32 = 0.5 * (zr + yr);
    const ei: f32 = 0.5 * (zi - yi);
    const or: f32 = 0.5 * (zi + yi);
    const oi: f32 = 0.5 * (yr - zr);
    const wr = load<f32>(poRe + o);
    const wi = load<f32>(poIm + o);
    store<f32>(outRe + o, er + (wr * or - wi * oi));
    store<f32>(outIm + o, ei + (wr * oi + wi * or));
  }
  // Bins 0 and N/2 are real: X_0 = Re Z_0 + Im Z_0, X_{N/2} = Re Z_0 - Im Z_0.
  const z0r = load<f32>(re);
  const z0i = load<f32>(im);
  store<f32>(outRe, z0r + z0i);
  store<f32>(outIm, 0);
  store<f32>(outRe + (<usize>m << 2), z0r - z0i);
  store<f32>(outIm + (<usize>m << 2), 0);
}

/**
 * One frame adjoint: dst[N] += window .* A^T g, where A is the forward map x -> (re, im) of
 * forwardFrame and g = (gRe, gIm) [M + 1]. window = 0 means none. gIm[0] and gIm[M] do not
 * contribute (those outputs are identically 0). g may alias dst.
 *
 * Post^T: with A_k = (1 - i W^k)/2 and B_k = (1 + i W^k)/2 the post-pass is
 * X_k = A_k Z_k + B_k conj(Z_{(M-k) mod M}); the transpose of Z -> a Z is G -> conj(a) G and of
 * Z -> b conj(Z) is G -> b conj(G), so for 1 <= j < M
 *   zeta_j = conj(A_j) G_j + B_{M-j} conj(G_{M-j}) = P/2 + i conj(W^j) Q/2,
 *   P = G_j + conj(G_{M-j}),  Q = G_j - conj(G_{M-j}),
 * and zeta_0 = (gRe_0 + gRe_M) + i (gRe_0 - gRe_M).
 */
function adjointFrame(plan: usize, gRe: usize, gIm: usize, window: usize, dst: usize): void {
  const m = load<i32>(plan + P_M);
  const re = field(plan, P_WORK_RE);
  const im = field(plan, P_WORK_IM);
  const rev = field(plan, P_REV);
  const poRe = field(plan, P_POST_RE);
  const poIm = field(plan, P_POST_IM);

  // Post^T, conjugated (for F^H = conj F conj), scattered to bit-reversed slots. rev[0] = 0.
  const g0 = load<f32>(gRe);
  const gm = load<f32>(gRe + (<usize>m << 2));
  store<f32>(re, g0 + gm);
  store<f32>(im, gm - g0);
  for (let j = 1; j < m; j++) {
    const o = <usize>j << 2;
    const r = <usize>(m - j) << 2;
    const ar = load<f32>(gRe + o);
    const ai = load<f32>(gIm + o);
    const br = load<f32>(gRe + r);
    const bi = load<f32>(gIm + r);
    const pr = ar + br;
    const pi = ai - bi;
    const qr = ar - br;
    const qi = ai + bi;
    const wr = load<f32>(poRe + o);
    const wi = load<f32>(poIm + o);
    const d = <usize>load<i32>(rev + o) << 2;
    store<f32>(re + d, <f32>0.5 * (pr - wr * qi + wi * qr));
    store<f32>(im + d, <f32>-0.5 * (pi + wr * qr + wi * qi));
  }
  fftCore(plan);

  // conj, then Pack^T: dst[2m] += Re, dst[2m+1] += Im, four complex values (eight floats) a step.
  if (window == 0) {
    for (let j = 0; j < m; j += 4) {
      const o = <usize>j << 2;
      const vr = v128.load(re + o);
      const vi = f32x4.neg(v128.load(im + o));
      const d = dst + (o << 1);
      v128.store(d, f32x4.add(v128.load(d), f32x4.shuffle(vr, vi, 0, 4, 1, 5)));
      v128.store(d, f32x4.add(v128.load(d, 16), f32x4.shuffle(vr, vi, 2, 6, 3, 7)), 16);
    }
  } else {
    for (let j = 0; j < m; j += 4) {
      const o = <usize>j << 2;
      const vr = v128.load(re + o);
      const vi = f32x4.neg(v128.load(im + o));
      const d = dst + (o << 1);
      const w = window + (o << 1);
      v128.store(d, madd(f32x4.shuffle(vr, vi, 0, 4, 1, 5), v128.load(w), v128.load(d)));
      v128.store(d, madd(f32x4.shuffle(vr, vi, 2, 6, 3, 7), v128.load(w, 16), v128.load(d, 16)), 16);
    }
  }
}

/** re/im [N/2 + 1] = rfft(x), x [N]. x may alias re (the buffer then needs N + 2 floats). */
export function rfftForward(plan: usize, x: usize, re: usize, im: usize): void {
  forwardFrame(plan, x, 0, re, im);
}

/** dx [N] += A^T (gRe, gIm): the exact transpose of rfftForward as a real linear map R^N -> R^(N+2). */
export function rfftAdjoint(plan: usize, gRe: usize, gIm: usize, dx: usize): void {
  adjointFrame(plan, gRe, gIm, 0, dx);
}

/** mag[i] = sqrt(re[i]^2 + im[i]^2) for `count` bins. */
// @ts-ignore: decorator
@inline function magnitudeRow(re: usize, im: usize, mag: usize, count: i32): void {
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const o = <usize>i << 2;
    const r = v128.load(re + o);
    const q = v128.load(im + o);
    v128.store(mag + o, f32x4.sqrt(madd(r, r, f32x4.mul(q, q))));
  }
  for (let i = c4; i < count; i++) {
    const o = <usize>i << 2;
    const r = load<f32>(re + o);
    const q = load<f32>(im + o);
    store<f32>(mag + o, Mathf.sqrt(r * r + q * q));
  }
}

/**
 * Batched magnitude STFT.
 *   xPad:  [batch, padLen]  signals, already padded (see reflectPad)
 *   window: [N]  analysis window (0 = rectangular)
 *   frame f of signal b is xPad[b, f*hop .. f*hop + N), f = 0..frames-1 (caller keeps it in range)
 *   outRe, outIm: [batch, frames, N/2 + 1]  the complex spectrum, kept for the backward;
 *                 pass 0 for both when no backward will follow (e.g. the target's spectrum)
 *   outMag: [batch, frames, N/2 + 1]  |X|
 */
export function stftMagnitude(
  plan: usize, xPad: usize, batch: i32, padLen: i32, frames: i32, hop: i32,
  window: usize, outRe: usize, outIm: usize, outMag: usize,
): void {
  const bins = load<i32>(plan + P_M) + 1;
  const rowBytes = <usize>bins << 2;
  const keep = outRe != 0;
  for (let b = 0; b < batch; b++) {
    const sig = xPad + (<usize>b * <usize>padLen << 2);
    for (let f = 0; f < frames; f++) {
      const row = <usize>(b * frames + f) * rowBytes;
      const re = keep ? outRe + row : field(plan, P_SPEC_RE);
      const im = keep ? outIm + row : field(plan, P_SPEC_IM);
      forwardFrame(plan, sig + (<usize>(f * hop) << 2), window, re, im);
      magnitudeRow(re, im, outMag + row, bins);
    }
  }
}

/**
 * Backward of stftMagnitude: dxPad [batch, padLen] += d/dx of sum(dMag .* |X|), given the kept
 * spectrum (outRe, outIm). d|X|/dX = X / |X|, taken as 0 where |X| = 0 (the subgradient of the
 * magnitude at the origin; it keeps silent frames from producing NaN). Overlapping frames add up.
 */
export function stftMagnitudeBackward(
  plan: usize, dMag: usize, outRe: usize, outIm: usize, batch: i32, padLen: i32, frames: i32,
  hop: i32, window: usize, dxPad: usize,
): void {
  const bins = load<i32>(plan + P_M) + 1;
  const rowBytes = <usize>bins << 2;
  const gRe = field(plan, P_SPEC_RE);
  const gIm = field(plan, P_SPEC_IM);
  const zero = f32x4.splat(0);
  const b4 = bins & ~3;
  for (let b = 0; b < batch; b++) {
    const sig = dxPad + (<usize>b * <usize>padLen << 2);
    for (let f = 0; f < frames; f++) {
      const row = <usize>(b * frames + f) * rowBytes;
      const re = outRe + row;
      const im = outIm + row;
      const dm = dMag + row;
      for (let i = 0; i < b4; i += 4) {
        const o = <usize>i << 2;
        const r = v128.load(re + o);
        const q = v128.load(im + o);
        const mag = f32x4.sqrt(madd(r, r, f32x4.mul(q, q)));
        const s = v128.and(f32x4.div(v128.load(dm + o), mag), f32x4.gt(mag, zero));
        v128.store(gRe + o, f32x4.mul(s, r));
        v128.store(gIm + o, f32x4.mul(s, q));
      }
      for (let i = b4; i < bins; i++) {
        const o = <usize>i << 2;
        const r = load<f32>(re + o);
        const q = load<f32>(im + o);
        const mag = Mathf.sqrt(r * r + q * q);
        const s: f32 = mag > 0 ? load<f32>(dm + o) / mag : 0;
        store<f32>(gRe + o, s * r);
        store<f32>(gIm + o, s * q);
      }
      adjointFrame(plan, gRe, gIm, window, sig + (<usize>(f * hop) << 2));
    }
  }
}

/**
 * Reflect padding as torch.stft(center=True, pad_mode='reflect') does it (the edge sample is not
 * repeated): out[b, pad + t] = x[b, t]; out[b, pad - j] = x[b, j]; out[b, pad + T - 1 + j] = x[b, T - 1 - j]
 * for j = 1..pad. x: [batch, T], out: [batch, T + 2 pad], requires pad < T.
 */
export function reflectPad(x: usize, batch: i32, t: i32, pad: i32, out: usize): void {
  const outLen = t + 2 * pad;
  for (let b = 0; b < batch; b++) {
    const src = x + (<usize>b * <usize>t << 2);
    const dst = out + (<usize>b * <usize>outLen << 2);
    memory.copy(dst + (<usize>pad << 2), src, <usize>t << 2);
    for (let j = 1; j <= pad; j++) {
      store<f32>(dst + (<usize>(pad - j) << 2), load<f32>(src + (<usize>j << 2)));
      store<f32>(dst + (<usize>(pad + t - 1 + j) << 2), load<f32>(src + (<usize>(t - 1 - j) << 2)));
    }
  }
}

/** Backward of reflectPad: dx [batch, T] += the padded gradient dOut [batch, T + 2 pad] folded back. */
export function reflectPadBackward(dOut: usize, batch: i32, t: i32, pad: i32, dx: usize): void {
  const outLen = t + 2 * pad;
  for (let b = 0; b < batch; b++) {
    const g = dOut + (<usize>b * <usize>outLen << 2);
    const d = dx + (<usize>b * <usize>t << 2);
    const mid = g + (<usize>pad << 2);
    const t4 = t & ~3;
    for (let i = 0; i < t4; i += 4) {
      const o = <usize>i << 2;
      v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(mid + o)));
    }
    for (let i = t4; i < t; i++) {
      const o = <usize>i << 2;
      store<f32>(d + o, load<f32>(d + o) + load<f32>(mid + o));
    }
    for (let j = 1; j <= pad; j++) {
      const l = d + (<usize>j << 2);
      store<f32>(l, load<f32>(l) + load<f32>(g + (<usize>(pad - j) << 2)));
      const r = d + (<usize>(t - 1 - j) << 2);
      store<f32>(r, load<f32>(r) + load<f32>(g + (<usize>(pad + t - 1 + j) << 2)));
    }
  }
}
