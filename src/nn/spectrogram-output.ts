// What a Setup B decoder's output means, and the audio it stands for. The decoder's last layer is
// linear; its value v in each (bin, frame) is a level in dB:
//
//   dB = SPECTROGRAM_DB_SCALE * v + SPECTROGRAM_DB_OFFSET[space]
//
// Why a scale and an offset: a freshly initialised decoder outputs values of about +-1, and Adam at
// lr 1e-3 moves each weight by about 1e-3 a step. In units of 20 dB (v is log10 |X| up to the
// offset) the middle 90% of the levels of music span v of about -2 to +1.5, and the offset puts
// v = 0 at their median, so training starts near the targets. Medians measured on the bundled clip
// and the piano excerpt of tests/fixtures/music (5th/50th/95th percentiles of the losses'
// spectrograms): STFT -41/-11/+10 and -57/-21/+2 dB; mel -2/+13/+24 and -9/+5/+18 dB (the mel
// filters are not area-normalised, so a band sums several bins). Hence -20 dB (STFT) and 0 dB
// (mel); tests/nn/setup-b.test.ts keeps them within 15 dB of those medians.
// What it buys, measured (tiny, stft-db-l1, batch 8, bundled clip; training loss at steps 1/20/50/100):
// this scale and offset 13.0/7.8/6.4/6.3 dB; dB predicted directly (scale 1, offset 0) 15.2/10.8/
// 7.6/6.2; scale 40 trains like 20. The first 50 steps are faster; by step 100 they are the same.
//
// Audio comes back by Griffin-Lim (src/phase/griffin-lim.ts) on the losses' own STFT (periodic Hann,
// n_fft 1024, hop 256, centred). The mel variant first maps the 64 bands back to 513 STFT
// magnitudes (src/phase/mel-inverse.ts: non-negative least squares against the losses' filterbank).
// Long predictions run in overlapping chunks (src/phase/chunked-synthesis.ts), so memory stays bounded.
//
// Frames: a centred STFT of T samples has 1 + floor(T / 256) frames; the decoder gives one per
// 256 samples of its (padded) latent, ceil(T / 256). Training compares the first T / 256 frames of
// both (src/train/spectrogram-loss.ts); here, frames the decoder did not give (the STFT's last one
// when T is a multiple of 256) repeat the decoder's last frame.
import type { KernelCore } from '../kernels/core.js';
import { centeredFrameCount } from '../kernels/fft.js';
import { melFilterbank, type MelFilterbank } from '../losses/mel.js';
import { griffinLim } from '../phase/griffin-lim.js';
import { synthesizeInChunks } from '../phase/chunked-synthesis.js';
import { melToMagnitude } from '../phase/mel-inverse.js';
import { MEL_BANDS, STFT_N_FFT } from '../losses/spaces.js';
import type { Preset, SpectrogramOutput, SpectrogramSpace } from './presets.js';

export const SPECTROGRAM_DB_SCALE = 20;
export const SPECTROGRAM_DB_OFFSET: Record<SpectrogramSpace, number> = { 'stft-db': -20, 'mel-db': 0 };

/** The level in dB that a decoder output value stands for. */
export const outputToDb = (space: SpectrogramSpace, v: number): number => SPECTROGRAM_DB_SCALE * v + SPECTROGRAM_DB_OFFSET[space];

let lossMel: MelFilterbank | null = null;

/** The mel filterbank of the losses (64 HTK bands, 0-12 kHz on the 1024-point STFT), made once. */
export function lossMelFilterbank(): MelFilterbank {
  lossMel ??= melFilterbank({ nFft: STFT_N_FFT, ...MEL_BANDS });
  return lossMel;
}

/**
 * The linear STFT magnitude of `frames` frames from frame `first` on, [frames, 513] row-major, from
 * a decoder's prediction `pred` [bins, predFrames] (channel-major, as the graph lays it out). Frames
 * past the prediction's end repeat its last frame.
 */
export function predictionToMagnitude(spec: SpectrogramOutput, pred: Float32Array, predFrames: number, first: number, frames: number): Float32Array {
  if (pred.length !== spec.bins * predFrames || predFrames < 1) throw new Error(`expected ${spec.bins} x ${predFrames} predicted values, got ${pred.length}`);
  const { bins } = spec;
  const linear = new Float32Array(frames * bins);
  for (let f = 0; f < frames; f++) {
    const src = Math.min(first + f, predFrames - 1);
    for (let c = 0; c < bins; c++) linear[f * bins + c] = 10 ** (outputToDb(spec.space, pred[c * predFrames + src]) / 20);
  }
  return spec.space === 'mel-db' ? melToMagnitude(lossMelFilterbank(), linear, frames) : linear;
}

/**
 * `length` samples of audio from a prediction: its magnitude, and a phase found by Griffin-Lim, in
 * chunks of bounded length (src/phase/chunked-synthesis.ts; a short last chunk's magnitude is
 * continued by its last frame).
 */
export function predictionToAudio(core: KernelCore, spec: SpectrogramOutput, pred: Float32Array, predFrames: number, length: number): Float32Array {
  return synthesizeInChunks(length, (start, _n, glLength) => {
    const frames = centeredFrameCount(glLength, spec.hop);
    const magnitude = predictionToMagnitude(spec, pred, predFrames, start / spec.hop, frames);
    // A fixed seed: the same weights give the same audio on every call (scores and files reproduce).
    return griffinLim(core, magnitude, frames, glLength, { nFft: STFT_N_FFT, hop: spec.hop, iters: spec.glIters, seed: 0 });
  });
}

/**
 * The audio of a one-example graph output of `length` samples: the output itself in Setup A (a view
 * into the core: copy it before the core runs again), Griffin-Lim of the predicted spectrogram in B.
 */
export function outputAudio(core: KernelCore, model: Preset, output: { ptr: number; C: number; T: number }, length: number): Float32Array {
  if (!model.spectrogram) return core.f32(output.ptr, length);
  return predictionToAudio(core, model.spectrogram, Float32Array.from(core.f32(output.ptr, output.C * output.T)), output.T, length);
}
