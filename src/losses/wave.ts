// Waveform losses (reference-model.md): wave-l1 = mean |y_hat - y|, wave-l2 = mean (y_hat - y)^2.
// They compare samples, so they weigh every frequency by its energy and punish any phase shift:
// a codec trained on them is faithful in time but tends to mute quiet, high-frequency detail.
import type { KernelCore } from '../kernels/core.js';
import { absDiffBackward, sqDiffBackward, sumAbsDiff, sumSqDiff } from '../kernels/ops.js';
import type { Loss } from './loss.js';

export function waveL1(core: KernelCore, B: number, T: number): Loss {
  const n = B * T;
  return {
    name: 'wave-l1',
    compute(pred, target, grad) {
      if (grad) absDiffBackward(core, pred, target, grad, 1 / n, n);
      return sumAbsDiff(core, pred, target, n) / n;
    },
  };
}

export function waveL2(core: KernelCore, B: number, T: number): Loss {
  const n = B * T;
  return {
    name: 'wave-l2',
    compute(pred, target, grad) {
      if (grad) sqDiffBackward(core, pred, target, grad, 1 / n, n);
      return sumSqDiff(core, pred, target, n) / n;
    },
  };
}
