// The benchmark matrix product `codec-lab bench` reads the convolution kernels against
// (src/kernels/assembly/gemm-ceiling.ts): it must compute C += A B, on both builds, or its GFLOP/s
// would mean nothing.
import { describe, it, expect } from 'vitest';
import { KernelCore, type KernelBuild } from '../../src/kernels/core.js';
import { rng } from '../helpers.js';

describe.each(['simd', 'relaxed'] as KernelBuild[])('gemmCeiling (%s build)', (build) => {
  it.each([[4, 1, 8], [8, 5, 16], [64, 64, 64]])('C[%i x N] += A B with K = %i, N = %i', (M, K, N) => {
    const core = KernelCore.create(build);
    if (core.build !== build) return; // the runtime does not validate this build (tests/kernels/build-choice covers that)
    const r = rng(M * 1000 + K * 10 + N);
    const A = Array.from({ length: M * K }, () => Math.fround(r() * 2 - 1)); // row-major M x K
    const Bm = Array.from({ length: K * N }, () => Math.fround(r() * 2 - 1));
    const C0 = Array.from({ length: M * N }, () => Math.fround(r() * 2 - 1));
    const pa = core.allocF32(M * K), pb = core.allocF32(K * N), pc = core.allocF32(M * N);
    // A packed in blocks of 4 rows, each [K][4].
    const a = core.f32(pa, M * K);
    for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) a[(m & ~3) * K + k * 4 + (m & 3)] = A[m * K + k];
    core.f32(pb, K * N).set(Bm);
    core.f32(pc, M * N).set(C0);
    core.exports.gemmCeiling(pa, pb, pc, M, K, N);
    const got = core.f32(pc, M * N);
    let worst = 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let want = C0[m * N + n], scale = Math.abs(want);
        for (let k = 0; k < K; k++) { want += A[m * K + k] * Bm[k * N + n]; scale += Math.abs(A[m * K + k] * Bm[k * N + n]); }
        worst = Math.max(worst, Math.abs(got[m * N + n] - want) / scale);
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });
});
