// Multi-resolution STFT loss (reference-model.md; Yamamoto et al. 2020, "Parallel WaveGAN",
// as in csteinmetz1/auraloss MultiResolutionSTFTLoss): the mean over n_fft in {512, 1024, 2048}
// (hop n_fft/4) of spectral convergence plus log-magnitude distance:
//   SC  = || |X| - |X_hat| ||_F / || |X| ||_F
//   LM  = mean | log|X_hat| - log|X| |
// Magnitudes are floored at 1e-4 (auraloss clamps |X|^2 at eps = 1e-8) so the logs stay finite.
// Several resolutions trade time against frequency detail, so no single window's blind spot is free.
import type { KernelCore } from '../kernels/core.js';
import { MagnitudeStft } from './stft.js';
import type { Loss } from './loss.js';
import { BuiltWithoutGradientsError } from './transform.js';

export const MAG_FLOOR = 1e-4;

/** One resolution's SC + LM, with its backward. */
function stftResolutionLoss(core: KernelCore, B: number, T: number, nFft: number, withGrad: boolean) {
  const pred = new MagnitudeStft(core, B, T, nFft, nFft / 4, withGrad);
  const target = new MagnitudeStft(core, B, T, nFft, nFft / 4, false);
  const n = pred.size;
  const dMag = withGrad ? core.allocF32(n) : 0;
  return {
    /** SC + LM of this resolution; adds `weight` x its gradient to grad when asked. */
    compute(p: number, t: number, grad: number, weight: number): number {
      target.forward(t);
      pred.forward(p);
      const xs = core.f32(target.mag, n);
      const ys = core.f32(pred.mag, n);
      let diff2 = 0;
      let ref2 = 0;
      let logSum = 0;
      for (let i = 0; i < n; i++) {
        const x = Math.max(xs[i], MAG_FLOOR);
        const y = Math.max(ys[i], MAG_FLOOR);
        diff2 += (y - x) * (y - x);
        ref2 += x * x;
        logSum += Math.abs(Math.log(y) - Math.log(x));
      }
      const diffNorm = Math.sqrt(diff2);
      const refNorm = Math.sqrt(ref2);
      const sc = diffNorm / refNorm;
      const lm = logSum / n;
      if (grad) {
        const g = core.f32(dMag, n);
        // d SC / d y = (y - x) / (||y - x|| ||x||); d LM / d y = sign(log y - log x) / (n y). Both 0 below the floor.
        const scScale = diffNorm > 0 ? weight / (diffNorm * refNorm) : 0;
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

export function mrstft(core: KernelCore, B: number, T: number, withGrad = true, resolutions: number[] = [512, 1024, 2048]): Loss {
  const units = resolutions.map((nFft) => stftResolutionLoss(core, B, T, nFft, withGrad));
  const w = 1 / units.length;
  return {
    name: 'mrstft',
    compute(pred, target, grad) {
      if (grad && !withGrad) throw new BuiltWithoutGradientsError("loss 'mrstft'");
      let total = 0;
      for (const u of units) total += u.compute(pred, target, grad, w);
      return total * w;
    },
  };
}
