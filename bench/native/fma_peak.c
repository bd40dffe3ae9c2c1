/*
 * The arithmetic peak of one core for 128-bit and 256-bit fused multiply-adds: twelve independent
 * chains of vfmadd (enough to cover the instruction's latency on both FMA pipes), timed for a few
 * seconds. The README's "where the time goes" reads `codec-lab bench` against the 128-bit figure,
 * since WebAssembly's vectors are 128 bits wide; PyTorch's kernels can use the 256-bit one.
 *
 *   gcc -O2 -mavx2 -mfma bench/native/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
 *
 * Run it on an idle machine; it prints GFLOP/s counting a fused multiply-add as two operations.
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Twelve chains a_i = x a_i + y with different starting values (the same ones would be folded into one). */
#define CHAINS(T, FMA, SET, NAME)                                                                     \
  {                                                                                                   \
    T a0 = SET(0), a1 = SET(1), a2 = SET(2), a3 = SET(3), a4 = SET(4), a5 = SET(5), a6 = SET(6);     \
    T a7 = SET(7), a8 = SET(8), a9 = SET(9), a10 = SET(10), a11 = SET(11), x = SET(0.5f), y = SET(0.25f); \
    const long n = 300000000L;                                                                        \
    double t0 = now();                                                                                \
    for (long i = 0; i < n; i++) {                                                                    \
      a0 = FMA(x, a0, y); a1 = FMA(x, a1, y); a2 = FMA(x, a2, y); a3 = FMA(x, a3, y);                \
      a4 = FMA(x, a4, y); a5 = FMA(x, a5, y); a6 = FMA(x, a6, y); a7 = FMA(x, a7, y);                \
      a8 = FMA(x, a8, y); a9 = FMA(x, a9, y); a10 = FMA(x, a10, y); a11 = FMA(x, a11, y);            \
    }                                                                                                 \
    double el = now() - t0;                                                                           \
    T s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                               \
    double flops = n * 12.0 * (sizeof(T) / 4) * 2;                                                    \
    printf("%s fused multiply-add peak: %.1f GFLOP/s (checksum %g)\n", NAME, flops / el / 1e9, (double)s[0]); \
  }

int main(void) {
  CHAINS(__m128, _mm_fmadd_ps, _mm_set1_ps, "128-bit")
  CHAINS(__m256, _mm256_fmadd_ps, _mm256_set1_ps, "256-bit")
  return 0;
}
