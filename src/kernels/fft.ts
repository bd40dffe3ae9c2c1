// Typed wrappers over the real FFT and magnitude STFT kernels (src/kernels/assembly/fft.ts).
//
// Spectrum layout: SPLIT planes. A spectrum of an N-point frame is re[N/2 + 1] and im[N/2 + 1] in two
// separate buffers (im[0] = im[N/2] = 0); batched spectra are [batch, frames, N/2 + 1] per plane.
// A plan is made once per N (it allocates its twiddles and scratch in WASM memory) and reused; the
// transforms themselves allocate nothing.
import type { KernelCore } from './core.js';
import type { Ptr } from './ops.js';


/** A real-FFT plan living in one core's memory. */
export interface RfftPlan {
  /** Real frame length N. */
  readonly n: number;
  /** Number of spectrum bins, N/2 + 1. */
  readonly bins: number;
  /** The plan's address in WASM memory. */
  readonly ptr: Ptr;
}

/** Make a plan for a power-of-two N in [16, 2^24]. Allocates; call once per N and keep it. */
export function rfftPlan(core: KernelCore, n: number): RfftPlan {
  if (!Number.isInteger(n) || n < 16 || n > 1 << 24 || (n & (n - 1)) !== 0) {
    throw new RangeError(`rfftPlan: N must be a power of two from 16 to 2^24, got ${n}`);
  }
  const ptr = core.exports.rfftPlanCreate(n);
  return { n, bins: n / 2 + 1, ptr };
}

/** re, im [N/2 + 1] = rfft(x [N]). */
export function rfftForward(core: KernelCore, plan: RfftPlan, x: Ptr, re: Ptr, im: Ptr): void {
  core.exports.rfftForward(plan.ptr, x, re, im);
}

/** dx [N] += A^T (gRe, gIm): the exact transpose of rfftForward (R^N -> R^(N+2)). */
export function rfftAdjoint(core: KernelCore, plan: RfftPlan, gRe: Ptr, gIm: Ptr, dx: Ptr): void {
  core.exports.rfftAdjoint(plan.ptr, gRe, gIm, dx);
}

/**
 * Frames of a centered STFT (torch.stft(center=True)): signals of t samples padded by N/2 on each
 * side give 1 + floor(t / hop) frames.
 */
export function centeredFrameCount(t: number, hop: number): number {
  return 1 + Math.floor(t / hop);
}

/** Periodic Hann window of length n, allocated in the core (once, at setup). */
export function periodicHann(core: KernelCore, n: number): Ptr {
  const ptr = core.allocF32(n);
  const w = core.f32(ptr, n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return ptr;
}

export interface StftArgs {
  /** Padded signals [batch, padLen]. */
  xPad: Ptr;
  batch: number;
  /** Samples per padded signal (the row stride of xPad). */
  padLen: number;
  /** Frames per signal; frame f reads xPad[b, f*hop .. f*hop + N), which must stay inside the row. */
  frames: number;
  hop: number;
  /** Analysis window [N], or 0 for none. */
  window: Ptr;
  /** Spectrum planes [batch, frames, N/2 + 1], kept for the backward; 0 and 0 when not needed. */
  re: Ptr;
  im: Ptr;
  /** |X| [batch, frames, N/2 + 1]. */
  mag: Ptr;
}

/** Batched magnitude STFT: window, rfft and |X| of every frame. */
export function stftMagnitude(core: KernelCore, plan: RfftPlan, a: StftArgs): void {
  core.exports.stftMagnitude(plan.ptr, a.xPad, a.batch, a.padLen, a.frames, a.hop, a.window, a.re, a.im, a.mag);
}

export interface StftBackwardArgs {
  /** dL/d|X| [batch, frames, N/2 + 1]. */
  dMag: Ptr;
  /** The spectrum planes kept by stftMagnitude. */
  re: Ptr;
  im: Ptr;
  batch: number;
  padLen: number;
  frames: number;
  hop: number;
  window: Ptr;
  /** dL/dxPad [batch, padLen], accumulated into (+=). */
  dxPad: Ptr;
}

/** Backward of stftMagnitude. d|X|/dX = X/|X|, taken as 0 where |X| = 0. */
export function stftMagnitudeBackward(core: KernelCore, plan: RfftPlan, a: StftBackwardArgs): void {
  core.exports.stftMagnitudeBackward(plan.ptr, a.dMag, a.re, a.im, a.batch, a.padLen, a.frames, a.hop, a.window, a.dxPad);
}

/** out [batch, t + 2 pad] = reflect-padded x [batch, t] (torch pad_mode='reflect'; pad < t). */
export function reflectPad(core: KernelCore, x: Ptr, batch: number, t: number, pad: number, out: Ptr): void {
  if (pad >= t) throw new RangeError(`reflectPad: pad ${pad} must be shorter than the signal (${t})`);
  core.exports.reflectPad(x, batch, t, pad, out);
}

/** dx [batch, t] += the transpose of reflectPad applied to dOut [batch, t + 2 pad]. */
export function reflectPadBackward(core: KernelCore, dOut: Ptr, batch: number, t: number, pad: number, dx: Ptr): void {
  core.exports.reflectPadBackward(dOut, batch, t, pad, dx);
}
