// The oracle reconstruction (src/phase/oracle.ts): Griffin-Lim from the original's own magnitude
// gets the magnitude nearly right and the waveform wrong (phase); from its mel, the mel right.
import { describe, it, expect, beforeAll } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { applyMel, melFilterbank } from '../../src/losses/mel.js';
import { oracleReconstruction } from '../../src/phase/oracle.js';
import { spectralConvergence } from '../../src/phase/griffin-lim.js';
import { magnitudeSpectrogram } from '../../src/phase/stft-workspace.js';
import { pianoAt24k, relativeError } from './signals.js';

const core = KernelCore.create();
const STFT = { nFft: 1024, hop: 256 };
let audio: Float32Array;

/** Mean |dB(a) - dB(b)| of the 64-band mel spectrograms, as mel-db-l1 measures it (floor 1e-5). */
const melDbL1 = (a: Float32Array, b: Float32Array) => {
  const fb = melFilterbank({ nFft: 1024, nMels: 64, sampleRate: 24000, fMin: 0, fMax: 12000 });
  const [ma, mb] = [a, b].map((x) => {
    const { magnitude, frames } = magnitudeSpectrogram(core, x, STFT);
    const mel = new Float32Array(frames * 64);
    applyMel(fb, magnitude, mel, frames);
    return mel.map((v) => 20 * Math.log10(Math.max(v, 1e-5)));
  });
  return ma.reduce((s, v, i) => s + Math.abs(v - mb[i]), 0) / ma.length;
};

beforeAll(async () => {
  audio = await pianoAt24k(2);
});

describe('oracleReconstruction', () => {
  it("'stft': the magnitude comes back within a spectral convergence of 0.1, the waveform does not (the phase differs)", () => {
    const y = oracleReconstruction(core, audio, 'stft', { iters: 100 });
    const { magnitude, frames } = magnitudeSpectrogram(core, audio, STFT);
    expect(y.length).toBe(audio.length);
    // Measured: 0.063; a mel-db-l1 of 0.18 dB; a waveform error ||y - x|| / ||x|| of 1.34, as far from
    // the original as an unrelated signal of its level would be.
    expect(spectralConvergence(core, y, magnitude, frames, STFT)).toBeLessThan(0.1);
    expect(melDbL1(y, audio)).toBeLessThan(0.5);
    expect(relativeError(y, audio)).toBeGreaterThan(0.5);
  });

  it("'mel': the mel spectrogram comes back close, the linear magnitude less so (detail within bands is lost)", () => {
    const y = oracleReconstruction(core, audio, 'mel', { iters: 100 });
    const stftOracle = oracleReconstruction(core, audio, 'stft', { iters: 100 });
    const { magnitude, frames } = magnitudeSpectrogram(core, audio, STFT);
    // Measured: spectral convergence 0.27 (0.063 from the STFT magnitude), mel-db-l1 0.52 dB,
    // waveform error 1.15.
    const sc = spectralConvergence(core, y, magnitude, frames, STFT);
    expect(sc).toBeGreaterThan(2 * spectralConvergence(core, stftOracle, magnitude, frames, STFT));
    expect(melDbL1(y, audio)).toBeLessThan(1);
    expect(relativeError(y, audio)).toBeGreaterThan(0.5);
  });

  it('is deterministic for a seed, and refuses an unknown space', () => {
    const short = audio.subarray(0, 12000);
    const run = () => oracleReconstruction(core, short, 'mel', { iters: 4, seed: 3 });
    expect(run()).toEqual(run());
    expect(() => oracleReconstruction(core, short, 'wave' as 'stft', { iters: 4 })).toThrow(/space must be 'stft' or 'mel'/);
  });
});
