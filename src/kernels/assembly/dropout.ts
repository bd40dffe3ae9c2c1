// Inverted dropout (Srivastava et al. 2014, "Dropout: a simple way to prevent neural networks from
// overfitting", JMLR 15; "inverted": the kept values are scaled by 1/(1-p) during training, so
// inference uses the network as it is, as PyTorch's nn.Dropout does).
//
// The mask is never stored: element i of a tensor is dropped when h(i) < threshold, with
//   h(i) = fmix32((base + i) * 0x9E3779B9 + key)
// (fmix32: the 32-bit finaliser of MurmurHash3, Austin Appleby, public domain; a bijection with full
// avalanche, so consecutive counters give independent-looking bits). The backward pass recomputes the
// same h(i), so dropout costs no memory beyond its output, and the same (key, base + i) always drops
// the same element: a batch split between two threads (each with its own `base`) drops exactly what
// one thread would. threshold = round(p * 2^32); kept values are multiplied by `scale` = 1/(1-p).

// @ts-ignore: decorator
@inline
function fmix32x4(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x85ebca6b));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(0xc2b2ae35));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

// @ts-ignore: decorator
@inline
function keepMask(base: u32, i: i32, key: u32, threshold: u32): v128 {
  const counters = i32x4.add(i32x4.splat(base + <u32>i), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
  const h = fmix32x4(i32x4.add(i32x4.mul(counters, i32x4.splat(0x9e3779b9)), i32x4.splat(key)));
  // Kept where h >= threshold (unsigned): all ones in the lane.
  return i32x4.ge_u(h, i32x4.splat(threshold));
}

/** y = x * scale where kept, 0 where dropped. x, y: [n]; y may alias x. */
export function dropoutForward(x: usize, y: usize, n: i32, key: u32, base: u32, threshold: u32, scale: f32): void {
  const s = f32x4.splat(scale);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, v128.and(f32x4.mul(v128.load(x + o), s), keepMask(base, i, key, threshold)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const kept = i32x4.extract_lane(keepMask(base, i, key, threshold), 0) != 0;
    store<f32>(y + o, kept ? load<f32>(x + o) * scale : 0);
  }
}

/** dx += dy * scale where kept (the forward's own mask, recomputed). */
export function dropoutBackward(dy: usize, dx: usize, n: i32, key: u32, base: u32, threshold: u32, scale: f32): void {
  const s = f32x4.splat(scale);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const g = v128.and(f32x4.mul(v128.load(dy + o), s), keepMask(base, i, key, threshold));
    v128.store(dx + o, f32x4.add(v128.load(dx + o), g));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const kept = i32x4.extract_lane(keepMask(base, i, key, threshold), 0) != 0;
    if (kept) store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o) * scale);
  }
}
