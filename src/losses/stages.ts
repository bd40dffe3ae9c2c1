// The stages the loss spaces are built from (transform.ts), each forward beside its backward:
//   stftMagnitude  |X|, X = STFT of the waveform          (stft.ts; torch.stft(center=True,
//                  pad_mode="reflect", periodic Hann), as auraloss STFTLoss's magnitude)
//   melBands       M = filterbankᵀ |X|, 64 HTK bands       (mel.ts; torchaudio melscale_fbanks(
//                  norm=None, mel_scale="htk"), as auraloss STFTLoss(scale="mel"))
//   decibels       20 log10(max(x, 1e-5))                   (reference-model.md; the floor keeps
//                  silence finite, where auraloss clamps and takes log10 instead)
// The waveform itself is no stage: its space is the empty chain.
import type { KernelCore } from '../kernels/core.js';
import { MagnitudeStft } from './stft.js';
import { applyMel, applyMelBackward, melFilterbank } from './mel.js';
import type { Ptr, StageMaker } from './transform.js';

/** |STFT| with n_fft and hop; input rows are waveforms, output rows are frames [B x frames, bins]. */
export const stftMagnitude = (nFft: number, hop: number): StageMaker => (core, input, withGrad) => {
  const stft = new MagnitudeStft(core, input.rows, input.width, nFft, hop, withGrad);
  return {
    shape: { rows: input.rows * stft.frames, width: stft.bins },
    forward(x) {
      stft.forward(x);
      return stft.mag;
    },
    backward(dMag, dx) {
      stft.backward(dMag, dx);
    },
  };
};

/** The mel filterbank applied to each frame of |X|; its backward is the transpose. */
export const melBands = (o: { nMels: number; sampleRate: number; fMin: number; fMax: number }): StageMaker => (core, input) => {
  const fb = melFilterbank({ nFft: (input.width - 1) * 2, ...o });
  const shape = { rows: input.rows, width: fb.nMels };
  const inSize = input.rows * input.width;
  const outSize = shape.rows * shape.width;
  const out = core.allocF32(outSize);
  return {
    shape,
    forward(mag) {
      applyMel(fb, core.f32(mag, inSize), core.f32(out, outSize), shape.rows);
      return out;
    },
    backward(dMel, dMag) {
      applyMelBackward(fb, core.f32(dMel, outSize), core.f32(dMag, inSize), shape.rows);
    },
  };
};

/** Below this a magnitude counts as silence: -100 dB. */
export const DB_FLOOR = 1e-5;
const DB_PER_LN = 20 / Math.LN10;
const FLOOR_DB = DB_PER_LN * Math.log(DB_FLOOR);

/** y = 20 log10(max(x, floor)); with d, also dy/dx = 20 / (ln 10 x), 0 below the floor. */
function toDb(x: Float32Array, y: Float32Array, d: Float32Array | null): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > DB_FLOOR ? DB_PER_LN * Math.log(v) : FLOOR_DB;
    if (d) d[i] = v > DB_FLOOR ? DB_PER_LN / v : 0;
  }
}

/**
 * 20 log10(max(x, floor)), elementwise. Asked to keep, it also records the derivative during the
 * forward; the target's side (built without gradients) and a values-only call never compute it.
 */
export const decibels: StageMaker = (core, input, withGrad) => {
  const n = input.rows * input.width;
  const out = core.allocF32(n);
  const deriv: Ptr = withGrad ? core.allocF32(n) : 0;
  return {
    shape: input,
    forward(x, keep) {
      toDb(core.f32(x, n), core.f32(out, n), keep ? core.f32(deriv, n) : null);
      return out;
    },
    backward(dDb, dx) {
      const g = core.f32(dDb, n);
      const d = core.f32(deriv, n);
      const dst = core.f32(dx, n);
      for (let i = 0; i < n; i++) dst[i] += g[i] * d[i];
    },
  };
};
