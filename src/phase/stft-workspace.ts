// The STFT of the spectral losses (periodic Hann, torch.stft(center=True, pad_mode="reflect"), |X|)
// and its least-squares inverse, on the kernel core's FFT: the two halves of every phase
// reconstruction step.
//
// Inverse (Griffin & Lim 1984, "Signal estimation from modified short-time Fourier transform",
// IEEE Trans. ASSP 32(2), eq. 6): given a spectrogram Y that need not be the STFT of any signal, the
// signal whose STFT is nearest to Y in the squared error is
//     x[n] = sum_f w[n - f hop] y_f[n - f hop] / sum_f w[n - f hop]^2,   y_f = irfft(Y_f),
// the overlap-add of windowed inverse frames over the sum of squared windows. Here the frames read
// the reflect-padded signal, so the same least-squares argument is made over the unpadded x: each
// padded sample is a copy of one x sample, so both numerator and denominator are folded back through
// the transpose of the padding (reflectPadBackward) before dividing. Inside the signal that is eq. 6
// unchanged; at the first and last n_fft/2 samples it also uses the mirrored frames that torch.istft
// discards, and for a consistent Y (an unmodified STFT) both give the signal back exactly.
//
// The inverse real FFT comes from the transpose of the forward one (rfftAdjoint, inside the kernel's
// stftMagnitudeBackward): for the map x -> (Re X, Im X) over bins 0..N/2, irfft(X) = A^T (c .* X)
// with c_0 = c_{N/2} = 1/N and c_k = 2/N otherwise (bins 1..N/2-1 stand for themselves and their
// mirror images). tests/phase/stft-workspace.test.ts checks it against the forward transform.
//
// Buffers live in the kernel core, which never frees memory, so one workspace is made per core and
// per shape (n_fft, hop, signal length) and reused by every call and iteration on that shape.
import type { KernelCore } from '../kernels/core.js';
import { perCore } from '../kernels/per-core.js';
import {
  centeredFrameCount, periodicHann, reflectPad, reflectPadBackward, rfftPlan, stftMagnitude, stftMagnitudeBackward,
  type RfftPlan,
} from '../kernels/fft.js';
import { zero } from '../kernels/ops.js';
import type { Ptr } from '../kernels/ops.js';

export interface StftShape {
  nFft: number;
  hop: number;
}

/** Everything one phase-reconstruction shape needs, allocated once in the core. */
export class StftWorkspace {
  readonly frames: number;
  readonly bins: number;
  /** Values per spectrogram plane: frames x bins. */
  readonly size: number;
  readonly plan: RfftPlan;
  readonly window: Ptr;
  readonly padLen: number;
  /** The time signal [length]: analyse() reads it, synthesise() writes it. */
  readonly signal: Ptr;
  readonly xPad: Ptr;
  /** The STFT of `signal` after analyse(): re, im and |X| [frames, bins]. */
  readonly re: Ptr;
  readonly im: Ptr;
  readonly mag: Ptr;
  /** What synthesise() builds from: a phase (any complex plane; only its angle is used) ... */
  readonly phaseRe: Ptr;
  readonly phaseIm: Ptr;
  /** ... and the magnitude, already multiplied by the inverse-FFT bin weights (see setMagnitude). */
  readonly weightedMag: Ptr;
  /** Spare planes for the callers' own state (Griffin-Lim's previous estimate, a target). */
  readonly spareRe: Ptr;
  readonly spareIm: Ptr;
  readonly target: Ptr;
  /** 1 / (folded sum of squared windows) per output sample: the division of Griffin & Lim's eq. 6. */
  private readonly inverseEnvelope: Float32Array;
  private readonly binWeights: Float32Array;

  constructor(private readonly core: KernelCore, readonly nFft: number, readonly hop: number, readonly length: number) {
    this.plan = rfftPlan(core, nFft);
    this.window = periodicHann(core, nFft);
    this.frames = centeredFrameCount(length, hop);
    this.bins = nFft / 2 + 1;
    this.size = this.frames * this.bins;
    this.padLen = length + nFft;
    this.signal = core.allocF32(length);
    this.xPad = core.allocF32(this.padLen);
    const plane = () => core.allocF32(this.size);
    [this.re, this.im, this.mag, this.phaseRe, this.phaseIm, this.weightedMag, this.spareRe, this.spareIm, this.target] =
      Array.from({ length: 9 }, plane);
    this.binWeights = new Float32Array(this.bins).fill(2 / nFft);
    this.binWeights[0] = this.binWeights[this.bins - 1] = 1 / nFft;
    this.inverseEnvelope = this.foldedEnvelope();
  }

  /** 1 / sum_f w^2 over the padded signal, folded onto the unpadded one (0 where nothing covers a sample). */
  private foldedEnvelope(): Float32Array {
    const { core, nFft, hop, length, padLen } = this;
    const padded = this.view(this.xPad, padLen);
    padded.fill(0);
    const w = this.view(this.window, nFft);
    for (let f = 0; f < this.frames; f++) for (let i = 0; i < nFft; i++) padded[f * hop + i] += w[i] * w[i];
    // Folded with the padding's own transpose, so the map of mirrored samples is written once (in the kernel).
    zero(core, this.signal, length);
    reflectPadBackward(core, this.xPad, 1, length, nFft / 2, this.signal);
    // Hann with hop <= n_fft / 2 covers every sample by at least 0.5; the guard is for safety only.
    return Float32Array.from(this.view(this.signal, length), (v) => (v > 1e-8 ? 1 / v : 0));
  }

  /** re, im, mag = STFT(signal). */
  analyse(): void {
    const { core, nFft, length } = this;
    reflectPad(core, this.signal, 1, length, nFft / 2, this.xPad);
    stftMagnitude(core, this.plan, {
      xPad: this.xPad, batch: 1, padLen: this.padLen, frames: this.frames, hop: this.hop, window: this.window,
      re: this.re, im: this.im, mag: this.mag,
    });
  }

  /** weightedMag = magnitude [frames, bins] times the inverse-FFT bin weights. */
  setMagnitude(magnitude: Float32Array): void {
    const out = this.core.f32(this.weightedMag, this.size);
    const { bins, binWeights } = this;
    for (let i = 0; i < this.size; i++) out[i] = magnitude[i] * binWeights[i % bins];
  }

  /**
   * signal = the least-squares inverse STFT of magnitude .* phase / |phase| (Griffin & Lim eq. 6).
   * Bins whose phase plane is exactly 0 contribute nothing (their angle is undefined).
   */
  synthesise(): void {
    const { core, nFft, length } = this;
    // xPad doubles as the overlap-add buffer: analyse() rewrites it before reading it.
    zero(core, this.xPad, this.padLen);
    stftMagnitudeBackward(core, this.plan, {
      dMag: this.weightedMag, re: this.phaseRe, im: this.phaseIm, batch: 1, padLen: this.padLen, frames: this.frames,
      hop: this.hop, window: this.window, dxPad: this.xPad,
    });
    zero(core, this.signal, length);
    reflectPadBackward(core, this.xPad, 1, length, nFft / 2, this.signal);
    const x = core.f32(this.signal, length);
    const inv = this.inverseEnvelope;
    for (let t = 0; t < length; t++) x[t] *= inv[t];
  }

  /** A view of one of the workspace's buffers (take it fresh: views die when the core's memory grows). */
  view(ptr: Ptr, n = this.size): Float32Array {
    return this.core.f32(ptr, n);
  }
}

const workspaceFor = perCore((core, key: string) => {
  const [nFft, hop, length] = key.split('/').map(Number);
  return new StftWorkspace(core, nFft, hop, length);
});

/** The workspace for this core and shape, made on first use. Validates the shape. */
export function stftWorkspace(core: KernelCore, shape: StftShape, length: number, caller: string): StftWorkspace {
  checkShape(shape, length, caller);
  return workspaceFor(core, `${shape.nFft}/${shape.hop}/${length}`);
}

function checkShape({ nFft, hop }: StftShape, length: number, caller: string): void {
  if (!Number.isInteger(nFft) || nFft < 16 || nFft > 1 << 24 || (nFft & (nFft - 1)) !== 0) {
    throw new RangeError(`${caller}: nFft must be a power of two from 16 to 2^24, got ${nFft}`);
  }
  // Up to half a frame, every sample lies under a Hann window at >= half its peak: the inverse is well posed.
  if (!Number.isInteger(hop) || hop < 1 || hop > nFft / 2) {
    throw new RangeError(`${caller}: hop must be an integer from 1 to nFft/2 = ${nFft / 2}, got ${hop}`);
  }
  if (!Number.isInteger(length) || length <= nFft / 2) {
    throw new RangeError(`${caller}: the signal must be longer than nFft/2 = ${nFft / 2} samples (reflect padding), got ${length}`);
  }
}

/** Check that a spectrogram has the shape of the centred STFT of `length` samples. */
export function checkSpectrogram(ws: StftWorkspace, values: Float32Array, frames: number, caller: string, what: string): void {
  if (frames !== ws.frames) {
    throw new RangeError(`${caller}: ${ws.length} samples at hop ${ws.hop} give ${ws.frames} centred frames, got frames = ${frames}`);
  }
  if (values.length !== ws.size) {
    throw new RangeError(`${caller}: ${what} must hold frames x bins = ${frames} x ${ws.bins} = ${ws.size} values, got ${values.length}`);
  }
}

/** |STFT(x)| [frames, bins] of the losses' STFT, as a new array. */
export function magnitudeSpectrogram(core: KernelCore, x: Float32Array, shape: StftShape): { magnitude: Float32Array; frames: number } {
  const ws = stftWorkspace(core, shape, x.length, 'magnitudeSpectrogram');
  ws.view(ws.signal, x.length).set(x);
  ws.analyse();
  return { magnitude: ws.view(ws.mag).slice(), frames: ws.frames };
}

/**
 * The least-squares inverse STFT (Griffin & Lim 1984, eq. 6) of the complex spectrogram re + i im
 * [frames, bins], as `length` samples.
 */
export function inverseStft(core: KernelCore, re: Float32Array, im: Float32Array, frames: number, length: number, shape: StftShape): Float32Array {
  const ws = stftWorkspace(core, shape, length, 'inverseStft');
  checkSpectrogram(ws, re, frames, 'inverseStft', 're');
  checkSpectrogram(ws, im, frames, 'inverseStft', 'im');
  ws.view(ws.phaseRe).set(re);
  ws.view(ws.phaseIm).set(im);
  ws.setMagnitude(Float32Array.from(re, (r, i) => Math.hypot(r, im[i])));
  ws.synthesise();
  return ws.view(ws.signal, length).slice();
}
