// The shared magnitude STFT of the spectral losses (reference-model.md): periodic Hann window,
// centred frames with reflect padding (torch.stft(center=True, pad_mode="reflect")), |X|.
// One instance per (batch shape, n_fft, hop); it keeps the spectrum for its backward.
import type { KernelCore } from '../kernels/core.js';
import {
  centeredFrameCount, periodicHann, reflectPad, reflectPadBackward, rfftPlan, stftMagnitude, stftMagnitudeBackward,
  type RfftPlan,
} from '../kernels/fft.js';
import { zero } from '../kernels/ops.js';
import { BuiltWithoutGradientsError } from './transform.js';

export class MagnitudeStft {
  readonly frames: number;
  readonly bins: number;
  /** Values per spectrogram: B x frames x bins. */
  readonly size: number;
  /** |X| [B, frames, bins]. */
  readonly mag: number;
  private readonly plan: RfftPlan;
  private readonly window: number;
  private readonly padLen: number;
  private readonly xPad: number;
  private readonly dxPad: number;
  private readonly re: number;
  private readonly im: number;

  constructor(
    private readonly core: KernelCore,
    readonly B: number,
    readonly T: number,
    readonly nFft: number,
    readonly hop: number,
    /** false: forward only (a loss's target side), so no buffer for the backward. */
    readonly withGrad = true,
  ) {
    if (T <= nFft / 2) throw new Error(`a ${nFft}-point STFT needs more than ${nFft / 2} samples, got ${T}`);
    this.plan = rfftPlan(core, nFft);
    this.window = periodicHann(core, nFft);
    this.frames = centeredFrameCount(T, hop);
    this.bins = nFft / 2 + 1;
    this.size = B * this.frames * this.bins;
    this.padLen = T + nFft;
    this.xPad = core.allocF32(B * this.padLen);
    this.dxPad = withGrad ? core.allocF32(B * this.padLen) : 0;
    this.re = core.allocF32(this.size);
    this.im = core.allocF32(this.size);
    this.mag = core.allocF32(this.size);
  }

  /** mag = |STFT(x)| for x [B, T]. */
  forward(x: number): void {
    const { core, B, T, nFft, hop } = this;
    reflectPad(core, x, B, T, nFft / 2, this.xPad);
    stftMagnitude(core, this.plan, { xPad: this.xPad, batch: B, padLen: this.padLen, frames: this.frames, hop, window: this.window, re: this.re, im: this.im, mag: this.mag });
  }

  /** dx += the gradient through the last forward, given dMag = dL/d|X| [B, frames, bins]. */
  backward(dMag: number, dx: number): void {
    const { core, B, T, nFft, hop } = this;
    if (!this.withGrad) throw new BuiltWithoutGradientsError('this STFT');
    zero(core, this.dxPad, B * this.padLen);
    stftMagnitudeBackward(core, this.plan, { dMag, re: this.re, im: this.im, batch: B, padLen: this.padLen, frames: this.frames, hop, window: this.window, dxPad: this.dxPad });
    reflectPadBackward(core, this.dxPad, B, T, nFft / 2, dx);
  }
}
