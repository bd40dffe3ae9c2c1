// What a training run minimises, for either setup, behind the one Loss interface (compute(pred,
// target, grad)) the session and the gradient threads already call, so training and validation
// use the same objective object whichever setup it is:
//   Setup A: the named loss, on the decoder's audio (src/losses).
//   Setup B: the named dB loss, on the decoder's predicted spectrogram (spectrogram-loss.ts).
import type { KernelCore } from '../kernels/core.js';
import type { Preset } from '../nn/presets.js';
import { getLoss, type Loss, type LossName } from '../losses/index.js';
import type { SplitBatch } from '../losses/loss.js';
import { predictedSpectrogramLoss } from './spectrogram-loss.js';

/**
 * The objective of `model` trained with `loss`, for batches of B examples of T samples; `split`: B is
 * one thread's share of a larger batch (Setup B's losses are all means over the batch: they need no
 * sums from the other shares).
 */
export function makeObjective(core: KernelCore, model: Preset, loss: LossName, B: number, T: number, split?: SplitBatch): Loss {
  return model.spectrogram ? predictedSpectrogramLoss(core, model.spectrogram, loss, B, T) : getLoss(loss).make(core, B, T, true, split);
}
