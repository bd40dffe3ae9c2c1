// What every loss is: a value and, on request, its gradient with respect to the prediction.
import type { KernelCore } from '../kernels/core.js';

import type { LossName } from '../common/loss-scale.js';

export type { LossName };

export interface Loss {
  readonly name: LossName;
  /**
   * The loss of `pred` against `target` (both [B, 1, T] in the core's memory). When `grad` is not 0,
   * dL/dpred is added to it (+=), so the caller zeroes it first.
   */
  compute(pred: number, target: number, grad: number): number;
}

/**
 * A training batch split between threads (src/train/grad-team.ts), as one share's loss sees it. A
 * loss that is a mean over the batch's elements is right on each share as it is: the session
 * weights each share's loss and gradient by `weight` and adds them up. A loss built on sums over the
 * whole batch (mrstft's spectral convergence, a ratio of norms) takes the whole batch's sums from
 * allReduce, so its value and gradient do not depend on how many threads share the batch.
 */
export interface SplitBatch {
  /** This share's examples over the batch's: the session multiplies its loss and gradient by it. */
  readonly weight: number;
  /**
   * Replace `sums`, this share's partial sums, by the whole batch's (added over the shares in one
   * fixed order, so a run is reproducible for a given thread count). Every share calls it once per
   * compute, with the same number of sums.
   */
  allReduce(sums: Float64Array): void;
}

/**
 * Every loss is built for one batch shape, allocating its buffers once. `withGrad` false builds it
 * for values only (scoring): it keeps nothing for a backward, and computing a gradient throws.
 * `split`: the batch is one share of a batch split between threads (training only).
 */
export type LossFactory = (core: KernelCore, B: number, T: number, withGrad?: boolean, split?: SplitBatch) => Loss;

