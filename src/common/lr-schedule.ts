// Learning-rate schedules: the rate at each step, as a pure function of the step, so a resumed run
// continues on exactly the same curve. A linear warm-up can precede any of them. t counts the steps
// after the warm-up from 0, and every decay is per step (not per epoch), as the engine steps.
//
// - constant: lr.
// - step: lr * gamma^floor(t / stepSize) (PyTorch StepLR).
// - cosine: minLr + (lr - minLr) (1 + cos(pi t / T)) / 2 over the T steps after warm-up (PyTorch
//   CosineAnnealingLR without restarts).
// - inverse-time: lr / (1 + gamma t), the "1/t" decay of stochastic approximation (Robbins and Monro
//   1951; Bottou, "Stochastic gradient descent tricks", 2012, eq. 6 with gamma = lambda * lr). Some
//   texts write it lr / (1 + t / k): the same with gamma = 1 / k.
// - exponential: lr * gamma^t (PyTorch ExponentialLR, stepped every step).
// The decays default to reaching a tenth of lr when the last step is done (t = steps - warm-up), as cosine reaches minLr.

export type ScheduleName = 'constant' | 'step' | 'cosine' | 'inverse-time' | 'exponential';

export interface ScheduleConfig {
  name: ScheduleName;
  /** Steps of linear warm-up from 0 to the base rate (0: none). */
  warmupSteps?: number;
  /** step: multiply by `gamma` every `stepSize` steps (PyTorch StepLR). */
  stepSize?: number;
  /** step: the factor per `stepSize` steps; exponential: the factor per step; inverse-time: the rate k of lr / (1 + k t). */
  gamma?: number;
  /** cosine: anneal from the base rate to `minLr` over the steps after warm-up (PyTorch CosineAnnealingLR). */
  minLr?: number;
}

export const SCHEDULES: ScheduleName[] = ['constant', 'step', 'cosine', 'inverse-time', 'exponential'];

/** The steps a schedule decays over: those after the warm-up (at least 1). */
const decaySpan = (totalSteps: number, warm: number) => Math.max(1, totalSteps - warm);

/**
 * The gamma a schedule uses: the one given, or the default that brings the rate to a tenth of the
 * base rate at the last step (step: 0.1 per stepSize, as PyTorch's StepLR example).
 */
export function scheduleGamma(s: ScheduleConfig, totalSteps: number): number {
  if (s.gamma !== undefined) return s.gamma;
  const span = decaySpan(totalSteps, s.warmupSteps ?? 0);
  switch (s.name) {
    case 'inverse-time':
      return 9 / span;
    case 'exponential':
      return 0.1 ** (1 / span);
    default:
      return 0.1;
  }
}

/** Learning rate for 0-based `step` of `totalSteps`. */
export function learningRate(baseLr: number, step: number, totalSteps: number, s: ScheduleConfig): number {
  const warm = s.warmupSteps ?? 0;
  if (step < warm) return (baseLr * (step + 1)) / warm;
  const t = step - warm;
  switch (s.name) {
    case 'constant':
      return baseLr;
    case 'step': {
      const size = s.stepSize ?? Math.max(1, Math.floor((totalSteps - warm) / 3));
      return baseLr * scheduleGamma(s, totalSteps) ** Math.floor(t / size);
    }
    case 'inverse-time':
      return baseLr / (1 + scheduleGamma(s, totalSteps) * t);
    case 'exponential':
      return baseLr * scheduleGamma(s, totalSteps) ** t;
    case 'cosine': {
      const span = decaySpan(totalSteps, warm);
      const minLr = s.minLr ?? 0;
      return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos((Math.PI * Math.min(t, span)) / span));
    }
  }
}
