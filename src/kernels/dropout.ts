// Inverted dropout over a flat f32 buffer of the kernel core (src/kernels/assembly/dropout.ts): each
// element dropped with probability p, the rest scaled by 1/(1-p), during training only. The mask is a
// function of (key, base + index), recomputed by the backward pass, never stored: one key per layer
// and step (dropoutKey) gives a fresh, reproducible mask each step.
import type { KernelCore } from './core.js';
import type { Ptr } from './ops.js';

/** The largest dropout probability allowed: at p = 1 nothing passes and 1/(1-p) is infinite. */
export const MAX_DROPOUT = 0.9;

export interface DropoutMask {
  /** Which mask: dropoutKey(seed, step, layer). */
  key: number;
  /** Index of the buffer's first element in the whole batch (a thread's share starts further in). */
  base: number;
  p: number;
}

/** MurmurHash3's 32-bit finaliser (the kernel's own mixer), on a JS number; returns an unsigned 32-bit value. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The mask key of dropout layer `layer` at training step `step` of a run seeded `seed`. */
export function dropoutKey(seed: number, step: number, layer: number): number {
  return fmix32(fmix32(fmix32(seed >>> 0) ^ (step >>> 0)) + Math.imul(layer + 1, 0x9e3779b9));
}

function args(m: DropoutMask): [number, number, number, number] {
  if (!(m.p >= 0 && m.p <= MAX_DROPOUT)) throw new RangeError(`dropout probability must be in [0, ${MAX_DROPOUT}], not ${m.p}`);
  const threshold = Math.min(2 ** 32 - 1, Math.round(m.p * 2 ** 32));
  return [m.key >>> 0, m.base >>> 0, threshold, 1 / (1 - m.p)];
}

/** y = x * mask / (1 - p); y may alias x. */
export function dropoutForward(core: KernelCore, x: Ptr, y: Ptr, n: number, m: DropoutMask): void {
  core.exports.dropoutForward(x, y, n, ...args(m));
}

/** dx += dy * mask / (1 - p), with the forward's mask. */
export function dropoutBackward(core: KernelCore, dy: Ptr, dx: Ptr, n: number, m: DropoutMask): void {
  core.exports.dropoutBackward(dy, dx, n, ...args(m));
}
