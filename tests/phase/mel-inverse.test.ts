// Inverting the losses' mel filterbank (src/phase/mel-inverse.ts): non-negative least squares whose
// result has the given mel, unlike the clamped pseudo-inverse it starts from; what it cannot recover.
import { describe, it, expect, beforeAll } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { applyMel, melFilterbank } from '../../src/losses/mel.js';
import { melToMagnitude } from '../../src/phase/mel-inverse.js';
import { magnitudeSpectrogram } from '../../src/phase/stft-workspace.js';
import { pianoAt24k, relativeError } from './signals.js';

const core = KernelCore.create();
const fb = melFilterbank({ nFft: 1024, nMels: 64, sampleRate: 24000, fMin: 0, fMax: 12000 });
let magnitude: Float32Array;
let frames: number;
let mel: Float32Array;

const melOf = (m: Float32Array) => {
  const out = new Float32Array(frames * fb.nMels);
  applyMel(fb, m, out, frames);
  return out;
};
/** The largest level error in dB over bands above -60 dB of the loudest (the audible ones). */
const worstDb = (a: Float32Array, b: Float32Array) => {
  const floor = Math.max(...b) * 1e-3;
  let worst = 0;
  for (let i = 0; i < a.length; i++) if (b[i] > floor) worst = Math.max(worst, Math.abs(20 * Math.log10(Math.max(a[i], 1e-12) / b[i])));
  return worst;
};

beforeAll(async () => {
  ({ magnitude, frames } = magnitudeSpectrogram(core, await pianoAt24k(2), { nFft: 1024, hop: 256 }));
  mel = melOf(magnitude);
});

describe('melToMagnitude', () => {
  it('returns a non-negative magnitude [frames, 513] whose mel is the given one (piano, 2 s)', () => {
    const s = melToMagnitude(fb, mel, frames);
    expect(s.length).toBe(frames * 513);
    expect(s.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    // Measured at the default 100 iterations: 7.7e-5 relative, 0.09 dB at worst (50: 5.9e-4, 0.83 dB).
    expect(relativeError(melOf(s), mel)).toBeLessThan(5e-4);
    expect(worstDb(melOf(s), mel)).toBeLessThan(0.3);
  });

  it('fits the mel better than the clamped pseudo-inverse it starts from, and better with more iterations', () => {
    const errors = [0, 10, 50, 200].map((iters) => relativeError(melOf(melToMagnitude(fb, mel, frames, { iters })), mel));
    for (let k = 1; k < errors.length; k++) expect(errors[k]).toBeLessThan(errors[k - 1]);
    // The clamped pseudo-inverse (0 iterations) is off by several dB in bands next to much louder ones.
    expect(worstDb(melOf(melToMagnitude(fb, mel, frames, { iters: 0 })), mel)).toBeGreaterThan(3);
  });

  it('cannot recover detail within a band: the harmonics of a note merge where the bands are wide', () => {
    const s = melToMagnitude(fb, mel, frames);
    // Peak-to-mean of the magnitude over 4-8 kHz (bins 171-341; bands there span 15 to 30 bins): the
    // original's partials stand out of the floor between them; the inversion spreads each band smoothly.
    const peakiness = (m: Float32Array) => {
      let ratio = 0;
      for (let f = 0; f < frames; f++) {
        const row = m.subarray(f * 513 + 171, f * 513 + 342);
        const mean = row.reduce((a, v) => a + v, 0) / row.length;
        if (mean > 0) ratio += Math.max(...row) / mean / frames;
      }
      return ratio;
    };
    expect(peakiness(magnitude)).toBeGreaterThan(1.5 * peakiness(s));
  });

  it('refuses bad shapes, values and iterations with a RangeError that says why', () => {
    expect(() => melToMagnitude(fb, mel.subarray(1), frames)).toThrow(/must hold frames x nMels/);
    expect(() => melToMagnitude(fb, mel, 0)).toThrow(/frames must be a whole number >= 1/);
    expect(() => melToMagnitude(fb, mel, frames, { iters: -1 })).toThrow(/iters must be a whole number >= 0/);
    const bad = mel.slice();
    bad[3] = Number.POSITIVE_INFINITY;
    expect(() => melToMagnitude(fb, bad, frames)).toThrow(/finite, got Infinity at index 3/);
  });
});
