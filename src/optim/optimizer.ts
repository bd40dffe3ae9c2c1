// The optimizers of the course over one flat parameter buffer in the core: SGD, momentum (with a
// Nesterov option), Adagrad, RMSProp, Adam, AdamW; gradient clipping by global norm or by value;
// weight decay. The updates are the kernels of src/kernels/optim.ts (PyTorch's formulas).
import type { KernelCore } from '../kernels/core.js';
import { adagradStep, adamStep, adamwStep, clipGradNorm, clipGradValue, rmspropStep, sgdMomentumStep, sgdStep } from '../kernels/optim.js';
import { sumSquares } from '../kernels/ops.js';

export type OptimizerName = 'sgd' | 'momentum' | 'adagrad' | 'rmsprop' | 'adam' | 'adamw';
export const OPTIMIZERS: OptimizerName[] = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw'];

export interface OptimizerConfig {
  name: OptimizerName;
  /** momentum: the momentum coefficient (default 0.9); rmsprop: optional momentum (default 0). */
  momentum?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient; for AdamW, the decoupled decay (default 0.01 there, 0 elsewhere). */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** rmsprop smoothing (default 0.99). */
  alpha?: number;
  /** Clip the global gradient norm to this (0 or absent: off). */
  clipNorm?: number;
  /** Clamp each gradient to [-clipValue, clipValue] (0 or absent: off). */
  clipValue?: number;
}

/**
 * Each optimizer's settings when the config leaves them out (PyTorch's defaults, except momentum's
 * 0.9, which plain torch.optim.SGD leaves at 0): written once here, used by the step below and shown
 * by the Train panel.
 */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerName, Readonly<Omit<Required<OptimizerConfig>, 'name' | 'clipNorm' | 'clipValue'>>>> = {
  sgd: { momentum: 0, nesterov: false, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99 },
  momentum: { momentum: 0.9, nesterov: false, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99 },
  adagrad: { momentum: 0, nesterov: false, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-10, alpha: 0.99 },
  rmsprop: { momentum: 0, nesterov: false, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99 },
  adam: { momentum: 0, nesterov: false, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99 },
  adamw: { momentum: 0, nesterov: false, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99 },
};

export function parseOptimizer(name: string): OptimizerName {
  if (!OPTIMIZERS.includes(name as OptimizerName)) throw new Error(`unknown optimizer '${name}'; choose one of ${OPTIMIZERS.join(', ')}`);
  return name as OptimizerName;
}

/** Optimizer state buffers, allocated once for `n` parameters. */
export class Optimizer {
  /** Number of updates made (PyTorch's t; the first update is t = 1). */
  t = 0;
  private readonly s1: number;
  private readonly s2: number;

  constructor(
    private readonly core: KernelCore,
    readonly config: OptimizerConfig,
    readonly params: number,
    readonly grads: number,
    readonly n: number,
  ) {
    const two = config.name === 'adam' || config.name === 'adamw' || (config.name === 'rmsprop' && (config.momentum ?? 0) > 0);
    this.s1 = config.name === 'sgd' ? 0 : core.allocF32(n);
    this.s2 = two ? core.allocF32(n) : 0;
  }

  /** Global L2 norm of the gradient (before clipping). */
  gradNorm(): number {
    return Math.sqrt(sumSquares(this.core, this.grads, this.n));
  }

  /** Clip the gradient as configured, then update the parameters at learning rate `lr`. Returns the gradient norm before clipping. */
  step(lr: number): number {
    const { core, config: c, params: p, grads: g, n } = this;
    let norm: number;
    if (c.clipNorm && c.clipNorm > 0) norm = clipGradNorm(core, g, n, c.clipNorm);
    else norm = this.gradNorm();
    if (c.clipValue && c.clipValue > 0) clipGradValue(core, g, n, c.clipValue);
    const step = ++this.t;
    const d = OPTIMIZER_DEFAULTS[c.name];
    const wd = c.weightDecay ?? d.weightDecay;
    switch (c.name) {
      case 'sgd':
        sgdStep(core, { p, g, n, lr, weightDecay: wd });
        break;
      case 'momentum':
        sgdMomentumStep(core, { p, g, buf: this.s1, n, lr, momentum: c.momentum ?? d.momentum, nesterov: c.nesterov, weightDecay: wd, step });
        break;
      case 'adagrad':
        adagradStep(core, { p, g, sum: this.s1, n, lr, weightDecay: wd, eps: c.eps ?? d.eps, step });
        break;
      case 'rmsprop':
        rmspropStep(core, { p, g, sq: this.s1, buf: this.s2 || undefined, n, lr, alpha: c.alpha ?? d.alpha, eps: c.eps ?? d.eps, weightDecay: wd, momentum: c.momentum ?? d.momentum });
        break;
      case 'adam':
      case 'adamw': {
        const args = { p, g, m: this.s1, v: this.s2, n, lr, beta1: c.beta1 ?? d.beta1, beta2: c.beta2 ?? d.beta2, eps: c.eps ?? d.eps, weightDecay: wd, step };
        (c.name === 'adam' ? adamStep : adamwStep)(core, args);
        break;
      }
    }
    return norm;
  }
}
