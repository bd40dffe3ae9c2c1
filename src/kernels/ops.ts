// Typed wrappers over the elementwise kernels and reductions of the kernel core
// (src/kernels/assembly/ops.ts). Every pointer is a byte offset from `core.allocF32`; `n` counts
// floats. Nothing here allocates WASM memory, so these are safe to call every training step.
// Backward functions accumulate into their gradient buffer (`dx += ...`).
import type { KernelCore } from './core.js';

/** A byte offset into the core's linear memory. */
export type Ptr = number;


/** y = exp(x) (the vector exp behind ELU and tanh; exported mainly so tests can measure it). */
export function expF32(core: KernelCore, x: Ptr, y: Ptr, n: number): void {
  core.exports.expF32(x, y, n);
}

/** ELU, alpha 1. x, y: [n]; y may alias x. */
export function eluForward(core: KernelCore, x: Ptr, y: Ptr, n: number): void {
  core.exports.eluForward(x, y, n);
}
/**
 * dx += dy * ELU'(x), computed from the forward OUTPUT y (so the forward may run in place); with
 * `overwrite`, dx = dy * ELU'(x) without reading dx (a first gradient into a buffer that is not zeroed).
 */
export function eluBackward(core: KernelCore, y: Ptr, dy: Ptr, dx: Ptr, n: number, overwrite = false): void {
  core.exports.eluBackward(y, dy, dx, n, overwrite);
}

/** y = tanh(x). y may alias x. */
export function tanhForward(core: KernelCore, x: Ptr, y: Ptr, n: number): void {
  core.exports.tanhForward(x, y, n);
}
/** dx += dy * (1 - y^2), from the output y; with `overwrite`, dx = dy * (1 - y^2) without reading dx. */
export function tanhBackward(core: KernelCore, y: Ptr, dy: Ptr, dx: Ptr, n: number, overwrite = false): void {
  core.exports.tanhBackward(y, dy, dx, n, overwrite);
}

/** y = a + b (residual join). Its backward is addInPlace(da, dy) and addInPlace(db, dy). */
export function addForward(core: KernelCore, a: Ptr, b: Ptr, y: Ptr, n: number): void {
  core.exports.addForward(a, b, y, n);
}
/** y += x */
export function addInPlace(core: KernelCore, y: Ptr, x: Ptr, n: number): void {
  core.exports.addInPlace(y, x, n);
}
/** y += a * x */
export function axpy(core: KernelCore, y: Ptr, x: Ptr, a: number, n: number): void {
  core.exports.axpy(y, x, a, n);
}
/** x *= a */
export function scaleInPlace(core: KernelCore, x: Ptr, a: number, n: number): void {
  core.exports.scaleInPlace(x, a, n);
}
export function fill(core: KernelCore, y: Ptr, value: number, n: number): void {
  core.exports.fillF32(y, value, n);
}
export function zero(core: KernelCore, y: Ptr, n: number): void {
  core.exports.zeroF32(y, n);
}
/** dst = src (overlap allowed). */
export function copy(core: KernelCore, dst: Ptr, src: Ptr, n: number): void {
  core.exports.copyF32(dst, src, n);
}

/** sum x, accumulated in f64. */
export function sum(core: KernelCore, x: Ptr, n: number): number {
  return core.exports.sumF32(x, n);
}
/** sum x^2, in f64 (global gradient norm = sqrt of this). */
export function sumSquares(core: KernelCore, x: Ptr, n: number): number {
  return core.exports.sumSquares(x, n);
}
/** sum |a - b|, in f64. */
export function sumAbsDiff(core: KernelCore, a: Ptr, b: Ptr, n: number): number {
  return core.exports.sumAbsDiff(a, b, n);
}
/** da += g * sign(a - b), sign(0) = 0: the backward of g * sumAbsDiff(a, b) in a. */
export function absDiffBackward(core: KernelCore, a: Ptr, b: Ptr, da: Ptr, g: number, n: number): void {
  core.exports.absDiffBackward(a, b, da, g, n);
}
/** sum (a - b)^2, in f64. */
export function sumSqDiff(core: KernelCore, a: Ptr, b: Ptr, n: number): number {
  return core.exports.sumSqDiff(a, b, n);
}
/** da += 2 g (a - b): the backward of g * sumSqDiff(a, b) in a. */
export function sqDiffBackward(core: KernelCore, a: Ptr, b: Ptr, da: Ptr, g: number, n: number): void {
  core.exports.sqDiffBackward(a, b, da, g, n);
}
/** max |x| (NaN if any element is NaN; 0 for n = 0). */
export function maxAbs(core: KernelCore, x: Ptr, n: number): number {
  return core.exports.maxAbs(x, n);
}
/** true if any element is NaN or +-Inf (the trainer's NaN guard). */
export function hasNonFinite(core: KernelCore, x: Ptr, n: number): boolean {
  return core.exports.hasNonFinite(x, n) !== 0;
}
