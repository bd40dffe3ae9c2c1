// The vector ELU (alpha = 1), one definition for the ELU kernels (ops.ts) and for the convolutions that
// apply it while packing their input (conv.ts), so a value gets the same bits either way.
import { madd, pow2 } from './simd-math';

// ELU needs e^x - 1 only for x <= 0, so it has its own cheaper expm1 (16 vector operations per
// 4 lanes where expm1x4 takes 22; measured about 20-35% less time per element): range reduction in
// base 2, u = x log2(e) = k + f with k = round(u), |f| <= 1/2, then 2^f - 1 = f P(f) with P of degree 5
// (a relative-error minimax fit on [-1/2, 1/2]: 1.1e-8 exactly, about 1.6e-7 in float32 arithmetic),
// and e^x - 1 = 2^k (2^f - 1) + (2^k - 1). Degree 4 (one operation fewer, 5.8e-7) was not enough: the
// whole-model gradient norm of a dB loss against PyTorch (tests/nn/model-grad-torch.test.ts) moved by
// 0.3%. tests/kernels/ops.test.ts states the bound against Math.expm1. Near 0 it keeps relative
// accuracy because f P(f) has no cancellation. Only the low clamp is needed: lanes with x > 0 compute
// garbage that the final select discards (no float or integer vector op traps).
const ELU_TABLE = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0, //  0: lowest x (2^k stays a normal float)
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, // 16: log2(e)
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // 32: 1.5 * 2^23, the rounding constant
  0.6931471824645996, 0.6931471824645996, 0.6931471824645996, 0.6931471824645996, // 48: P c0
  0.24022649228572845, 0.24022649228572845, 0.24022649228572845, 0.24022649228572845, // 64: c1
  0.05550357326865196, 0.05550357326865196, 0.05550357326865196, 0.05550357326865196, // 80: c2
  0.009618237614631653, 0.009618237614631653, 0.009618237614631653, 0.009618237614631653, // 96: c3
  0.0013390731764957309, 0.0013390731764957309, 0.0013390731764957309, 0.0013390731764957309, // 112: c4
  0.0001540349912829697, 0.0001540349912829697, 0.0001540349912829697, 0.0001540349912829697, // 128: c5
  1.0, 1.0, 1.0, 1.0, // 144: one
], 16);

/** x > 0 ? x : e^x - 1 in each lane. */
// @ts-ignore: decorator
@inline export function elux4(x: v128): v128 {
  const xc = f32x4.pmax(x, v128.load(ELU_TABLE, 0));
  const log2e = v128.load(ELU_TABLE, 16);
  const t = madd(xc, log2e, v128.load(ELU_TABLE, 32)); // low mantissa bits: k = round(u)
  const f = madd(xc, log2e, f32x4.sub(v128.load(ELU_TABLE, 32), t)); // u - k (the relaxed build fuses this: no rounding of the product)
  let p = madd(v128.load(ELU_TABLE, 128), f, v128.load(ELU_TABLE, 112));
  p = madd(p, f, v128.load(ELU_TABLE, 96));
  p = madd(p, f, v128.load(ELU_TABLE, 80));
  p = madd(p, f, v128.load(ELU_TABLE, 64));
  p = madd(p, f, v128.load(ELU_TABLE, 48));
  const twoK = pow2(t);
  const e = madd(twoK, f32x4.mul(p, f), f32x4.sub(twoK, v128.load(ELU_TABLE, 144)));
  return v128.bitselect(x, e, f32x4.gt(x, f32x4.splat(0)));
}

