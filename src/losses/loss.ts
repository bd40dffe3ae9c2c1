// What every loss is: a value and, on request, its gradient with respect to the prediction.
import type { KernelCore } from '../kernels/core.js';

export type LossName = 'wave-l1' | 'wave-l2' | 'stft-l1' | 'stft-db-l1' | 'mel-l1' | 'mel-db-l1' | 'mrstft';

export interface Loss {
  readonly name: LossName;
  /**
   * The loss of `pred` against `target` (both [B, 1, T] in the core's memory). When `grad` is not 0,
   * dL/dpred is added to it (+=), so the caller zeroes it first.
   */
  compute(pred: number, target: number, grad: number): number;
}

/** Every loss is built for one batch shape, allocating its buffers once. */
export type LossFactory = (core: KernelCore, B: number, T: number) => Loss;

/** Loss values are shown in dB: 10 log10(loss). A zero loss shows as -Infinity, never NaN. */
export function lossDb(loss: number): number {
  return 10 * Math.log10(loss);
}
