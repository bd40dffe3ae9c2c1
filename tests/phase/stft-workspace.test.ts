// The least-squares inverse STFT under Griffin-Lim (src/phase/stft-workspace.ts): the inverse real
// FFT it takes from the forward's transpose, exact reconstruction of an unmodified STFT, and the
// least-squares property for a spectrogram that no signal has.
import { describe, it, expect } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { rfftAdjoint, rfftForward, rfftPlan } from '../../src/kernels/fft.js';
import { inverseStft, magnitudeSpectrogram, stftWorkspace } from '../../src/phase/stft-workspace.js';
import { maxAbsDiff, rng } from '../helpers.js';

const core = KernelCore.create();

function noise(n: number, seed: number, scale = 0.5): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => scale * (2 * r() - 1));
}

/** The complex STFT of x, as the workspace computes it (re, im [frames, bins]). */
function complexStft(x: Float32Array, nFft: number, hop: number) {
  const ws = stftWorkspace(core, { nFft, hop }, x.length, 'test');
  ws.view(ws.signal, x.length).set(x);
  ws.analyse();
  return { re: ws.view(ws.re).slice(), im: ws.view(ws.im).slice(), frames: ws.frames, bins: ws.bins };
}

describe('inverse real FFT from the transpose of the forward', () => {
  it.each([16, 256, 1024])('A^T (c .* rfft(x)) = x with c = 1/N at bins 0 and N/2, 2/N between (N = %i)', (n) => {
    const plan = rfftPlan(core, n);
    const [x, re, im, back] = [n, n / 2 + 1, n / 2 + 1, n].map((len) => core.allocF32(len));
    const want = noise(n, n);
    core.f32(x, n).set(want);
    rfftForward(core, plan, x, re, im);
    const c = (k: number) => (k === 0 || k === n / 2 ? 1 / n : 2 / n);
    const [vr, vi] = [core.f32(re, n / 2 + 1), core.f32(im, n / 2 + 1)];
    for (let k = 0; k <= n / 2; k++) {
      vr[k] *= c(k);
      vi[k] *= c(k);
    }
    rfftAdjoint(core, plan, re, im, back);
    expect(maxAbsDiff(core.f32(back, n), want)).toBeLessThan(1e-6);
  });
});

describe('inverseStft', () => {
  it.each([
    [24000, 1024, 256],
    [24000 + 77, 1024, 256], // a length that is no multiple of the hop
    [5000, 512, 128],
    [1000, 1024, 512], // barely longer than the padding, hop n_fft/2
  ])('gives an unmodified STFT back as its signal within 1e-5 (%i samples, n_fft %i, hop %i)', (length, nFft, hop) => {
    const x = noise(length, length);
    const { re, im, frames } = complexStft(x, nFft, hop);
    const y = inverseStft(core, re, im, frames, length, { nFft, hop });
    expect(y.length).toBe(length);
    expect(maxAbsDiff(y, x)).toBeLessThan(1e-5);
  });

  it('returns the least-squares signal for a spectrogram no signal has: the error is orthogonal to every STFT', () => {
    const [length, nFft, hop] = [6000, 1024, 256];
    const { frames, bins } = complexStft(new Float32Array(length), nFft, hop);
    // Random planes: not the STFT of anything. Their best fit leaves a residual E = STFT(x) - Y with
    // <STFT(d), E> = 0 for every direction d (normal equations), at the edges as much as inside. The
    // error is that of the whole two-sided spectrum, where bins 1..N/2-1 also stand for their mirrors.
    const yRe = noise(frames * bins, 1, 1);
    const yIm = noise(frames * bins, 2, 1);
    const x = inverseStft(core, yRe, yIm, frames, length, { nFft, hop });
    const fit = complexStft(x, nFft, hop);
    const weight = (i: number) => (i % bins === 0 || i % bins === bins - 1 ? 1 : 2);
    let residualNorm = 0;
    for (let i = 0; i < yRe.length; i++) residualNorm += weight(i) * ((fit.re[i] - yRe[i]) ** 2 + (fit.im[i] - yIm[i]) ** 2);
    expect(residualNorm).toBeGreaterThan(0);
    for (const [seed, edgeOnly] of [[3, false], [4, true]] as const) {
      const d = noise(length, seed);
      if (edgeOnly) d.fill(0, nFft); // a direction living in the reflect-padded first n_fft samples
      const dd = complexStft(d, nFft, hop);
      let inner = 0;
      let dNorm = 0;
      for (let i = 0; i < yRe.length; i++) {
        inner += weight(i) * (dd.re[i] * (fit.re[i] - yRe[i]) + dd.im[i] * (fit.im[i] - yIm[i]));
        dNorm += weight(i) * (dd.re[i] ** 2 + dd.im[i] ** 2);
      }
      expect(Math.abs(inner) / Math.sqrt(dNorm * residualNorm)).toBeLessThan(1e-6);
    }
  });

  it('refuses shapes that do not fit, with the reason', () => {
    const { re, im, frames } = complexStft(noise(4096, 9), 1024, 256);
    expect(() => inverseStft(core, re, im, frames + 1, 4096, { nFft: 1024, hop: 256 })).toThrow(/give 17 centred frames, got frames = 18/);
    expect(() => inverseStft(core, re.subarray(1), im, frames, 4096, { nFft: 1024, hop: 256 })).toThrow(RangeError);
    expect(() => inverseStft(core, re, im, frames, 4096, { nFft: 1000, hop: 256 })).toThrow(/power of two/);
    expect(() => inverseStft(core, re, im, frames, 4096, { nFft: 1024, hop: 600 })).toThrow(/hop must be an integer from 1 to nFft\/2/);
    expect(() => inverseStft(core, re, im, frames, 512, { nFft: 1024, hop: 256 })).toThrow(/longer than nFft\/2/);
  });
});

describe('magnitudeSpectrogram', () => {
  it('puts a tone in its bin, at the magnitude of a Hann-windowed sine (N/4)', () => {
    const n = 8192;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 64 * 24000 / 1024 * i) / 24000));
    const { magnitude, frames } = magnitudeSpectrogram(core, x, { nFft: 1024, hop: 256 });
    expect(frames).toBe(33);
    const mid = 16 * 513;
    expect(magnitude[mid + 64]).toBeCloseTo(256, 0);
    expect(magnitude[mid + 70]).toBeLessThan(1e-2);
  });
});
