// The measured ceiling of this core: a plain matrix product C[M x N] += A[M x K] B[K x N] with every
// operand in cache, run by the same register blocking as the convolutions' micro-kernel (gemmRows4 in
// conv.ts) but with none of their overheads: no offset table, no packing, no edges. `codec-lab bench`
// times it and reads each convolution kernel as a share of it. Its inner loop repeats gemmRows4's on
// purpose: running the ceiling through gemmRows4's offset table measured 10-15% lower, and that
// indirection is part of what the convolutions are measured against.

@inline function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// 4 rows x 8 columns per step (8 accumulators): the best blocking measured under V8, whose register
// allocator spills with more live vectors (6 x 8 with 12 accumulators, or 4 x 8 unrolled over two taps,
// ran at half this speed). A packed [K][4] per block of 4 rows, B rows of N floats.
function ceilRows4(a: usize, b: usize, K: i32, N: i32, c: usize): void {
  const rowB = <usize>N << 2;
  const c1 = c + rowB, c2 = c1 + rowB, c3 = c2 + rowB;
  const aEnd = a + (<usize>K << 4);
  for (let n = 0; n < N; n += 8) {
    const o = <usize>n << 2;
    let a00 = v128.load(c + o), a01 = v128.load(c + o, 16);
    let a10 = v128.load(c1 + o), a11 = v128.load(c1 + o, 16);
    let a20 = v128.load(c2 + o), a21 = v128.load(c2 + o, 16);
    let a30 = v128.load(c3 + o), a31 = v128.load(c3 + o, 16);
    let bp = b + o;
    for (let ap = a; ap < aEnd; ap += 16) {
      const x0 = v128.load(bp), x1 = v128.load(bp, 16);
      let w = v128.load_splat<f32>(ap);
      a00 = fma(w, x0, a00); a01 = fma(w, x1, a01);
      w = v128.load_splat<f32>(ap, 4);
      a10 = fma(w, x0, a10); a11 = fma(w, x1, a11);
      w = v128.load_splat<f32>(ap, 8);
      a20 = fma(w, x0, a20); a21 = fma(w, x1, a21);
      w = v128.load_splat<f32>(ap, 12);
      a30 = fma(w, x0, a30); a31 = fma(w, x1, a31);
      bp += rowB;
    }
    v128.store(c + o, a00); v128.store(c + o, a01, 16);
    v128.store(c1 + o, a10); v128.store(c1 + o, a11, 16);
    v128.store(c2 + o, a20); v128.store(c2 + o, a21, 16);
    v128.store(c3 + o, a30); v128.store(c3 + o, a31, 16);
  }
}

/**
 * C[M x N] += A[M x K] B[K x N]. a: A packed in blocks of 4 rows, each block [K][4] (lane i of tap k
 * is A[r + i, k]), as conv.ts packs weights; b: B row-major; c: C row-major. M a multiple of 4, N of 8.
 * The bench sizes it (64 x 64 by 64 x 64) so all three stay in cache.
 */
export function gemmCeiling(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32): void {
  const rowC = <usize>N << 2;
  for (let m = 0; m < M; m += 4) {
    ceilRows4(a + (<usize>(m * K) << 2), b, K, N, c + <usize>m * rowC);
  }
}
