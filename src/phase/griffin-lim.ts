// Griffin-Lim phase reconstruction: audio whose STFT magnitude approaches a given one, found by
// alternating two projections (Griffin & Lim 1984, IEEE Trans. ASSP 32(2)): give the current
// spectrogram the wanted magnitude, keeping its phase; then replace it by the STFT of its
// least-squares inverse (the nearest spectrogram that some signal actually has). The squared
// magnitude error never grows, but it creeps down slowly.
//
// The fast variant (Perraudin, Balazs & Søndergaard 2013, "A fast Griffin-Lim algorithm", WASPAA)
// extrapolates each new estimate c_n past the last one, t_n = c_n + a (c_n - c_{n-1}), like Nesterov's
// momentum; with a = 0.99 it reaches in tens of iterations what the original needs hundreds for.
// The order of steps follows torchaudio.functional.griffinlim, so the same momentum means the same thing.
import type { KernelCore } from '../kernels/core.js';
import { axpy, copy, sumSqDiff, sumSquares, zero } from '../kernels/ops.js';
import { Random } from '../util/random.js';
import { checkSpectrogram, stftWorkspace, type StftShape, type StftWorkspace } from './stft-workspace.js';

export interface GriffinLimOptions {
  /** FFT size of the STFT; 1024 in the losses. */
  nFft: number;
  /** Hop between frames; 256 in the losses. */
  hop: number;
  /** Number of iterations (0: the initial random phase, unrefined). */
  iters: number;
  /**
   * Fast Griffin-Lim's a, in [0, 1]; default 0.99 as torchaudio. 0 gives the original algorithm of
   * Griffin & Lim 1984.
   */
  momentum?: number;
  /**
   * Seed of the initial phase, drawn uniformly in [0, 2 pi) for every bin by the engine's seeded
   * generator (src/util/random.ts, mulberry32, in row-major frame-by-bin order); default 0. The same
   * seed, magnitude and options give the same audio, bit for bit.
   */
  seed?: number;
}

export const DEFAULT_MOMENTUM = 0.99;

/**
 * Audio of `length` samples whose centred STFT magnitude (the losses' STFT: periodic Hann, reflect
 * padding, torch.stft center=True) approaches `magnitude` [frames, bins] (row-major, bins = nFft/2 + 1).
 */
export function griffinLim(core: KernelCore, magnitude: Float32Array, frames: number, length: number, o: GriffinLimOptions): Float32Array {
  const ws = stftWorkspace(core, o, length, 'griffinLim');
  checkSpectrogram(ws, magnitude, frames, 'griffinLim', 'magnitude');
  checkMagnitude(magnitude, 'griffinLim');
  if (!Number.isInteger(o.iters) || o.iters < 0) {
    throw new RangeError(`griffinLim: iters must be a whole number >= 0, got ${o.iters}`);
  }
  const momentum = o.momentum ?? DEFAULT_MOMENTUM;
  if (!(momentum >= 0 && momentum <= 1)) {
    throw new RangeError(`griffinLim: momentum must be in [0, 1] (0 = the original algorithm), got ${momentum}`);
  }
  // torchaudio's form: the new phase is that of rebuilt - a/(1+a) previous, which is (1+a) c_n - a c_{n-1}
  // of Perraudin et al. scaled by 1/(1+a) (the scale does not change a phase).
  const beta = momentum / (1 + momentum);

  ws.setMagnitude(magnitude);
  randomPhase(ws, o.seed ?? 0);
  const { size } = ws;
  // spareRe/Im hold the previous rebuilt spectrum (t_{n-1} of torchaudio), zero before the first.
  zero(core, ws.spareRe, size);
  zero(core, ws.spareIm, size);
  for (let i = 0; i < o.iters; i++) {
    ws.synthesise();
    ws.analyse();
    copy(core, ws.phaseRe, ws.re, size);
    copy(core, ws.phaseIm, ws.im, size);
    if (beta > 0) {
      axpy(core, ws.phaseRe, ws.spareRe, -beta, size);
      axpy(core, ws.phaseIm, ws.spareIm, -beta, size);
      copy(core, ws.spareRe, ws.re, size);
      copy(core, ws.spareIm, ws.im, size);
    }
  }
  ws.synthesise();
  return ws.view(ws.signal, length).slice();
}

function randomPhase(ws: StftWorkspace, seed: number): void {
  const random = new Random(seed);
  const re = ws.view(ws.phaseRe);
  const im = ws.view(ws.phaseIm);
  for (let i = 0; i < ws.size; i++) {
    const phi = 2 * Math.PI * random.next();
    re[i] = Math.cos(phi);
    im[i] = Math.sin(phi);
  }
}

/** A magnitude must be finite and >= 0: anything else has no signal to approach. */
export function checkMagnitude(magnitude: Float32Array, caller: string): void {
  for (let i = 0; i < magnitude.length; i++) {
    const v = magnitude[i];
    if (!(v >= 0 && v < Infinity)) throw new RangeError(`${caller}: magnitudes must be finite and >= 0, got ${v} at index ${i}`);
  }
}

/** Spectral convergence || |STFT(x)| - M ||_F / ||M||_F, the measure of how close it got. */
export function spectralConvergence(core: KernelCore, x: Float32Array, magnitude: Float32Array, frames: number, o: StftShape): number {
  const ws = stftWorkspace(core, o, x.length, 'spectralConvergence');
  checkSpectrogram(ws, magnitude, frames, 'spectralConvergence', 'magnitude');
  ws.view(ws.target).set(magnitude);
  const norm = sumSquares(core, ws.target, ws.size);
  if (!(norm > 0)) throw new RangeError('spectralConvergence: the target magnitude is all zero, so no relative error exists');
  ws.view(ws.signal, x.length).set(x);
  ws.analyse();
  return Math.sqrt(sumSqDiff(core, ws.mag, ws.target, ws.size) / norm);
}
