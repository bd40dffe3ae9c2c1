// Learning-rate schedules: the rate at each step, as a pure function of the step, so a resumed run
// continues on exactly the same curve. A linear warm-up can precede any of them.

export type ScheduleName = 'constant' | 'step' | 'cosine';

export interface ScheduleConfig {
  name: ScheduleName;
  /** Steps of linear warm-up from 0 to the base rate (0: none). */
  warmupSteps?: number;
  /** step: multiply by `gamma` every `stepSize` steps (PyTorch StepLR). */
  stepSize?: number;
  gamma?: number;
  /** cosine: anneal from the base rate to `minLr` over the steps after warm-up (PyTorch CosineAnnealingLR). */
  minLr?: number;
}

export const SCHEDULES: ScheduleName[] = ['constant', 'step', 'cosine'];

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
      return baseLr * (s.gamma ?? 0.1) ** Math.floor(t / size);
    }
    case 'cosine': {
      const span = Math.max(1, totalSteps - warm);
      const minLr = s.minLr ?? 0;
      return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos((Math.PI * Math.min(t, span)) / span));
    }
  }
}
