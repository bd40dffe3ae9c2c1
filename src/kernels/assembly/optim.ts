// Optimizer updates over flat parameter / gradient / state buffers, [n] floats each, four lanes a step.
// Each update follows the algorithm box of the matching torch.optim class (PyTorch 2.x documentation,
// https://pytorch.org/docs/stable/optim.html, and the single-tensor code paths in torch/optim/*.py);
// the box is quoted above each kernel. Weight decay is PyTorch's: an L2 term added to the gradient
// (SGD, Adagrad, RMSprop, Adam), or the decoupled shrink of AdamW. The updates never write the gradient
// buffer; the clipping functions at the end of this file do (in place, as torch.nn.utils' do).
// Scalar factors (bias corrections, decayed rates) are formed in f64 as PyTorch forms them in Python
// floats, then applied in f32.
//
// The last n % 4 floats are staged into a 16-byte-per-buffer scratch block, run through the same
// vector body, and copied back, so every element gets the identical arithmetic and no kernel keeps
// a second, scalar copy of its formula.

import { sumSquares, scaleInPlace } from './ops';

// Five staging slots of 16 bytes (the most buffers any update touches: RMSprop with all options).
const TAIL = memory.data(80, 16);

// @ts-ignore: decorator
@inline function slot(i: usize): usize {
  return TAIL + (i << 4);
}

/** Stage the tail [from, n) of `buf` into slot i (rest zeroed); returns the slot pointer. */
// @ts-ignore: decorator
@inline function stageIn(buf: usize, i: usize, from: i32, n: i32): usize {
  const s = slot(i);
  v128.store(s, i32x4.splat(0));
  if (buf != 0) memory.copy(s, buf + (<usize>from << 2), <usize>(n - from) << 2);
  return s;
}

// @ts-ignore: decorator
@inline function stageOut(buf: usize, i: usize, from: i32, n: i32): void {
  if (buf != 0) memory.copy(buf + (<usize>from << 2), slot(i), <usize>(n - from) << 2);
}

// ---------------------------------------------------------------------------------------------
// SGD, torch.optim.SGD:
//   if lambda != 0: g <- g + lambda theta
//   if mu != 0: b_t <- (t > 1) ? mu b_{t-1} + (1 - tau) g : g
//               g <- nesterov ? g + mu b_t : b_t
//   theta <- theta - gamma g

// @ts-ignore: decorator
@inline function sgdLanes(p: usize, g: usize, lr: v128, wd: v128): void {
  const pv = v128.load(p);
  const d = f32x4.add(v128.load(g), f32x4.mul(wd, pv));
  v128.store(p, f32x4.sub(pv, f32x4.mul(lr, d)));
}

/** Plain SGD: p -= lr * (g + weightDecay * p). p, g: [n] */
export function sgdStep(p: usize, g: usize, n: i32, lr: f64, weightDecay: f64): void {
  const lrv = f32x4.splat(<f32>lr);
  const wdv = f32x4.splat(<f32>weightDecay);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    sgdLanes(p + o, g + o, lrv, wdv);
  }
  if (n4 < n) {
    const sp = stageIn(p, 0, n4, n);
    sgdLanes(sp, stageIn(g, 1, n4, n), lrv, wdv);
    stageOut(p, 0, n4, n);
  }
}

// @ts-ignore: decorator
@inline function momentumLanes(
  p: usize, g: usize, b: usize, lr: v128, mu: v128, damp1: v128, wd: v128, nesterov: bool, first: bool,
): void {
  const pv = v128.load(p);
  const d = f32x4.add(v128.load(g), f32x4.mul(wd, pv));
  const bv = first ? d : f32x4.add(f32x4.mul(mu, v128.load(b)), f32x4.mul(damp1, d));
  v128.store(b, bv);
  const step = nesterov ? f32x4.add(d, f32x4.mul(mu, bv)) : bv;
  v128.store(p, f32x4.sub(pv, f32x4.mul(lr, step)));
}

/**
 * SGD with momentum (PyTorch's convention b = mu b + (1 - dampening) g; p -= lr b, not Sutskever's
 * b = mu b + lr g), optionally Nesterov (p -= lr (g + mu b)). `step` is 1 on the first update, when
 * PyTorch sets b = g (so dampening does not shrink the first step). p, g, buf: [n]
 */
export function sgdMomentumStep(
  p: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, dampening: f64, weightDecay: f64,
  nesterov: i32, step: i32,
): void {
  const lrv = f32x4.splat(<f32>lr);
  const mu = f32x4.splat(<f32>momentum);
  const damp1 = f32x4.splat(<f32>(1.0 - dampening));
  const wdv = f32x4.splat(<f32>weightDecay);
  const nest = nesterov != 0;
  const first = step <= 1;
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    momentumLanes(p + o, g + o, buf + o, lrv, mu, damp1, wdv, nest, first);
  }
  if (n4 < n) {
    const sp = stageIn(p, 0, n4, n);
    const sb = stageIn(buf, 2, n4, n);
    momentumLanes(sp, stageIn(g, 1, n4, n), sb, lrv, mu, damp1, wdv, nest, first);
    stageOut(p, 0, n4, n);
    stageOut(buf, 2, n4, n);
  }
}

// ---------------------------------------------------------------------------------------------
// Adagrad, torch.optim.Adagrad:
//   gamma~ <- gamma / (1 + (t - 1) eta)
//   if lambda != 0: g <- g + lambda theta
//   state_sum <- state_sum + g^2
//   theta <- theta - gamma~ g / (sqrt(state_sum) + eps)

// @ts-ignore: decorator
@inline function adagradLanes(p: usize, g: usize, s: usize, clr: v128, wd: v128, eps: v128): void {
  const pv = v128.load(p);
  const d = f32x4.add(v128.load(g), f32x4.mul(wd, pv));
  const sv = f32x4.add(v128.load(s), f32x4.mul(d, d));
  v128.store(s, sv);
  const std = f32x4.add(f32x4.sqrt(sv), eps);
  v128.store(p, f32x4.sub(pv, f32x4.mul(clr, f32x4.div(d, std))));
}

/** Adagrad (PyTorch defaults: lrDecay 0, eps 1e-10). `step` counts from 1. p, g, sum: [n] */
export function adagradStep(
  p: usize, g: usize, sum: usize, n: i32, lr: f64, lrDecay: f64, weightDecay: f64, eps: f64, step: i32,
): void {
  const clr = f32x4.splat(<f32>(lr / (1.0 + <f64>(step - 1) * lrDecay)));
  const wdv = f32x4.splat(<f32>weightDecay);
  const epsv = f32x4.splat(<f32>eps);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    adagradLanes(p + o, g + o, sum + o, clr, wdv, epsv);
  }
  if (n4 < n) {
    const sp = stageIn(p, 0, n4, n);
    const ss = stageIn(sum, 2, n4, n);
    adagradLanes(sp, stageIn(g, 1, n4, n), ss, clr, wdv, epsv);
    stageOut(p, 0, n4, n);
    stageOut(sum, 2, n4, n);
  }
}

// ---------------------------------------------------------------------------------------------
// RMSprop, torch.optim.RMSprop:
//   if lambda != 0: g <- g + lambda theta
//   v <- alpha v + (1 - alpha) g^2;   v~ <- v
//   if centered: g_ave <- alpha g_ave + (1 - alpha) g;   v~ <- v~ - g_ave^2
//   if mu > 0: b <- mu b + g / (sqrt(v~) + eps);   theta <- theta - gamma b
//   else:      theta <- theta - gamma g / (sqrt(v~) + eps)

// @ts-ignore: decorator
@inline function rmspropLanes(
  p: usize, g: usize, sq: usize, gAvg: usize, buf: usize,
  lr: v128, alpha: v128, alpha1: v128, eps: v128, wd: v128, mu: v128, centered: bool, useMomentum: bool,
): void {
  const pv = v128.load(p);
  const d = f32x4.add(v128.load(g), f32x4.mul(wd, pv));
  const sv = f32x4.add(f32x4.mul(alpha, v128.load(sq)), f32x4.mul(alpha1, f32x4.mul(d, d)));
  v128.store(sq, sv);
  let vt = sv;
  if (centered) {
    const av = f32x4.add(f32x4.mul(alpha, v128.load(gAvg)), f32x4.mul(alpha1, d));
    v128.store(gAvg, av);
    vt = f32x4.sub(vt, f32x4.mul(av, av));
  }
  const q = f32x4.div(d, f32x4.add(f32x4.sqrt(vt), eps));
  if (useMomentum) {
    const bv = f32x4.add(f32x4.mul(mu, v128.load(buf)), q);
    v128.store(buf, bv);
    v128.store(p, f32x4.sub(pv, f32x4.mul(lr, bv)));
  } else {
    v128.store(p, f32x4.sub(pv, f32x4.mul(lr, q)));
  }
}

/**
 * RMSprop (PyTorch defaults: alpha 0.99, eps 1e-8). p, g, sq: [n]; gAvg: [n] when centered != 0
 * (else ignored, may be 0); buf: [n] when momentum > 0 (else ignored, may be 0).
 */
export function rmspropStep(
  p: usize, g: usize, sq: usize, gAvg: usize, buf: usize, n: i32,
  lr: f64, alpha: f64, eps: f64, weightDecay: f64, momentum: f64, centered: i32,
): void {
  const lrv = f32x4.splat(<f32>lr);
  const av = f32x4.splat(<f32>alpha);
  const a1 = f32x4.splat(<f32>(1.0 - alpha));
  const epsv = f32x4.splat(<f32>eps);
  const wdv = f32x4.splat(<f32>weightDecay);
  const mu = f32x4.splat(<f32>momentum);
  const cen = centered != 0;
  const useMom = momentum > 0;
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    rmspropLanes(p + o, g + o, sq + o, gAvg + o, buf + o, lrv, av, a1, epsv, wdv, mu, cen, useMom);
  }
  if (n4 < n) {
    const ga = cen ? gAvg : 0;
    const bb = useMom ? buf : 0;
    const sp = stageIn(p, 0, n4, n);
    const ss = stageIn(sq, 2, n4, n);
    const sa = stageIn(ga, 3, n4, n);
    const sb = stageIn(bb, 4, n4, n);
    rmspropLanes(sp, stageIn(g, 1, n4, n), ss, sa, sb, lrv, av, a1, epsv, wdv, mu, cen, useMom);
    stageOut(p, 0, n4, n);
    stageOut(sq, 2, n4, n);
    stageOut(ga, 3, n4, n);
    stageOut(bb, 4, n4, n);
  }
}

// ---------------------------------------------------------------------------------------------
// Adam, torch.optim.Adam (amsgrad = False):
//   if lambda != 0: g <- g + lambda theta
//   m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
//   theta <- theta - gamma m^ / (sqrt(v^) + eps),  m^ = m / (1 - beta1^t),  v^ = v / (1 - beta2^t)
// computed as PyTorch's single-tensor path does:
//   step_size = lr / (1 - beta1^t);  denom = sqrt(v) / sqrt(1 - beta2^t) + eps;  p -= step_size m / denom
// AdamW, torch.optim.AdamW: theta <- theta - gamma lambda theta first, then the same step without L2.

// @ts-ignore: decorator
@inline function adamLanes(
  p: usize, g: usize, m: usize, v: usize, b1: v128, b1c: v128, b2: v128, b2c: v128,
  stepSize: v128, bc2Sqrt: v128, eps: v128, wd: v128, shrink: v128, decoupled: bool,
): void {
  let pv = v128.load(p);
  let d = v128.load(g);
  if (decoupled) pv = f32x4.mul(pv, shrink);
  else d = f32x4.add(d, f32x4.mul(wd, pv));
  const mv = f32x4.add(f32x4.mul(b1, v128.load(m)), f32x4.mul(b1c, d));
  const vv = f32x4.add(f32x4.mul(b2, v128.load(v)), f32x4.mul(b2c, f32x4.mul(d, d)));
  v128.store(m, mv);
  v128.store(v, vv);
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), bc2Sqrt), eps);
  v128.store(p, f32x4.sub(pv, f32x4.mul(stepSize, f32x4.div(mv, denom))));
}

// @ts-ignore: decorator
@inline function adamUpdate(
  p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
  weightDecay: f64, step: i32, decoupled: bool,
): void {
  const bc1 = 1.0 - Math.pow(beta1, <f64>step);
  const bc2 = 1.0 - Math.pow(beta2, <f64>step);
  const b1 = f32x4.splat(<f32>beta1);
  const b1c = f32x4.splat(<f32>(1.0 - beta1));
  const b2 = f32x4.splat(<f32>beta2);
  const b2c = f32x4.splat(<f32>(1.0 - beta2));
  const stepSize = f32x4.splat(<f32>(lr / bc1));
  const bc2Sqrt = f32x4.splat(<f32>Math.sqrt(bc2));
  const epsv = f32x4.splat(<f32>eps);
  const wdv = f32x4.splat(<f32>weightDecay);
  const shrink = f32x4.splat(<f32>(1.0 - lr * weightDecay));
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    adamLanes(p + o, g + o, m + o, v + o, b1, b1c, b2, b2c, stepSize, bc2Sqrt, epsv, wdv, shrink, decoupled);
  }
  if (n4 < n) {
    const sp = stageIn(p, 0, n4, n);
    const sm = stageIn(m, 2, n4, n);
    const sv = stageIn(v, 3, n4, n);
    adamLanes(sp, stageIn(g, 1, n4, n), sm, sv, b1, b1c, b2, b2c, stepSize, bc2Sqrt, epsv, wdv, shrink, decoupled);
    stageOut(p, 0, n4, n);
    stageOut(m, 2, n4, n);
    stageOut(v, 3, n4, n);
  }
}

/** Adam with L2 weight decay added to the gradient. `step` = t counts from 1. p, g, m, v: [n] */
export function adamStep(
  p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
  weightDecay: f64, step: i32,
): void {
  adamUpdate(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, step, false);
}

/** AdamW: p *= 1 - lr * weightDecay, then the Adam step without L2. p, g, m, v: [n] */
export function adamwStep(
  p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
  weightDecay: f64, step: i32,
): void {
  adamUpdate(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, step, true);
}

// ---------------------------------------------------------------------------------------------
// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.

/**
 * Scale g by min(1, maxNorm / (norm + 1e-6)) where norm = ||g||_2 over the whole buffer (the engine
 * keeps all gradients in one flat buffer, so this is the global norm). Returns the norm before
 * clipping, as clip_grad_norm_ does, so the trainer can log it and spot NaN.
 */
export function clipGradNorm(g: usize, n: i32, maxNorm: f64): f64 {
  const norm = Math.sqrt(sumSquares(g, n));
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1.0) scaleInPlace(g, <f32>coef, n);
  return norm;
}

/** Clamp every gradient to [-clip, clip]. g: [n] */
export function clipGradValue(g: usize, n: i32, clip: f64): void {
  const hi = f32x4.splat(<f32>clip);
  const lo = f32x4.splat(<f32>-clip);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(g + o, f32x4.min(f32x4.max(v128.load(g + o), lo), hi));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(g + o, min<f32>(max<f32>(load<f32>(g + o), <f32>-clip), <f32>clip));
  }
}
