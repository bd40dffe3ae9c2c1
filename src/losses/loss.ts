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
 * Every loss is built for one batch shape, allocating its buffers once. `withGrad` false builds it
 * for values only (scoring): it keeps nothing for a backward, and computing a gradient throws.
 */
export type LossFactory = (core: KernelCore, B: number, T: number, withGrad?: boolean) => Loss;

