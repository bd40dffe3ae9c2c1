// 1-D convolution and transposed convolution, forward and backward, as GEMMs over shifted rows.
//
// Every product here has the shape  Y[row, m] (+)= sum_j A[row, j] * X[off_j + m]:  a small packed
// weight matrix A times "im2col(X)", where row j of im2col is never materialised: it is the row of a
// (padded, phase-split) copy of the input that starts at byte offset off_j. For stride 1, j = (ci, k)
// and off_j points at input row ci shifted by k. For stride s the input is split into s phase rows
// (X'[ci*s + r][i] = x[ci][s*i + r - pad]), so tap k = s*q + r of a strided conv reads phase row r
// shifted by q and the strided conv becomes a stride-1 GEMM too. The transposed conv is the same
// trick run backwards: output phase r (u + pad = s*m + r) only meets taps k = s*q + r, so the s phases
// are s extra output rows of one GEMM over a zero-extended copy of the input, interleaved into the output.
//
// Identities used for the backward passes (PyTorch semantics throughout):
//   conv dx  = convTranspose(dy) with the same weight [Cout, Cin, K] read as [Cin', Cout', K],
//   convT dx = conv(dy) with the convT weight [Cin, Cout, K] read as [Cout', Cin', K],
//   conv dw  = sum_t dy[co, t] * X'[off_(ci,k) + t], a GEMM reducing over batch and time,
//   convT dw = conv dw with the roles of x and dy swapped (dy is the strided "input").
//
// The hot loops are register-blocked micro-kernels: 4 output rows x 8 time steps (8 f32x4
// accumulators) for the forward products, 4 rows x 2 taps reduced along time for the weight gradient.
// Remainders (rows not a multiple of 4, time not a multiple of 8) take narrower or scalar paths, so the
// fast paths carry no branches. Packed weights, offsets and padded inputs live in one grow-only scratch
// region: after the first call at the largest shape, no call allocates.

import { elux4 } from './elu-vector';
import { eluForward } from './ops';

// ---------------------------------------------------------------------------------------------------
// Scratch

let scratchBase: usize = 0;
let scratchSize: usize = 0;

/** Grow-only scratch: re-allocated (the old block is abandoned: the bump allocator never frees) only
 * when a call needs more than any earlier call did. */
function scratch(bytes: usize): usize {
  if (bytes > scratchSize) {
    // Round up so a sequence of slightly growing shapes does not allocate on every call.
    const size = (bytes + 65535) & ~(<usize>65535);
    const raw = heap.alloc(size + 16);
    scratchBase = (raw + 15) & ~(<usize>15);
    scratchSize = size;
  }
  return scratchBase;
}

/** Reserve scratch up front (e.g. for the largest layer of a model) so no later call grows memory. */
export function convReserveScratch(bytes: usize): void {
  scratch(bytes);
}

@inline function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
  // Compile-time constant: the plain-SIMD build never sees the relaxed instruction.
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function ceilDiv(a: i32, b: i32): i32 {
  return (a + b - 1) / b;
}

/** Row length (floats) of a packed input copy holding n columns. Rounded to whole cache lines, plus
 * one more line: with a power-of-two length (8192, 2048...) every row would start in the same L1 set,
 * and the 16 to 256 rows a GEMM tile walks would evict each other. */
@inline function rowLen(n: i32): i32 {
  return ((n + 15) & ~15) + 16;
}

/** Time columns per tile: keeps the input rows a tile touches (rowsX of them) near 16 KiB so they stay
 * in L1 while every block of output rows sweeps over them. */
function tileFor(rowsX: i32): i32 {
  let t = 4096 / max(rowsX, 1);
  t = min(max(t, 64), 1024);
  return t & ~7;
}

// ---------------------------------------------------------------------------------------------------
// Shifted-row GEMM:  Y[row, m] (+)= sum_j A[row, j] * X[off_j + m],  m in [m0, m1)
// a: rows packed in blocks of 4 as [J][4] (the last Rows % 4 rows as [J] each), offs: [J] i32 bytes,
// x: column-0 address of the shifted input, y: column-0 address of row 0, yStride: bytes per row.

const INIT_ZERO = 0; // Y = A X
const INIT_BIAS = 1; // Y = A X + bias[row]
const INIT_ACCUM = 2; // Y += A X

// 4 rows x 8 columns per step: 8 accumulators, per tap 2 input loads + 4 weight broadcasts.
function gemmRows4(a: usize, offs: usize, J: i32, x: usize, y: usize, yStride: usize, m0: i32, m1: i32, mode: i32, bias: usize): void {
  const offsEnd = offs + (<usize>J << 2);
  const y1 = y + yStride, y2 = y1 + yStride, y3 = y2 + yStride;
  let m = m0;
  for (; m + 8 <= m1; m += 8) {
    const xc = x + (<usize>m << 2);
    const c = <usize>m << 2;
    let a00: v128, a01: v128, a10: v128, a11: v128, a20: v128, a21: v128, a30: v128, a31: v128;
    if (mode == INIT_ACCUM) {
      a00 = v128.load(y + c); a01 = v128.load(y + c, 16);
      a10 = v128.load(y1 + c); a11 = v128.load(y1 + c, 16);
      a20 = v128.load(y2 + c); a21 = v128.load(y2 + c, 16);
      a30 = v128.load(y3 + c); a31 = v128.load(y3 + c, 16);
    } else if (mode == INIT_BIAS) {
      a00 = a01 = v128.load_splat<f32>(bias);
      a10 = a11 = v128.load_splat<f32>(bias, 4);
      a20 = a21 = v128.load_splat<f32>(bias, 8);
      a30 = a31 = v128.load_splat<f32>(bias, 12);
    } else {
      a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = f32x4.splat(0);
    }
    let ap = a;
    for (let op = offs; op < offsEnd; op += 4) {
      const xp = xc + <usize>load<i32>(op);
      const x0 = v128.load(xp);
      const x1 = v128.load(xp, 16);
      let w = v128.load_splat<f32>(ap);
      a00 = fma(w, x0, a00); a01 = fma(w, x1, a01);
      w = v128.load_splat<f32>(ap, 4);
      a10 = fma(w, x0, a10); a11 = fma(w, x1, a11);
      w = v128.load_splat<f32>(ap, 8);
      a20 = fma(w, x0, a20); a21 = fma(w, x1, a21);
      w = v128.load_splat<f32>(ap, 12);
      a30 = fma(w, x0, a30); a31 = fma(w, x1, a31);
      ap += 16;
    }
    v128.store(y + c, a00); v128.store(y + c, a01, 16);
    v128.store(y1 + c, a10); v128.store(y1 + c, a11, 16);
    v128.store(y2 + c, a20); v128.store(y2 + c, a21, 16);
    v128.store(y3 + c, a30); v128.store(y3 + c, a31, 16);
  }
  for (; m + 4 <= m1; m += 4) {
    const xc = x + (<usize>m << 2);
    const c = <usize>m << 2;
    let a0: v128, a1: v128, a2: v128, a3: v128;
    if (mode == INIT_ACCUM) {
      a0 = v128.load(y + c); a1 = v128.load(y1 + c); a2 = v128.load(y2 + c); a3 = v128.load(y3 + c);
    } else if (mode == INIT_BIAS) {
      a0 = v128.load_splat<f32>(bias); a1 = v128.load_splat<f32>(bias, 4);
      a2 = v128.load_splat<f32>(bias, 8); a3 = v128.load_splat<f32>(bias, 12);
    } else {
      a0 = a1 = a2 = a3 = f32x4.splat(0);
    }
    let ap = a;
    for (let op = offs; op < offsEnd; op += 4) {
      const x0 = v128.load(xc + <usize>load<i32>(op));
      a0 = fma(v128.load_splat<f32>(ap), x0, a0);
      a1 = fma(v128.load_splat<f32>(ap, 4), x0, a1);
      a2 = fma(v128.load_splat<f32>(ap, 8), x0, a2);
      a3 = fma(v128.load_splat<f32>(ap, 12), x0, a3);
      ap += 16;
    }
    v128.store(y + c, a0); v128.store(y1 + c, a1); v128.store(y2 + c, a2); v128.store(y3 + c, a3);
  }
  for (; m < m1; m++) {
    const xc = x + (<usize>m << 2);
    const c = <usize>m << 2;
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let ap = a;
    for (let op = offs; op < offsEnd; op += 4) {
      const v = load<f32>(xc + <usize>load<i32>(op));
      s0 += load<f32>(ap) * v; s1 += load<f32>(ap, 4) * v;
      s2 += load<f32>(ap, 8) * v; s3 += load<f32>(ap, 12) * v;
      ap += 16;
    }
    if (mode == INIT_ACCUM) {
      s0 += load<f32>(y + c); s1 += load<f32>(y1 + c); s2 += load<f32>(y2 + c); s3 += load<f32>(y3 + c);
    } else if (mode == INIT_BIAS) {
      s0 += load<f32>(bias); s1 += load<f32>(bias, 4); s2 += load<f32>(bias, 8); s3 += load<f32>(bias, 12);
    }
    store<f32>(y + c, s0); store<f32>(y1 + c, s1); store<f32>(y2 + c, s2); store<f32>(y3 + c, s3);
  }
}

// One row (the Rows % 4 leftovers, and the single-channel output layers): 16 columns per step so four
// independent accumulator chains hide the add latency.
function gemmRow1(a: usize, offs: usize, J: i32, x: usize, y: usize, m0: i32, m1: i32, mode: i32, bias: usize): void {
  const offsEnd = offs + (<usize>J << 2);
  let m = m0;
  for (; m + 16 <= m1; m += 16) {
    const xc = x + (<usize>m << 2);
    const yc = y + (<usize>m << 2);
    let a0: v128, a1: v128, a2: v128, a3: v128;
    if (mode == INIT_ACCUM) {
      a0 = v128.load(yc); a1 = v128.load(yc, 16); a2 = v128.load(yc, 32); a3 = v128.load(yc, 48);
    } else if (mode == INIT_BIAS) {
      a0 = a1 = a2 = a3 = v128.load_splat<f32>(bias);
    } else {
      a0 = a1 = a2 = a3 = f32x4.splat(0);
    }
    let ap = a;
    for (let op = offs; op < offsEnd; op += 4) {
      const xp = xc + <usize>load<i32>(op);
      const w = v128.load_splat<f32>(ap);
      a0 = fma(w, v128.load(xp), a0);
      a1 = fma(w, v128.load(xp, 16), a1);
      a2 = fma(w, v128.load(xp, 32), a2);
      a3 = fma(w, v128.load(xp, 48), a3);
      ap += 4;
    }
    v128.store(yc, a0); v128.store(yc, a1, 16); v128.store(yc, a2, 32); v128.store(yc, a3, 48);
  }
  for (; m + 4 <= m1; m += 4) {
    const xc = x + (<usize>m << 2);
    const yc = y + (<usize>m << 2);
    let a0: v128;
    if (mode == INIT_ACCUM) a0 = v128.load(yc);
    else if (mode == INIT_BIAS) a0 = v128.load_splat<f32>(bias);
    else a0 = f32x4.splat(0);
    let ap = a;
    for (let op = offs; op < offsEnd; op += 4) {
      a0 = fma(v128.load_splat<f32>(ap), v128.load(xc + <usize>load<i32>(op)), a0);
      ap += 4;
    }
    v128.store(yc, a0);
  }
  for (; m < m1; m++) {
    const xc = x + (<usize>m << 2);
    const yc = y + (<usize>m << 2);
    let s: f32 = 0;
    let ap = a;
    for (let op = offs; op < offsEnd; op += 4) {
      s += load<f32>(ap) * load<f32>(xc + <usize>load<i32>(op));
      ap += 4;
    }
    if (mode == INIT_ACCUM) s += load<f32>(yc);
    else if (mode == INIT_BIAS) s += load<f32>(bias);
    store<f32>(yc, s);
  }
}

/** All Rows rows of the shifted-row GEMM over columns [m0, m1). */
function gemm(a: usize, offs: usize, J: i32, Rows: i32, x: usize, y: usize, yStride: usize, m0: i32, m1: i32, mode: i32, bias: usize): void {
  const R4 = Rows & ~3;
  const aRowBytes = <usize>J << 2;
  for (let r = 0; r < R4; r += 4) {
    gemmRows4(a + <usize>r * aRowBytes, offs, J, x, y + <usize>r * yStride, yStride, m0, m1, mode, bias + (<usize>r << 2));
  }
  for (let r = R4; r < Rows; r++) {
    gemmRow1(a + <usize>r * aRowBytes, offs, J, x, y + <usize>r * yStride, m0, m1, mode, bias + (<usize>r << 2));
  }
}

// ---------------------------------------------------------------------------------------------------
// Packing

/** Weights of a conv as GEMM rows: A[co, j = ci*K + k] = w[co*wsCo + ci*wsCi + k], rows in blocks of 4
 * stored [J][4] so the micro-kernel reads 4 rows' taps with one contiguous 16-byte step. */
function packConvWeights(w: usize, wsCo: i32, wsCi: i32, Cout: i32, Cin: i32, K: i32, dst: usize): void {
  const J = Cin * K;
  const R4 = Cout & ~3;
  for (let co = 0; co < Cout; co++) {
    const blk = co < R4 ? 4 : 1; // width of this row's block
    const rowBase = co < R4 ? co & ~3 : co;
    const lane = co - rowBase;
    const base = dst + ((<usize>rowBase * <usize>J) << 2);
    for (let ci = 0; ci < Cin; ci++) {
      for (let k = 0; k < K; k++) {
        const j = ci * K + k;
        store<f32>(base + ((<usize>(j * blk + lane)) << 2), load<f32>(w + ((<usize>(co * wsCo + ci * wsCi + k)) << 2)));
      }
    }
  }
}

/** Weights of a transposed conv as GEMM rows (co, r) over taps j = (ci, q): A[co*s + r, ci*Q + q] =
 * w[ci*wsCi + co*wsCo + q*s + r], zero where q*s + r >= K. */
function packConvTWeights(w: usize, wsCi: i32, wsCo: i32, Cin: i32, Cout: i32, K: i32, s: i32, dst: usize): void {
  const Q = ceilDiv(K, s);
  const J = Cin * Q;
  const Rows = Cout * s;
  const R4 = Rows & ~3;
  for (let row = 0; row < Rows; row++) {
    const co = row / s, r = row - co * s;
    const blk = row < R4 ? 4 : 1;
    const rowBase = row < R4 ? row & ~3 : row;
    const lane = row - rowBase;
    const base = dst + ((<usize>rowBase * <usize>J) << 2);
    for (let ci = 0; ci < Cin; ci++) {
      for (let q = 0; q < Q; q++) {
        const k = q * s + r;
        const v: f32 = k < K ? load<f32>(w + ((<usize>(ci * wsCi + co * wsCo + k)) << 2)) : 0;
        store<f32>(base + ((<usize>((ci * Q + q) * blk + lane)) << 2), v);
      }
    }
  }
}

// The input of a convolution that follows an ELU can be the ELU's input z instead (`elu`): packing
// applies the ELU as it copies, which saves the separate pass over the activation (and, in a forward
// pass that keeps no activations, the activation itself). When the ELU's output is wanted too (a
// training graph keeps it for the backward), `act` receives it: every x element is packed exactly once
// where the pack covers x (packCovers / packShiftedCovers; the exported kernels fall back otherwise),
// so act may be z's own buffer. Values are bit for bit eluForward's.

/** ELU of one float through the vector code, so a tail element gets a lane's bits. */
// @ts-ignore: decorator
@inline function elu1(v: f32): f32 {
  return f32x4.extract_lane(elux4(f32x4.splat(v)), 0);
}

/** dst[i] = src[i] for i < n (any alignment), or ELU(src[i]) when `elu`, also into act[i] when act != 0. */
function copyRow(src: usize, dst: usize, n: i32, elu: bool, act: usize): void {
  if (!elu) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  let i = 0;
  if (act != 0) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const v = elux4(v128.load(src + o));
      v128.store(dst + o, v);
      v128.store(act + o, v);
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, elux4(v128.load(src + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = elu1(load<f32>(src + o));
    store<f32>(dst + o, v);
    if (act != 0) store<f32>(act + o, v);
  }
}

/** Whether packConvInput reads every one of the Tin columns (it reads those below s*L - p). */
@inline function packCovers(Tin: i32, s: i32, p: i32, L: i32): bool {
  return s * L - p >= Tin;
}

/** Phase-split, zero-padded input of a strided conv: dst[ci*s + r][i] = x[ci][s*i + r - p] for i < L
 * (through ELU when `elu`, and act [Cin, Tin] gets the ELU values when act != 0). */
function packConvInput(x: usize, Cin: i32, Tin: i32, s: i32, p: i32, L: i32, dst: usize, elu: bool, act: usize): void {
  const rowBytes = <usize>L << 2;
  for (let ci = 0; ci < Cin; ci++) {
    const src = x + ((<usize>(ci * Tin)) << 2);
    const actRow = act != 0 ? act + ((<usize>(ci * Tin)) << 2) : 0;
    const d = dst + <usize>(ci * s) * rowBytes;
    if (s == 1) {
      // i in [lo, hi) reads x[i - p] inside [0, Tin); everything else is padding.
      const lo = min(p, L), hi = max(min(Tin + p, L), lo);
      memory.fill(d, 0, <usize>lo << 2);
      if (hi > lo) {
        const from = <usize>(lo - p) << 2;
        copyRow(src + from, d + (<usize>lo << 2), hi - lo, elu, actRow != 0 ? actRow + from : 0);
      }
      memory.fill(d + (<usize>hi << 2), 0, <usize>(L - hi) << 2);
      continue;
    }
    let i = 0;
    if (s == 4) {
      // The stride-4 layers are the common strided case: away from the edges, 4 loads of 4
      // consecutive samples and one 4x4 transpose give 4 columns of all four phase rows.
      const iA = min(ceilDiv(p, 4), L);
      packColumns(src, Tin, s, p, d, rowBytes, 0, iA, elu, actRow);
      i = iA;
      const d1 = d + rowBytes, d2 = d1 + rowBytes, d3 = d2 + rowBytes;
      for (; i + 4 <= L && 4 * i + 15 - p < Tin; i += 4) {
        const sp = src + (<usize>(4 * i - p) << 2);
        let v0 = v128.load(sp), v1 = v128.load(sp, 16), v2 = v128.load(sp, 32), v3 = v128.load(sp, 48);
        if (elu) {
          v0 = elux4(v0); v1 = elux4(v1); v2 = elux4(v2); v3 = elux4(v3);
          if (actRow != 0) {
            const ap = actRow + (<usize>(4 * i - p) << 2);
            v128.store(ap, v0); v128.store(ap, v1, 16); v128.store(ap, v2, 32); v128.store(ap, v3, 48);
          }
        }
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5); // v0[0] v1[0] v0[1] v1[1]
        const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        const c = <usize>i << 2;
        v128.store(d + c, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
        v128.store(d1 + c, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
        v128.store(d2 + c, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
        v128.store(d3 + c, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      }
    }
    packColumns(src, Tin, s, p, d, rowBytes, i, L, elu, actRow);
  }
}

// Columns [i0, i1) of all s phase rows of one input channel, with bounds checks (ELU and act as packConvInput's).
function packColumns(src: usize, Tin: i32, s: i32, p: i32, d: usize, rowBytes: usize, i0: i32, i1: i32, elu: bool, act: usize): void {
  for (let r = 0; r < s; r++) {
    const dr = d + <usize>r * rowBytes;
    for (let i = i0; i < i1; i++) {
      const t = s * i + r - p;
      let v: f32 = 0;
      if (t >= 0 && t < Tin) {
        v = load<f32>(src + (<usize>t << 2));
        if (elu) {
          v = elu1(v);
          if (act != 0) store<f32>(act + (<usize>t << 2), v);
        }
      }
      store<f32>(dr + (<usize>i << 2), v);
    }
  }
}

/** Whether packShifted reads every one of the Tin columns. */
@inline function packShiftedCovers(Tin: i32, shift: i32, L: i32): bool {
  return shift <= 0 && L + shift >= Tin;
}

/** Shifted, zero-padded copy of a transposed conv's input: dst[ci][i] = x[ci][i + shift] for i < L
 * (ELU and act as packConvInput's). */
function packShifted(x: usize, Cin: i32, Tin: i32, shift: i32, L: i32, dst: usize, elu: bool, act: usize): void {
  const rowBytes = <usize>L << 2;
  const lo = min(max(-shift, 0), L), hi = max(min(Tin - shift, L), lo);
  for (let ci = 0; ci < Cin; ci++) {
    const d = dst + <usize>ci * rowBytes;
    memory.fill(d, 0, <usize>lo << 2);
    if (hi > lo) {
      const from = <usize>(ci * Tin + lo + shift) << 2;
      copyRow(x + from, d + (<usize>lo << 2), hi - lo, elu, act != 0 ? act + from : 0);
    }
    memory.fill(d + (<usize>hi << 2), 0, <usize>(L - hi) << 2);
  }
}

// ---------------------------------------------------------------------------------------------------
// Strided convolution core (forward of conv1d, input gradient of convTranspose1d)
// x: [B, Cin, Tin], w: element (co, ci, k) at w[co*wsCo + ci*wsCi + k], y: [B, Cout, Tout]

@inline function convOutLen(Tin: i32, K: i32, s: i32, p: i32): i32 {
  return (Tin + 2 * p - K) / s + 1;
}

// Bytes of scratch the strided-conv core needs: packed A, offsets, phase-split input.
function convScratch(Cin: i32, Cout: i32, Tin: i32, K: i32, s: i32, p: i32): usize {
  const Tout = convOutLen(Tin, K, s, p);
  const Q = ceilDiv(K, s);
  const L = rowLen(Tout + Q - 1);
  const J = Cin * K;
  return align16(<usize>(Cout * J) << 2) + align16(<usize>J << 2) + align16(<usize>(Cin * s * L) << 2);
}

function convCore(x: usize, w: usize, wsCo: i32, wsCi: i32, b: usize, y: usize,
                  B: i32, Cin: i32, Cout: i32, Tin: i32, K: i32, s: i32, p: i32, mode: i32, elu: bool, act: usize): void {
  const Tout = convOutLen(Tin, K, s, p);
  if (Tout <= 0) return;
  const Q = ceilDiv(K, s);
  const J = Cin * K;
  // Always through a padded, phase-split copy, even for stride 1 without padding: besides making the
  // edges branch-free, its row length breaks the power-of-two stride of x (measured 20-30% faster).
  const L = rowLen(Tout + Q - 1);
  const base = scratch(convScratch(Cin, Cout, Tin, K, s, p));
  const a = base;
  const offs = a + align16(<usize>(Cout * J) << 2);
  const xs = offs + align16(<usize>J << 2);
  packConvWeights(w, wsCo, wsCi, Cout, Cin, K, a);
  for (let ci = 0; ci < Cin; ci++) {
    for (let k = 0; k < K; k++) {
      const q = k / s, r = k - q * s;
      store<i32>(offs + (<usize>(ci * K + k) << 2), ((ci * s + r) * L + q) << 2);
    }
  }
  const tile = tileFor(Cin * s);
  const yStride = <usize>Tout << 2;
  for (let bi = 0; bi < B; bi++) {
    const xb = x + ((<usize>bi * <usize>(Cin * Tin)) << 2);
    const yb = y + ((<usize>bi * <usize>(Cout * Tout)) << 2);
    packConvInput(xb, Cin, Tin, s, p, L, xs, elu, act != 0 ? act + ((<usize>bi * <usize>(Cin * Tin)) << 2) : 0);
    for (let m0 = 0; m0 < Tout; m0 += tile) {
      gemm(a, offs, J, Cout, xs, yb, yStride, m0, min(m0 + tile, Tout), mode, b);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Transposed convolution core (forward of convTranspose1d, input gradient of conv1d)
// x: [B, Cin, Tin], w: element (ci, co, k) at w[ci*wsCi + co*wsCo + k], y: [B, Cout, Ty]
// Ty is the output row length: the natural (Tin-1)*s - 2p + K for convTranspose1d, or the conv's input
// length for its input gradient (which may exceed it by up to s-1 columns the forward conv dropped).

function convTScratch(Cin: i32, Cout: i32, Tin: i32, Ty: i32, K: i32, s: i32, p: i32): usize {
  const Q = ceilDiv(K, s);
  const mLo = p / s;
  const M = (Ty - 1 + p) / s - mLo + 1;
  const L = rowLen(M + Q - 1);
  const J = Cin * Q;
  const Rows = Cout * s;
  const tile = tileFor(Cin);
  const ys: usize = s == 1 ? 0 : align16(<usize>(Rows * tile) << 2);
  return align16(<usize>(Rows * J) << 2) + align16(<usize>J << 2) + align16(<usize>(Cin * L) << 2) + ys;
}

function convTCore(x: usize, w: usize, wsCi: i32, wsCo: i32, b: usize, y: usize,
                   B: i32, Cin: i32, Cout: i32, Tin: i32, Ty: i32, K: i32, s: i32, p: i32, mode: i32, elu: bool, act: usize): void {
  if (Ty <= 0) return;
  const Q = ceilDiv(K, s);
  // Output u = s*m + r - p; the columns m that reach [0, Ty) for some phase r:
  const mLo = p / s;
  const M = (Ty - 1 + p) / s - mLo + 1;
  const L = rowLen(M + Q - 1);
  const J = Cin * Q;
  const Rows = Cout * s;
  const tile = tileFor(Cin);
  const base = scratch(convTScratch(Cin, Cout, Tin, Ty, K, s, p));
  const a = base;
  const offs = a + align16(<usize>(Rows * J) << 2);
  const xs = offs + align16(<usize>J << 2);
  const ys = xs + align16(<usize>(Cin * L) << 2);
  packConvTWeights(w, wsCi, wsCo, Cin, Cout, K, s, a);
  // Column m of phase row (co, r) needs x[ci][m - q]; xs column i holds x[ci][i + mLo - (Q - 1)].
  for (let ci = 0; ci < Cin; ci++) {
    for (let q = 0; q < Q; q++) store<i32>(offs + (<usize>(ci * Q + q) << 2), (ci * L + Q - 1 - q) << 2);
  }
  const yRow = <usize>Ty << 2;
  for (let bi = 0; bi < B; bi++) {
    const xb = x + ((<usize>bi * <usize>(Cin * Tin)) << 2);
    const yb = y + ((<usize>bi * <usize>Cout) * yRow);
    packShifted(xb, Cin, Tin, mLo - (Q - 1), L, xs, elu, act != 0 ? act + ((<usize>bi * <usize>(Cin * Tin)) << 2) : 0);
    if (s == 1) {
      // One phase: column m lands at u = m - p = i, so the GEMM writes y directly.
      for (let m0 = 0; m0 < M; m0 += tile) {
        gemm(a, offs, J, Cout, xs, yb, yRow, m0, min(m0 + tile, M), mode, b);
      }
      continue;
    }
    for (let m0 = 0; m0 < M; m0 += tile) {
      const m1 = min(m0 + tile, M);
      // Phase rows into scratch (columns indexed from m0), then interleave into y.
      gemm(a, offs, J, Rows, xs, ys - (<usize>m0 << 2), <usize>tile << 2, m0, m1, INIT_ZERO, 0);
      interleave(ys, tile, m0, m1, yb, Cout, Ty, s, p - s * mLo, mode, b);
    }
  }
}

/** y[co][s*i + r - p0] (+)= ys[co*s + r][i - m0] (+ bias[co]) for i in [m0, m1), within [0, Ty). */
function interleave(ys: usize, tile: i32, m0: i32, m1: i32, y: usize, Cout: i32, Ty: i32, s: i32, p0: i32, mode: i32, b: usize): void {
  const tileBytes = <usize>tile << 2;
  const yRow = <usize>Ty << 2;
  for (let co = 0; co < Cout; co++) {
    const yr = y + <usize>co * yRow;
    const bias: f32 = mode == INIT_BIAS && b != 0 ? load<f32>(b + (<usize>co << 2)) : 0;
    const src = ys + <usize>(co * s) * tileBytes;
    let i = m0;
    if (s == 4) {
      // Columns i whose four outputs 4i - p0 .. 4i - p0 + 3 all lie inside y: a 4x4 transpose
      // turns four phase vectors (4 columns each) into 16 consecutive outputs.
      const iLo = max(m0, ceilDiv(p0, 4));
      for (; i < iLo; i++) interleaveColumn(src, tileBytes, i - m0, yr, 4 * i - p0, s, Ty, mode, bias);
      const bv = f32x4.splat(bias);
      for (; i + 4 <= m1 && 4 * i + 15 - p0 < Ty; i += 4) {
        const c = <usize>(i - m0) << 2;
        const v0 = v128.load(src + c), v1 = v128.load(src + tileBytes + c);
        const v2 = v128.load(src + 2 * tileBytes + c), v3 = v128.load(src + 3 * tileBytes + c);
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        let o0 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5);
        let o1 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7);
        let o2 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5);
        let o3 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7);
        const yp = yr + (<usize>(4 * i - p0) << 2);
        if (mode == INIT_ACCUM) {
          o0 = f32x4.add(o0, v128.load(yp)); o1 = f32x4.add(o1, v128.load(yp, 16));
          o2 = f32x4.add(o2, v128.load(yp, 32)); o3 = f32x4.add(o3, v128.load(yp, 48));
        } else {
          o0 = f32x4.add(o0, bv); o1 = f32x4.add(o1, bv); o2 = f32x4.add(o2, bv); o3 = f32x4.add(o3, bv);
        }
        v128.store(yp, o0); v128.store(yp, o1, 16); v128.store(yp, o2, 32); v128.store(yp, o3, 48);
      }
    }
    for (; i < m1; i++) interleaveColumn(src, tileBytes, i - m0, yr, s * i - p0, s, Ty, mode, bias);
  }
}

@inline function interleaveColumn(src: usize, tileBytes: usize, col: i32, yr: usize, u0: i32, s: i32, Ty: i32, mode: i32, bias: f32): void {
  for (let r = 0; r < s; r++) {
    const u = u0 + r;
    if (u < 0 || u >= Ty) continue;
    const v = load<f32>(src + <usize>r * tileBytes + (<usize>col << 2));
    const yp = yr + (<usize>u << 2);
    store<f32>(yp, mode == INIT_ACCUM ? load<f32>(yp) + v : v + bias);
  }
}

// ---------------------------------------------------------------------------------------------------
// Weight gradient core: dw[co, ci, k] += sum_{b,t} dy[b, co, t] * x[b, ci, s*t + k - p]
// x: [B, Cin, Tin], dy: [B, Cout, Tout], dw: [Cout, Cin, K]

function wgradScratch(Cin: i32, Cout: i32, Tin: i32, K: i32, s: i32, p: i32): usize {
  const Tout = convOutLen(Tin, K, s, p);
  const Q = ceilDiv(K, s);
  const L = rowLen(Tout + Q - 1);
  const J = Cin * K;
  return align16(<usize>(Cout * J) << 4) + align16(<usize>J << 2) + align16(<usize>(Cin * s * L) << 2);
}

// 4 rows of dy x 2 taps, reduced along t in vectors: 8 accumulators, per 4 columns 6 loads.
// acc: [4 rows][J] v128 partial sums (row stride accRow bytes), t in [t0, t1), t1 - t0 a multiple of 4.
function wgradRows4(dy: usize, dyStride: usize, x: usize, offs: usize, J: i32, acc: usize, accRow: usize, t0: i32, t1: i32): void {
  const d1 = dy + dyStride, d2 = d1 + dyStride, d3 = d2 + dyStride;
  const cEnd = <usize>t1 << 2;
  let j = 0;
  for (; j + 2 <= J; j += 2) {
    const x0 = x + <usize>load<i32>(offs + (<usize>j << 2));
    const x1 = x + <usize>load<i32>(offs + (<usize>j << 2), 4);
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    for (let c = <usize>t0 << 2; c < cEnd; c += 16) {
      const u0 = v128.load(x0 + c), u1 = v128.load(x1 + c);
      let d = v128.load(dy + c);
      a00 = fma(d, u0, a00); a01 = fma(d, u1, a01);
      d = v128.load(d1 + c);
      a10 = fma(d, u0, a10); a11 = fma(d, u1, a11);
      d = v128.load(d2 + c);
      a20 = fma(d, u0, a20); a21 = fma(d, u1, a21);
      d = v128.load(d3 + c);
      a30 = fma(d, u0, a30); a31 = fma(d, u1, a31);
    }
    const p = acc + (<usize>j << 4);
    v128.store(p, f32x4.add(v128.load(p), a00)); v128.store(p, f32x4.add(v128.load(p, 16), a01), 16);
    const p1 = p + accRow;
    v128.store(p1, f32x4.add(v128.load(p1), a10)); v128.store(p1, f32x4.add(v128.load(p1, 16), a11), 16);
    const p2 = p1 + accRow;
    v128.store(p2, f32x4.add(v128.load(p2), a20)); v128.store(p2, f32x4.add(v128.load(p2, 16), a21), 16);
    const p3 = p2 + accRow;
    v128.store(p3, f32x4.add(v128.load(p3), a30)); v128.store(p3, f32x4.add(v128.load(p3, 16), a31), 16);
  }
  for (; j < J; j++) {
    const x0 = x + <usize>load<i32>(offs + (<usize>j << 2));
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let c = <usize>t0 << 2; c < cEnd; c += 16) {
      const u0 = v128.load(x0 + c);
      a0 = fma(v128.load(dy + c), u0, a0);
      a1 = fma(v128.load(d1 + c), u0, a1);
      a2 = fma(v128.load(d2 + c), u0, a2);
      a3 = fma(v128.load(d3 + c), u0, a3);
    }
    const p = acc + (<usize>j << 4);
    v128.store(p, f32x4.add(v128.load(p), a0));
    v128.store(p + accRow, f32x4.add(v128.load(p + accRow), a1));
    v128.store(p + 2 * accRow, f32x4.add(v128.load(p + 2 * accRow), a2));
    v128.store(p + 3 * accRow, f32x4.add(v128.load(p + 3 * accRow), a3));
  }
}

// One row of dy x 4 taps (the Cout % 4 leftovers and single-channel layers).
function wgradRow1(dy: usize, x: usize, offs: usize, J: i32, acc: usize, t0: i32, t1: i32): void {
  const cEnd = <usize>t1 << 2;
  let j = 0;
  for (; j + 4 <= J; j += 4) {
    const op = offs + (<usize>j << 2);
    const x0 = x + <usize>load<i32>(op), x1 = x + <usize>load<i32>(op, 4);
    const x2 = x + <usize>load<i32>(op, 8), x3 = x + <usize>load<i32>(op, 12);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let c = <usize>t0 << 2; c < cEnd; c += 16) {
      const d = v128.load(dy + c);
      a0 = fma(d, v128.load(x0 + c), a0);
      a1 = fma(d, v128.load(x1 + c), a1);
      a2 = fma(d, v128.load(x2 + c), a2);
      a3 = fma(d, v128.load(x3 + c), a3);
    }
    const p = acc + (<usize>j << 4);
    v128.store(p, f32x4.add(v128.load(p), a0)); v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
    v128.store(p, f32x4.add(v128.load(p, 32), a2), 32); v128.store(p, f32x4.add(v128.load(p, 48), a3), 48);
  }
  for (; j < J; j++) {
    const x0 = x + <usize>load<i32>(offs + (<usize>j << 2));
    let a0 = f32x4.splat(0);
    for (let c = <usize>t0 << 2; c < cEnd; c += 16) a0 = fma(v128.load(dy + c), v128.load(x0 + c), a0);
    const p = acc + (<usize>j << 4);
    v128.store(p, f32x4.add(v128.load(p), a0));
  }
}

function wgradCore(x: usize, dy: usize, dw: usize, B: i32, Cin: i32, Cout: i32, Tin: i32, K: i32, s: i32, p: i32): void {
  const Tout = convOutLen(Tin, K, s, p);
  if (Tout <= 0) return;
  const Q = ceilDiv(K, s);
  const J = Cin * K;
  const L = rowLen(Tout + Q - 1);
  const base = scratch(wgradScratch(Cin, Cout, Tin, K, s, p));
  const acc = base; // [Cout][J] v128 partial sums over the whole batch
  const offs = acc + align16(<usize>(Cout * J) << 4);
  const xs = offs + align16(<usize>J << 2);
  const accRow = <usize>J << 4;
  memory.fill(acc, 0, <usize>Cout * accRow);
  for (let ci = 0; ci < Cin; ci++) {
    for (let k = 0; k < K; k++) {
      const q = k / s, r = k - q * s;
      store<i32>(offs + (<usize>(ci * K + k) << 2), ((ci * s + r) * L + q) << 2);
    }
  }
  const T4 = Tout & ~3;
  const dyRow = <usize>Tout << 2;
  const R4 = Cout & ~3;
  for (let bi = 0; bi < B; bi++) {
    const xb = x + ((<usize>bi * <usize>(Cin * Tin)) << 2);
    const dyb = dy + <usize>bi * <usize>Cout * dyRow;
    packConvInput(xb, Cin, Tin, s, p, L, xs, false, 0);
    const X = xs;
    // Whole rows per pass, no time tiling: measured faster than L1-sized tiles, because every tile
    // boundary flushes the 8 accumulators to memory, while 4 dy rows and 2 input rows of one batch
    // item stream well from L2 at these lengths.
    for (let co = 0; co < R4; co += 4) {
      wgradRows4(dyb + <usize>co * dyRow, dyRow, X, offs, J, acc + <usize>co * accRow, accRow, 0, T4);
    }
    for (let co = R4; co < Cout; co++) {
      wgradRow1(dyb + <usize>co * dyRow, X, offs, J, acc + <usize>co * accRow, 0, T4);
    }
    // The last Tout % 4 columns, scalar, straight into dw.
    if (T4 < Tout) {
      for (let co = 0; co < Cout; co++) {
        const dr = dyb + <usize>co * dyRow;
        for (let j = 0; j < J; j++) {
          const xr = X + <usize>load<i32>(offs + (<usize>j << 2));
          let sum: f32 = 0;
          for (let t = T4; t < Tout; t++) sum += load<f32>(dr + (<usize>t << 2)) * load<f32>(xr + (<usize>t << 2));
          const wp = dw + (<usize>(co * J + j) << 2);
          store<f32>(wp, load<f32>(wp) + sum);
        }
      }
    }
  }
  for (let co = 0; co < Cout; co++) {
    for (let j = 0; j < J; j++) {
      const wp = dw + (<usize>(co * J + j) << 2);
      store<f32>(wp, load<f32>(wp) + hsum(v128.load(acc + <usize>co * accRow + (<usize>j << 4))));
    }
  }
}

// db[c] += sum_{b,t} dy[b, c, t];  dy: [B, C, T], db: [C]
function biasGradCore(dy: usize, db: usize, B: i32, C: i32, T: i32): void {
  const T16 = T & ~15;
  for (let c = 0; c < C; c++) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let tail: f32 = 0;
    for (let bi = 0; bi < B; bi++) {
      const row = dy + ((<usize>(bi * C + c) * <usize>T) << 2);
      for (let t = 0; t < T16; t += 16) {
        const pp = row + (<usize>t << 2);
        a0 = f32x4.add(a0, v128.load(pp)); a1 = f32x4.add(a1, v128.load(pp, 16));
        a2 = f32x4.add(a2, v128.load(pp, 32)); a3 = f32x4.add(a3, v128.load(pp, 48));
      }
      for (let t = T16; t < T; t++) tail += load<f32>(row + (<usize>t << 2));
    }
    const bp = db + (<usize>c << 2);
    store<f32>(bp, load<f32>(bp) + hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3))) + tail);
  }
}

// ---------------------------------------------------------------------------------------------------
// Exported kernels. Pointers are byte offsets into this module's memory; a zero pointer means "none"
// (no bias, or skip that gradient: alloc never returns 0). Gradients accumulate with +=, except dx
// when dxOverwrite is set: then dx is written without being read (the training graph sets it where
// dx is the first gradient its buffer receives, instead of zeroing the buffer and adding into it).

/** Output length of conv1d: floor((Tin + 2p - K) / s) + 1. */
export function conv1dOutLength(Tin: i32, K: i32, stride: i32, pad: i32): i32 {
  return convOutLen(Tin, K, stride, pad);
}

/** Output length of convTranspose1d: (Tin - 1) * s - 2p + K. */
export function convTranspose1dOutLength(Tin: i32, K: i32, stride: i32, pad: i32): i32 {
  return (Tin - 1) * stride - 2 * pad + K;
}

/** Scratch bytes conv1d and its backward need at this shape (reserve the max over a model up front). */
export function conv1dScratchBytes(Cin: i32, Cout: i32, Tin: i32, K: i32, stride: i32, pad: i32): usize {
  const Tout = convOutLen(Tin, K, stride, pad);
  return max(max(convScratch(Cin, Cout, Tin, K, stride, pad), wgradScratch(Cin, Cout, Tin, K, stride, pad)),
    convTScratch(Cout, Cin, Tout, Tin, K, stride, pad));
}

/** Scratch bytes convTranspose1d and its backward need at this shape. */
export function convTranspose1dScratchBytes(Cin: i32, Cout: i32, Tin: i32, K: i32, stride: i32, pad: i32): usize {
  const Tout = (Tin - 1) * stride - 2 * pad + K;
  return max(max(convTScratch(Cin, Cout, Tin, Tout, K, stride, pad), wgradScratch(Cout, Cin, Tout, K, stride, pad)),
    convScratch(Cout, Cin, Tout, K, stride, pad));
}

// x: [B, Cin, Tin], w: [Cout, Cin, K], b: [Cout] or 0, y: [B, Cout, Tout]. With inputElu, the conv of
// ELU(x), and act (0: none) [B, Cin, Tin] receives ELU(x); act may be x itself.
export function conv1d(x: usize, w: usize, b: usize, y: usize,
                       B: i32, Cin: i32, Cout: i32, Tin: i32, K: i32, stride: i32, pad: i32, inputElu: bool, act: usize): void {
  const mode = b != 0 ? INIT_BIAS : INIT_ZERO;
  const L = rowLen(convOutLen(Tin, K, stride, pad) + ceilDiv(K, stride) - 1);
  if (inputElu && act != 0 && !packCovers(Tin, stride, pad, L)) {
    // The pack skips columns the conv never reads, but act must hold all of them: a pass of its own.
    eluForward(x, act, B * Cin * Tin);
    convCore(act, w, Cin * K, K, b, y, B, Cin, Cout, Tin, K, stride, pad, mode, false, 0);
    return;
  }
  convCore(x, w, Cin * K, K, b, y, B, Cin, Cout, Tin, K, stride, pad, mode, inputElu, act);
}

// x: [B, Cin, Tin], w: [Cout, Cin, K], dy: [B, Cout, Tout]; dx: [B, Cin, Tin] += (= with dxOverwrite), dw: [Cout, Cin, K] +=, db: [Cout] +=
export function conv1dBackward(x: usize, w: usize, dy: usize, dx: usize, dw: usize, db: usize,
                               B: i32, Cin: i32, Cout: i32, Tin: i32, K: i32, stride: i32, pad: i32, dxOverwrite: bool): void {
  const Tout = convOutLen(Tin, K, stride, pad);
  if (db != 0) biasGradCore(dy, db, B, Cout, Tout);
  if (dw != 0) wgradCore(x, dy, dw, B, Cin, Cout, Tin, K, stride, pad);
  // dx = convTranspose(dy) with w [Cout, Cin, K] as the transposed conv's [Cin', Cout', K].
  // Every column of dx is written (the transposed core covers all Tin outputs), so overwriting is exact.
  if (dx != 0) convTCore(dy, w, Cin * K, K, 0, dx, B, Cout, Cin, Tout, Tin, K, stride, pad, dxOverwrite ? INIT_ZERO : INIT_ACCUM, false, 0);
}

// x: [B, Cin, Tin], w: [Cin, Cout, K], b: [Cout] or 0, y: [B, Cout, (Tin-1)*s - 2p + K]; inputElu and
// act as conv1d's.
export function convTranspose1d(x: usize, w: usize, b: usize, y: usize,
                                B: i32, Cin: i32, Cout: i32, Tin: i32, K: i32, stride: i32, pad: i32, inputElu: bool, act: usize): void {
  const Tout = (Tin - 1) * stride - 2 * pad + K;
  const mode = b != 0 ? INIT_BIAS : INIT_ZERO;
  const Q = ceilDiv(K, stride);
  const mLo = pad / stride;
  const L = rowLen((Tout - 1 + pad) / stride - mLo + 1 + Q - 1);
  if (inputElu && act != 0 && !packShiftedCovers(Tin, mLo - (Q - 1), L)) {
    eluForward(x, act, B * Cin * Tin);
    convTCore(act, w, Cout * K, K, b, y, B, Cin, Cout, Tin, Tout, K, stride, pad, mode, false, 0);
    return;
  }
  convTCore(x, w, Cout * K, K, b, y, B, Cin, Cout, Tin, Tout, K, stride, pad, mode, inputElu, act);
}

// x: [B, Cin, Tin], w: [Cin, Cout, K], dy: [B, Cout, Tout]; dx: [B, Cin, Tin] += (= with dxOverwrite), dw: [Cin, Cout, K] +=, db: [Cout] +=
export function convTranspose1dBackward(x: usize, w: usize, dy: usize, dx: usize, dw: usize, db: usize,
                                        B: i32, Cin: i32, Cout: i32, Tin: i32, K: i32, stride: i32, pad: i32, dxOverwrite: bool): void {
  const Tout = (Tin - 1) * stride - 2 * pad + K;
  if (db != 0) biasGradCore(dy, db, B, Cout, Tout);
  // dw[ci, co, k] = sum_t x[ci, t] * dy[co, s*t + k - p]: a conv weight gradient with dy as the input.
  if (dw != 0) wgradCore(dy, x, dw, B, Cout, Cin, Tout, K, stride, pad);
  // dx = conv(dy) with w [Cin, Cout, K] read as the conv's [Cout', Cin', K].
  if (dx != 0) convCore(dy, w, Cout * K, K, 0, dx, B, Cout, Cin, Tout, K, stride, pad, dxOverwrite ? INIT_ZERO : INIT_ACCUM, false, 0);
}
