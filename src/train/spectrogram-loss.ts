// The loss of Setup B: the decoder predicts the target's spectrogram in dB, and the loss compares
// the two there directly, with no audio in between (so no phase, and nothing to differentiate but
// the distance):
//   stft-db-l1  mean |P - 20 log10(max(|X|, 1e-5))|        stft-db-l2  mean (P - ...)²
//   mel-db-l1   mean |P - 20 log10(max(M, 1e-5))|           mel-db-l2   mean (P - ...)²
// where P = outputToDb(decoder output) (src/nn/spectrogram-output.ts) and the target's side is the
// losses' own transform (src/losses/spaces.ts: the same STFT, filterbank and dB map as the Setup A
// losses of the same names), so a Setup B loss and its Setup A namesake measure the same quantity.
//
// Frames: the target's centred STFT of T samples has 1 + T/256 frames, the prediction T/256 (one
// per 256 samples of input). The first T/256 are compared: frame j of the prediction is computed
// from latent frames 4j-2 .. 4j+5 (the stride-4 convolution and its neighbours), around sample
// 256j, where STFT frame j is centred. The STFT's last frame (centred on the segment's end, half
// of it reflect padding) is left out.
import type { KernelCore } from '../kernels/core.js';
import { composeStages } from '../losses/transform.js';
import { SPACES } from '../losses/spaces.js';
import { lossCell, type LossName } from '../common/loss-scale.js';
import type { Loss } from '../losses/loss.js';
import type { SpectrogramOutput } from '../nn/presets.js';
import { SPECTROGRAM_DB_OFFSET, SPECTROGRAM_DB_SCALE } from '../nn/spectrogram-output.js';

/**
 * The loss of a Setup B model: `pred` is the decoder's output [B, bins, T/256], `target` the input
 * audio [B, 1, T]; dL/dpred is added to `grad` when it is not 0.
 */
export function predictedSpectrogramLoss(core: KernelCore, spec: SpectrogramOutput, name: LossName, B: number, T: number): Loss {
  const cell = lossCell(name);
  if (!cell || cell.space !== spec.space) throw new Error(`a model predicting ${spec.space} cannot be trained with ${name}`);
  if (T % spec.hop !== 0) throw new Error(`segment length ${T} must be a multiple of ${spec.hop} in Setup B`);
  const l2 = cell.distance === 'l2';
  const frames = T / spec.hop;
  const { bins } = spec;
  // The target's side only runs forward: no buffers for a backward.
  const target = composeStages(core, SPACES[spec.space], { rows: B, width: T }, false);
  const targetFrames = target.size / (B * bins);
  if (targetFrames !== frames + 1) throw new Error(`the target has ${targetFrames} frames, expected ${frames + 1}`);
  const n = B * frames * bins;

  return {
    name,
    compute(pred, x, grad) {
      const t = core.f32(target.forward(x), target.size);
      const p = core.f32(pred, n);
      const g = grad ? core.f32(grad, n) : null;
      // d(dB)/d(output) is the scale; the mean's 1/n is folded in.
      const gScale = (SPECTROGRAM_DB_SCALE * (l2 ? 2 : 1)) / n;
      const offset = SPECTROGRAM_DB_OFFSET[spec.space];
      let sum = 0;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < frames; j++) {
          // Target row (b, j) of [B, frames + 1, bins]; prediction column j of [B, bins, frames].
          const row = (b * (frames + 1) + j) * bins;
          const col = b * bins * frames + j;
          for (let c = 0; c < bins; c++) {
            const i = col + c * frames;
            const d = SPECTROGRAM_DB_SCALE * p[i] + offset - t[row + c];
            sum += l2 ? d * d : Math.abs(d);
            if (g) g[i] += gScale * (l2 ? d : Math.sign(d));
          }
        }
      }
      return sum / n;
    },
  };
}
