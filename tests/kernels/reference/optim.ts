// Plain TypeScript twins of the optimizer updates (src/kernels/assembly/optim.ts), written straight
// from the torch.optim algorithm boxes (https://pytorch.org/docs/stable/optim.html). Arithmetic is
// float64; the buffers are whatever the caller passes (tests pass Float32Array so state is rounded
// to f32 between steps, as the kernels store it). Used only by tests.

type Buf = { [i: number]: number; length: number };

export interface SgdOptions { lr: number; weightDecay?: number }
/** torch.optim.SGD without momentum: g <- g + lambda theta; theta <- theta - gamma g */
export function sgdStep(p: Buf, g: ArrayLike<number>, o: SgdOptions): void {
  const wd = o.weightDecay ?? 0;
  for (let i = 0; i < p.length; i++) p[i] -= o.lr * (g[i] + wd * p[i]);
}

export interface MomentumOptions {
  lr: number; momentum: number; dampening?: number; weightDecay?: number; nesterov?: boolean; step: number;
}
/** torch.optim.SGD with momentum mu, dampening tau: b_1 = g, b_t = mu b + (1 - tau) g; Nesterov g + mu b. */
export function sgdMomentumStep(p: Buf, g: ArrayLike<number>, buf: Buf, o: MomentumOptions): void {
  const wd = o.weightDecay ?? 0;
  const tau = o.dampening ?? 0;
  for (let i = 0; i < p.length; i++) {
    const d = g[i] + wd * p[i];
    buf[i] = o.step <= 1 ? d : o.momentum * buf[i] + (1 - tau) * d;
    const step = o.nesterov ? d + o.momentum * buf[i] : buf[i];
    p[i] -= o.lr * step;
  }
}

export interface AdagradOptions { lr: number; lrDecay?: number; weightDecay?: number; eps?: number; step: number }
/** torch.optim.Adagrad: clr = lr / (1 + (t-1) eta); sum += g^2; theta -= clr g / (sqrt(sum) + eps) */
export function adagradStep(p: Buf, g: ArrayLike<number>, sum: Buf, o: AdagradOptions): void {
  const clr = o.lr / (1 + (o.step - 1) * (o.lrDecay ?? 0));
  const wd = o.weightDecay ?? 0;
  const eps = o.eps ?? 1e-10;
  for (let i = 0; i < p.length; i++) {
    const d = g[i] + wd * p[i];
    sum[i] += d * d;
    p[i] -= (clr * d) / (Math.sqrt(sum[i]) + eps);
  }
}

export interface RmspropOptions {
  lr: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean;
}
/** torch.optim.RMSprop, including its centered and momentum variants. */
export function rmspropStep(
  p: Buf, g: ArrayLike<number>, sq: Buf, gAvg: Buf | null, buf: Buf | null, o: RmspropOptions,
): void {
  const alpha = o.alpha ?? 0.99;
  const eps = o.eps ?? 1e-8;
  const wd = o.weightDecay ?? 0;
  const mu = o.momentum ?? 0;
  for (let i = 0; i < p.length; i++) {
    const d = g[i] + wd * p[i];
    sq[i] = alpha * sq[i] + (1 - alpha) * d * d;
    let v = sq[i];
    if (o.centered) {
      gAvg![i] = alpha * gAvg![i] + (1 - alpha) * d;
      v -= gAvg![i] * gAvg![i];
    }
    const q = d / (Math.sqrt(v) + eps);
    if (mu > 0) {
      buf![i] = mu * buf![i] + q;
      p[i] -= o.lr * buf![i];
    } else {
      p[i] -= o.lr * q;
    }
  }
}

export interface AdamOptions { lr: number; beta1: number; beta2: number; eps: number; weightDecay?: number; step: number }
/** torch.optim.Adam (amsgrad off), L2 weight decay added to the gradient. */
export function adamStep(p: Buf, g: ArrayLike<number>, m: Buf, v: Buf, o: AdamOptions): void {
  adam(p, g, m, v, o, false);
}
/** torch.optim.AdamW: theta <- theta (1 - lr lambda), then Adam without L2. */
export function adamwStep(p: Buf, g: ArrayLike<number>, m: Buf, v: Buf, o: AdamOptions): void {
  adam(p, g, m, v, o, true);
}

function adam(p: Buf, g: ArrayLike<number>, m: Buf, v: Buf, o: AdamOptions, decoupled: boolean): void {
  const wd = o.weightDecay ?? 0;
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  for (let i = 0; i < p.length; i++) {
    let theta = p[i];
    let d = g[i];
    if (decoupled) theta *= 1 - o.lr * wd;
    else d += wd * theta;
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * d;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * d * d;
    const mHat = m[i] / bc1;
    const vHat = v[i] / bc2;
    p[i] = theta - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
  }
}

/** torch.nn.utils.clip_grad_norm_: g *= min(1, maxNorm / (||g|| + 1e-6)); returns ||g|| before. */
export function clipGradNorm(g: Buf, maxNorm: number): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  const norm = Math.sqrt(s);
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  for (let i = 0; i < g.length; i++) g[i] *= coef;
  return norm;
}

/** torch.nn.utils.clip_grad_value_: clamp to [-clip, clip]. */
export function clipGradValue(g: Buf, clip: number): void {
  for (let i = 0; i < g.length; i++) g[i] = Math.min(clip, Math.max(-clip, g[i]));
}
