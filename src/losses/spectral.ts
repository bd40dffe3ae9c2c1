// L1 distances between spectrograms (reference-model.md), one unit for four losses:
//   stft-l1     mean | |X_hat| - |X| |                          linear STFT magnitude
//   stft-db-l1  mean | dB(|X_hat|) - dB(|X|) |,  dB(m) = 20 log10(max(m, 1e-5))
//   mel-l1      mean | M_hat - M |,  M = melFilterbank^T |X|    64 HTK bands, 0-12 kHz
//   mel-db-l1   mean | dB(M_hat) - dB(M) |
// STFT: n_fft 1024, hop 256, periodic Hann, centred with reflect padding. Magnitudes ignore phase,
// so these losses let the codec shift phase freely; the dB forms weigh quiet detail like loud,
// the mel forms spend resolution where the ear has it.
import type { KernelCore } from '../kernels/core.js';
import { absDiffBackward, sumAbsDiff, zero } from '../kernels/ops.js';
import { MagnitudeStft } from './stft.js';
import { applyMel, applyMelBackward, melFilterbank, type MelFilterbank } from './mel.js';
import type { Loss, LossName } from './loss.js';

export const DB_FLOOR = 1e-5;
const DB_PER_LN = 20 / Math.LN10;

/** y = 20 log10(max(x, floor)); with d, also the derivative dy/dx (0 below the floor). */
function toDb(x: Float32Array, y: Float32Array, d: Float32Array | null): void {
  const floorDb = DB_PER_LN * Math.log(DB_FLOOR);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > DB_FLOOR ? DB_PER_LN * Math.log(v) : floorDb;
    if (d) d[i] = v > DB_FLOOR ? DB_PER_LN / v : 0;
  }
}

export interface SpectralL1Options {
  name: LossName;
  mel: boolean;
  db: boolean;
  nFft?: number;
  hop?: number;
  nMels?: number;
}

export function spectralL1(core: KernelCore, B: number, T: number, o: SpectralL1Options): Loss {
  const nFft = o.nFft ?? 1024;
  const stftPred = new MagnitudeStft(core, B, T, nFft, o.hop ?? nFft / 4);
  const stftTarget = new MagnitudeStft(core, B, T, nFft, o.hop ?? nFft / 4);
  const rows = B * stftPred.frames;
  const fb: MelFilterbank | null = o.mel ? melFilterbank({ nFft, nMels: o.nMels ?? 64, sampleRate: 24000, fMin: 0, fMax: 12000 }) : null;
  const width = fb ? fb.nMels : stftPred.bins;
  const n = rows * width;
  // Feature buffers (what is compared) and the derivative of the dB map, all in the core.
  const featPred = core.allocF32(n);
  const featTarget = core.allocF32(n);
  const dbDeriv = core.allocF32(n);
  const dFeat = core.allocF32(n);
  const dMag = core.allocF32(stftPred.size);
  const linear = new Float32Array(n);

  /** features of `x` into `out`; records the dB derivative when asked. */
  const features = (stft: MagnitudeStft, x: number, out: number, keepDeriv: boolean) => {
    stft.forward(x);
    const mag = core.f32(stft.mag, stft.size);
    const dst = core.f32(out, n);
    if (fb) applyMel(fb, mag, o.db ? linear : dst, rows);
    if (o.db) toDb(fb ? linear : mag, dst, keepDeriv ? core.f32(dbDeriv, n) : null);
    else if (!fb) dst.set(mag);
  };

  return {
    name: o.name,
    compute(pred, target, grad) {
      features(stftTarget, target, featTarget, false);
      features(stftPred, pred, featPred, grad !== 0);
      const loss = sumAbsDiff(core, featPred, featTarget, n) / n;
      if (grad) {
        zero(core, dFeat, n);
        absDiffBackward(core, featPred, featTarget, dFeat, 1 / n, n);
        const g = core.f32(dFeat, n);
        if (o.db) {
          const d = core.f32(dbDeriv, n);
          for (let i = 0; i < n; i++) g[i] *= d[i];
        }
        if (fb) {
          zero(core, dMag, stftPred.size);
          applyMelBackward(fb, g, core.f32(dMag, stftPred.size), rows);
          stftPred.backward(dMag, grad);
        } else {
          stftPred.backward(dFeat, grad);
        }
      }
      return loss;
    },
  };
}
