// Multi-resolution STFT loss (reference-model.md; Yamamoto et al. 2020, "Parallel WaveGAN",
// as in csteinmetz1/auraloss MultiResolutionSTFTLoss): the mean over n_fft in {512, 1024, 2048}
// (hop n_fft/4) of spectral convergence plus log-magnitude distance:
//   SC  = || |X| - |X_hat| ||_F / || |X| ||_F
//   LM  = mean | log|X_hat| - log|X| |
// Magnitudes are floored at 1e-4 (auraloss clamps |X|^2 at eps = 1e-8) so the logs stay finite.
// Several resolutions trade time against frequency detail, so no single window's blind spot is free.
import type { KernelCore } from '../kernels/core.js';
import { MagnitudeStft } from './stft.js';
import type { Loss, SplitBatch } from './loss.js';
import { BuiltWithoutGradientsError } from './transform.js';

export const MAG_FLOOR = 1e-4;

/**
 * One resolution's SC + LM in two halves, so that a batch split between threads can add up its sums
 * in between: sums() takes both spectrograms and this share's sums (||X - X_hat||^2, ||X||^2, and
 * the sum of |log| differences); finish() takes the whole batch's first two (the same as this share's
 * without a split) and gives the value, adding `weight` x its gradient to grad when asked.
 */
function stftResolutionLoss(core: KernelCore, B: number, T: number, nFft: number, withGrad: boolean) {
  const pred = new MagnitudeStft(core, B, T, nFft, nFft / 4, withGrad);
  const target = new MagnitudeStft(core, B, T, nFft, nFft / 4, false);
  const n = pred.size;
  const dMag = withGrad ? core.allocF32(n) : 0;
  let logSum = 0;
  return {
    sums(p: number, t: number): [diff2: number, ref2: number] {
      target.forward(t);
      pred.forward(p);
      const xs = core.f32(target.mag, n);
      const ys = core.f32(pred.mag, n);
      let diff2 = 0;
      let ref2 = 0;
      logSum = 0;
      for (let i = 0; i < n; i++) {
        const x = Math.max(xs[i], MAG_FLOOR);
        const y = Math.max(ys[i], MAG_FLOOR);
        diff2 += (y - x) * (y - x);
        ref2 += x * x;
        logSum += Math.abs(Math.log(y) - Math.log(x));
      }
      return [diff2, ref2];
    },
    /** `share`: this share's examples over the batch's (1 unsplit); the SC gradient is divided by it, as the session multiplies the share's gradient by it. */
    finish(diff2: number, ref2: number, grad: number, weight: number, share: number): number {
      const diffNorm = Math.sqrt(diff2);
      const refNorm = Math.sqrt(ref2);
      const sc = diffNorm / refNorm;
      const lm = logSum / n;
      if (grad) {
        const xs = core.f32(target.mag, n);
        const ys = core.f32(pred.mag, n);
        const g = core.f32(dMag, n);
        // d SC / d y = (y - x) / (||y - x|| ||x||); d LM / d y = sign(log y - log x) / (n y). Both 0 below the floor.
        const scScale = diffNorm > 0 ? weight / (diffNorm * refNorm * share) : 0;
        for (let i = 0; i < n; i++) {
          if (ys[i] <= MAG_FLOOR) {
            g[i] = 0;
            continue;
          }
          const x = Math.max(xs[i], MAG_FLOOR);
          const y = ys[i];
          g[i] = scScale * (y - x) + (weight * Math.sign(y - x)) / (n * y);
        }
        pred.backward(dMag, grad);
      }
      return sc + lm;
    },
  };
}

/**
 * `split`: the batch is one share of a batch split between threads; SC's norms are then the whole
 * batch's (their squares added over the shares), so the objective is the same for any thread count.
 */
export function mrstft(core: KernelCore, B: number, T: number, withGrad = true, split?: SplitBatch, resolutions: number[] = [512, 1024, 2048]): Loss {
  const units = resolutions.map((nFft) => stftResolutionLoss(core, B, T, nFft, withGrad));
  const w = 1 / units.length;
  const sums = new Float64Array(2 * units.length);
  return {
    name: 'mrstft',
    compute(pred, target, grad) {
      if (grad && !withGrad) throw new BuiltWithoutGradientsError("loss 'mrstft'");
      units.forEach((u, r) => sums.set(u.sums(pred, target), 2 * r));
      split?.allReduce(sums);
      let total = 0;
      units.forEach((u, r) => (total += u.finish(sums[2 * r], sums[2 * r + 1], grad, w, split?.weight ?? 1)));
      return total * w;
    },
  };
}
