// The second half of a loss: how far apart the two signals are in the chosen space, as the mean over
// every value compared (auraloss/freq.py hands its features to torch.nn.L1Loss or MSELoss, both
// reduction="mean"; here the same on the kernel core's SIMD sums, accumulated in float64).
//   l1  mean |a - b|     every error counts in proportion to its size
//   l2  mean (a - b)^2   squared: large errors count far more than small ones
import type { KernelCore } from '../kernels/core.js';
import { absDiffBackward, sqDiffBackward, sumAbsDiff, sumSqDiff } from '../kernels/ops.js';
import type { LossDistance } from '../common/loss-scale.js';
import type { Ptr } from './transform.js';

export interface Distance {
  /** The mean distance between a and b, n values each. */
  forward(core: KernelCore, a: Ptr, b: Ptr, n: number): number;
  /** da += d forward / d a. */
  backward(core: KernelCore, a: Ptr, b: Ptr, da: Ptr, n: number): void;
}

export const DISTANCES: Record<LossDistance, Distance> = {
  l1: {
    forward: (core, a, b, n) => sumAbsDiff(core, a, b, n) / n,
    // sign(a - b) / n, with sign(0) = 0: a perfect prediction gets no push.
    backward: (core, a, b, da, n) => absDiffBackward(core, a, b, da, 1 / n, n),
  },
  l2: {
    forward: (core, a, b, n) => sumSqDiff(core, a, b, n) / n,
    // 2 (a - b) / n.
    backward: (core, a, b, da, n) => sqDiffBackward(core, a, b, da, 1 / n, n),
  },
};
