// Typed wrappers over the optimizer updates (src/kernels/assembly/optim.ts). Buffers are flat [n]
// floats in the core; `step` is PyTorch's step count t, starting at 1 on the first update.
// Defaults follow torch.optim. Nothing here allocates WASM memory.
import type { KernelCore } from './core.js';
import type { Ptr } from './ops.js';


/** torch.optim.SGD without momentum. */
export function sgdStep(core: KernelCore, a: { p: Ptr; g: Ptr; n: number; lr: number; weightDecay?: number }): void {
  core.exports.sgdStep(a.p, a.g, a.n, a.lr, a.weightDecay ?? 0);
}

/** torch.optim.SGD with momentum (buf = momentum buffer, zeroed at start), optionally Nesterov. */
export function sgdMomentumStep(
  core: KernelCore,
  a: {
    p: Ptr; g: Ptr; buf: Ptr; n: number; lr: number; momentum: number; dampening?: number;
    weightDecay?: number; nesterov?: boolean; step: number;
  },
): void {
  core.exports.sgdMomentumStep(
    a.p, a.g, a.buf, a.n, a.lr, a.momentum, a.dampening ?? 0, a.weightDecay ?? 0, a.nesterov ? 1 : 0, a.step,
  );
}

/** torch.optim.Adagrad (sum = state_sum, zeroed at start; eps default 1e-10). */
export function adagradStep(
  core: KernelCore,
  a: { p: Ptr; g: Ptr; sum: Ptr; n: number; lr: number; lrDecay?: number; weightDecay?: number; eps?: number; step: number },
): void {
  core.exports.adagradStep(a.p, a.g, a.sum, a.n, a.lr, a.lrDecay ?? 0, a.weightDecay ?? 0, a.eps ?? 1e-10, a.step);
}

/**
 * torch.optim.RMSprop (alpha 0.99, eps 1e-8 by default). sq = square_avg; gAvg is needed only when
 * centered, buf only when momentum > 0 (pass 0 otherwise).
 */
export function rmspropStep(
  core: KernelCore,
  a: {
    p: Ptr; g: Ptr; sq: Ptr; gAvg?: Ptr; buf?: Ptr; n: number; lr: number; alpha?: number; eps?: number;
    weightDecay?: number; momentum?: number; centered?: boolean;
  },
): void {
  const momentum = a.momentum ?? 0;
  if (a.centered && !a.gAvg) throw new Error('rmspropStep: centered needs a gAvg buffer');
  if (momentum > 0 && !a.buf) throw new Error('rmspropStep: momentum needs a buf buffer');
  core.exports.rmspropStep(
    a.p, a.g, a.sq, a.gAvg ?? 0, a.buf ?? 0, a.n, a.lr, a.alpha ?? 0.99, a.eps ?? 1e-8, a.weightDecay ?? 0,
    momentum, a.centered ? 1 : 0,
  );
}

export interface AdamArgs {
  p: Ptr; g: Ptr; m: Ptr; v: Ptr; n: number; lr: number; beta1?: number; beta2?: number; eps?: number;
  weightDecay?: number; step: number;
}

/** torch.optim.Adam (amsgrad off; weight decay as L2 on the gradient). */
export function adamStep(core: KernelCore, a: AdamArgs): void {
  core.exports.adamStep(a.p, a.g, a.m, a.v, a.n, a.lr, a.beta1 ?? 0.9, a.beta2 ?? 0.999, a.eps ?? 1e-8, a.weightDecay ?? 0, a.step);
}

/** torch.optim.AdamW (decoupled weight decay; PyTorch's default weight decay is 1e-2). */
export function adamwStep(core: KernelCore, a: AdamArgs): void {
  core.exports.adamwStep(a.p, a.g, a.m, a.v, a.n, a.lr, a.beta1 ?? 0.9, a.beta2 ?? 0.999, a.eps ?? 1e-8, a.weightDecay ?? 1e-2, a.step);
}

/** Scale g by min(1, maxNorm / (||g|| + 1e-6)); returns ||g|| before clipping (NaN if g has NaN). */
export function clipGradNorm(core: KernelCore, g: Ptr, n: number, maxNorm: number): number {
  return core.exports.clipGradNorm(g, n, maxNorm);
}

/** Clamp g to [-clip, clip]. */
export function clipGradValue(core: KernelCore, g: Ptr, n: number, clip: number): void {
  core.exports.clipGradValue(g, n, clip);
}
