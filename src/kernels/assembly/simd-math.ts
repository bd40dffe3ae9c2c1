// Vector arithmetic the kernels share (not exported from the module: index.ts re-exports kernels only).

/** a * b + c, fused where the build has relaxed SIMD (a rounding difference only, never a semantic one). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** 2^k from t = k + 1.5 * 2^23 (as float): the exponent field (k + 127) << 23 from t's low bits. */
// @ts-ignore: decorator
@inline export function pow2(t: v128): v128 {
  return i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4B400000)), 23);
}
