// Typed wrappers over the elementwise kernels and reductions of the kernel core
// (src/kernels/assembly/ops.ts). Every pointer is a byte offset from `core.allocF32`; `n` counts
// floats. Nothing here allocates WASM memory, so these are safe to call every training step.
// Backward functions accumulate into their gradient buffer (`dx += ...`).
import type { KernelCore } from './core.js';

/** A byte offset into the core's linear memory. */
export type Ptr = number;

interface OpsExports {
  expF32(x: Ptr, y: Ptr, n: number): void;
  eluForward(x: Ptr, y: Ptr, n: number): void;
  eluBackward(y: Ptr, dy: Ptr, dx: Ptr, n: number): void;
  tanhForward(x: Ptr, y: Ptr, n: number): void;
  tanhBackward(y: Ptr, dy: Ptr, dx: Ptr, n: number): void;
  addForward(a: Ptr, b: Ptr, y: Ptr, n: number): void;
  addInPlace(y: Ptr, x: Ptr, n: number): void;
  axpy(y: Ptr, x: Ptr, a: number, n: number): void;
  scaleInPlace(x: Ptr, a: number, n: number): void;
  fillF32(y: Ptr, value: number, n: number): void;
  zeroF32(y: Ptr, n: number): void;
  copyF32(dst: Ptr, src: Ptr, n: number): void;
  sumF32(x: Ptr, n: number): number;
  sumSquares(x: Ptr, n: number): number;
  sumAbsDiff(a: Ptr, b: Ptr, n: number): number;
  absDiffBackward(a: Ptr, b: Ptr, da: Ptr, g: number, n: number): void;
  sumSqDiff(a: Ptr, b: Ptr, n: number): number;
  sqDiffBackward(a: Ptr, b: Ptr, da: Ptr, g: number, n: number): void;
  maxAbs(x: Ptr, n: number): number;
  hasNonFinite(x: Ptr, n: number): number;
}

function k(core: KernelCore): OpsExports {
  return core.exports as unknown as OpsExports;
}

/** y = exp(x) (the vector exp behind ELU and tanh; exported mainly so tests can measure it). */
export function expF32(core: KernelCore, x: Ptr, y: Ptr, n: number): void {
  k(core).expF32(x, y, n);
}

/** ELU, alpha 1. x, y: [n]; y may alias x. */
export function eluForward(core: KernelCore, x: Ptr, y: Ptr, n: number): void {
  k(core).eluForward(x, y, n);
}
/** dx += dy * ELU'(x), computed from the forward OUTPUT y (so the forward may run in place). */
export function eluBackward(core: KernelCore, y: Ptr, dy: Ptr, dx: Ptr, n: number): void {
  k(core).eluBackward(y, dy, dx, n);
}

/** y = tanh(x). y may alias x. */
export function tanhForward(core: KernelCore, x: Ptr, y: Ptr, n: number): void {
  k(core).tanhForward(x, y, n);
}
/** dx += dy * (1 - y^2), from the output y. */
export function tanhBackward(core: KernelCore, y: Ptr, dy: Ptr, dx: Ptr, n: number): void {
  k(core).tanhBackward(y, dy, dx, n);
}

/** y = a + b (residual join). Its backward is addInPlace(da, dy) and addInPlace(db, dy). */
export function addForward(core: KernelCore, a: Ptr, b: Ptr, y: Ptr, n: number): void {
  k(core).addForward(a, b, y, n);
}
/** y += x */
export function addInPlace(core: KernelCore, y: Ptr, x: Ptr, n: number): void {
  k(core).addInPlace(y, x, n);
}
/** y += a * x */
export function axpy(core: KernelCore, y: Ptr, x: Ptr, a: number, n: number): void {
  k(core).axpy(y, x, a, n);
}
/** x *= a */
export function scaleInPlace(core: KernelCore, x: Ptr, a: number, n: number): void {
  k(core).scaleInPlace(x, a, n);
}
export function fill(core: KernelCore, y: Ptr, value: number, n: number): void {
  k(core).fillF32(y, value, n);
}
export function zero(core: KernelCore, y: Ptr, n: number): void {
  k(core).zeroF32(y, n);
}
/** dst = src (overlap allowed). */
export function copy(core: KernelCore, dst: Ptr, src: Ptr, n: number): void {
  k(core).copyF32(dst, src, n);
}

/** sum x, accumulated in f64. */
export function sum(core: KernelCore, x: Ptr, n: number): number {
  return k(core).sumF32(x, n);
}
/** sum x^2, in f64 (global gradient norm = sqrt of this). */
export function sumSquares(core: KernelCore, x: Ptr, n: number): number {
  return k(core).sumSquares(x, n);
}
/** sum |a - b|, in f64. */
export function sumAbsDiff(core: KernelCore, a: Ptr, b: Ptr, n: number): number {
  return k(core).sumAbsDiff(a, b, n);
}
/** da += g * sign(a - b), sign(0) = 0: the backward of g * sumAbsDiff(a, b) in a. */
export function absDiffBackward(core: KernelCore, a: Ptr, b: Ptr, da: Ptr, g: number, n: number): void {
  k(core).absDiffBackward(a, b, da, g, n);
}
/** sum (a - b)^2, in f64. */
export function sumSqDiff(core: KernelCore, a: Ptr, b: Ptr, n: number): number {
  return k(core).sumSqDiff(a, b, n);
}
/** da += 2 g (a - b): the backward of g * sumSqDiff(a, b) in a. */
export function sqDiffBackward(core: KernelCore, a: Ptr, b: Ptr, da: Ptr, g: number, n: number): void {
  k(core).sqDiffBackward(a, b, da, g, n);
}
/** max |x| (NaN if any element is NaN; 0 for n = 0). */
export function maxAbs(core: KernelCore, x: Ptr, n: number): number {
  return k(core).maxAbs(x, n);
}
/** true if any element is NaN or +-Inf (the trainer's NaN guard). */
export function hasNonFinite(core: KernelCore, x: Ptr, n: number): boolean {
  return k(core).hasNonFinite(x, n) !== 0;
}
