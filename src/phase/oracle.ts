// The "oracle" of Setup B: phase reconstruction given a perfect prediction. A Setup B codec predicts
// a magnitude (or a mel spectrogram) and leaves the phase to Griffin-Lim; feeding Griffin-Lim the
// original's own magnitude shows the best that route can sound, whatever the codec learns. What is
// wrong in the oracle (smeared transients, a phasey sheen) is the price of the phase, not of the model.
import type { KernelCore } from '../kernels/core.js';
import { applyMel, melFilterbank } from '../losses/mel.js';
import { MEL_BANDS, STFT_HOP, STFT_N_FFT } from '../losses/spaces.js';
import { synthesizeInChunks } from './chunked-synthesis.js';
import { griffinLim, type GriffinLimOptions } from './griffin-lim.js';
import { melToMagnitude } from './mel-inverse.js';
import { magnitudeSpectrogram } from './stft-workspace.js';

export interface OracleOptions extends Partial<Pick<GriffinLimOptions, 'momentum' | 'seed'>> {
  /** Griffin-Lim iterations. */
  iters: number;
  /** The losses' STFT by default: 1024 and 256. */
  nFft?: number;
  hop?: number;
  /** Mel bands for space 'mel' (64, the losses' filterbank: HTK, 0 Hz to half of sampleRate). */
  nMels?: number;
  /** The audio's rate, for the mel filterbank; the model rate (24 kHz) by default. */
  sampleRate?: number;
  /** Iterations of the mel inversion (src/phase/mel-inverse.ts), for space 'mel'. */
  melIters?: number;
}

/**
 * Griffin-Lim from the original's own magnitude ('stft') or from its mel spectrogram inverted to a
 * magnitude first ('mel'): the best that phase reconstruction alone can do.
 */
export function oracleReconstruction(core: KernelCore, audio: Float32Array, space: 'stft' | 'mel', o: OracleOptions): Float32Array {
  const nFft = o.nFft ?? STFT_N_FFT;
  const hop = o.hop ?? (o.nFft === undefined ? STFT_HOP : nFft / 4);
  let { magnitude, frames } = magnitudeSpectrogram(core, audio, { nFft, hop });
  if (space === 'mel') {
    const sampleRate = o.sampleRate ?? MEL_BANDS.sampleRate;
    const fb = melFilterbank({ nFft, nMels: o.nMels ?? MEL_BANDS.nMels, sampleRate, fMin: 0, fMax: sampleRate / 2 });
    const mel = new Float32Array(frames * fb.nMels);
    applyMel(fb, magnitude, mel, frames);
    magnitude = melToMagnitude(fb, mel, frames, { iters: o.melIters });
  } else if (space !== 'stft') {
    throw new RangeError(`oracleReconstruction: space must be 'stft' or 'mel', got ${String(space)}`);
  }
  return griffinLim(core, magnitude, frames, audio.length, { nFft, hop, iters: o.iters, momentum: o.momentum, seed: o.seed });
}

/**
 * The oracle of audio of any length at the losses' STFT, in bounded kernel memory: each chunk of
 * src/phase/chunked-synthesis.ts (zero-padded to its synthesis length) goes through
 * oracleReconstruction, and the chunks are crossfaded. Seed 0, so the same audio always gives the
 * same oracle (a file exported and the audio played agree).
 */
export function chunkedOracle(core: KernelCore, audio: Float32Array, space: 'stft' | 'mel', iters: number): Float32Array {
  return synthesizeInChunks(audio.length, (start, n, glLength) => {
    const chunk = new Float32Array(glLength);
    chunk.set(audio.subarray(start, start + n));
    return oracleReconstruction(core, chunk, space, { iters, seed: 0 });
  });
}
