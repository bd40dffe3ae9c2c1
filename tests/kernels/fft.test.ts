// Real FFT, its adjoint, and the batched magnitude STFT of the WASM core against the direct float64
// DFT twin (src/kernels/reference/fft.ts); the STFT backward against finite differences.
import { describe, it, expect } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import * as fft from '../../src/kernels/fft.js';
import * as ref from './reference/fft.js';
import { rng } from '../helpers.js';

const core = KernelCore.create();
const MAX = 1 << 17;
const X = core.allocF32(MAX);
const RE = core.allocF32(MAX);
const IM = core.allocF32(MAX);
const DX = core.allocF32(MAX);
const MAG = core.allocF32(MAX);
const SIZES = [16, 32, 64, 256, 512, 1024, 2048, 4096];
const plans = new Map(SIZES.map((n) => [n, fft.rfftPlan(core, n)]));
const plan = (n: number) => plans.get(n)!;


function fillRandom(ptr: number, n: number, seed: number, scale = 1): Float64Array {
  const r = rng(seed);
  const v = core.f32(ptr, n);
  for (let i = 0; i < n; i++) v[i] = scale * (2 * r() - 1);
  return Float64Array.from(v);
}

const read = (ptr: number, n: number) => Float64Array.from(core.f32(ptr, n));
const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

describe('rfft forward', () => {
  it.each(SIZES)('matches the direct DFT within 1e-5 of max |X| (N = %i)', (n) => {
    const x = fillRandom(X, n, n);
    fft.rfftForward(core, plan(n), X, RE, IM);
    const want = ref.dftReal(x);
    const bins = n / 2 + 1;
    const scale = Math.max(maxAbs(want.re), maxAbs(want.im));
    expect(maxDiff(read(RE, bins), want.re) / scale).toBeLessThan(1e-5);
    expect(maxDiff(read(IM, bins), want.im) / scale).toBeLessThan(1e-5);
    expect(core.f32(IM, bins)[0]).toBe(0);
    expect(core.f32(IM, bins)[n / 2]).toBe(0);
  });

  it('puts a pure tone in its bin', () => {
    const n = 256;
    const x = core.f32(X, n);
    for (let i = 0; i < n; i++) x[i] = Math.cos((2 * Math.PI * 5 * i) / n + 0.3);
    fft.rfftForward(core, plan(n), X, RE, IM);
    const re = read(RE, n / 2 + 1);
    const im = read(IM, n / 2 + 1);
    // X_5 = (N/2) e^{i 0.3}; every other bin ~0
    expect(re[5]).toBeCloseTo((n / 2) * Math.cos(0.3), 3);
    expect(im[5]).toBeCloseTo((n / 2) * Math.sin(0.3), 3);
    for (let k = 0; k <= n / 2; k++) if (k !== 5) expect(Math.hypot(re[k], im[k])).toBeLessThan(1e-3);
  });

  it('works in place (x aliasing the real plane)', () => {
    const n = 512;
    const x = fillRandom(X, n + 2, 77);
    fft.rfftForward(core, plan(n), X, X, X + 4 * (n / 2 + 1));
    const want = ref.dftReal(x.subarray(0, n));
    const got = read(X, n + 2);
    const scale = maxAbs(want.re);
    expect(maxDiff(got.subarray(0, n / 2 + 1), want.re) / scale).toBeLessThan(1e-5);
    expect(maxDiff(got.subarray(n / 2 + 1), want.im) / scale).toBeLessThan(1e-5);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => fft.rfftPlan(core, 1000)).toThrow(RangeError);
    expect(() => fft.rfftPlan(core, 8)).toThrow(RangeError);
  });
});

describe('rfft adjoint', () => {
  it.each(SIZES)('satisfies <A x, y> = <x, A^T y> (N = %i)', (n) => {
    const bins = n / 2 + 1;
    const x = fillRandom(X, n, 3 * n);
    fft.rfftForward(core, plan(n), X, RE, IM);
    const ax = [...read(RE, bins), ...read(IM, bins)];
    const yRe = fillRandom(RE, bins, 5 * n);
    const yIm = fillRandom(IM, bins, 7 * n);
    core.f32(DX, n).fill(0);
    fft.rfftAdjoint(core, plan(n), RE, IM, DX);
    const aty = read(DX, n);
    const lhs = dot(ax, [...yRe, ...yIm]);
    const rhs = dot(x, aty);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-5 * norm(ax) * Math.hypot(norm(yRe), norm(yIm)));
    // and it is the transpose the twin writes out term by term
    if (n <= 1024) {
      const want = ref.dftRealAdjoint(yRe, yIm, n);
      expect(maxDiff(aty, want) / maxAbs(want)).toBeLessThan(1e-5);
    }
  });

  it('accumulates into dx and ignores the imaginary parts of bins 0 and N/2', () => {
    const n = 32;
    const bins = n / 2 + 1;
    const yRe = fillRandom(RE, bins, 1);
    const yIm = fillRandom(IM, bins, 2);
    const dx0 = fillRandom(DX, n, 3);
    fft.rfftAdjoint(core, plan(n), RE, IM, DX);
    const first = read(DX, n);
    const want = ref.dftRealAdjoint(yRe, yIm, n).map((v, i) => v + dx0[i]);
    expect(maxDiff(first, want)).toBeLessThan(1e-5 * maxAbs(want));
    core.f32(IM, bins)[0] = 123;
    core.f32(IM, bins)[n / 2] = -45;
    core.f32(DX, n).set(dx0);
    fft.rfftAdjoint(core, plan(n), RE, IM, DX);
    expect(maxDiff(read(DX, n), first)).toBeLessThan(1e-6);
  });
});

describe('reflect padding', () => {
  it('pads as torch reflect mode does', () => {
    core.f32(X, 10).set([1, 2, 3, 4, 5, 10, 20, 30, 40, 50]);
    fft.reflectPad(core, X, 2, 5, 2, RE);
    expect(Array.from(core.f32(RE, 18))).toEqual([3, 2, 1, 2, 3, 4, 5, 4, 3, 30, 20, 10, 20, 30, 40, 50, 40, 30]);
  });

  it('backward is the transpose of the padding', () => {
    const batch = 3;
    const t = 37;
    const pad = 16;
    const len = t + 2 * pad;
    const x = fillRandom(X, batch * t, 9);
    fft.reflectPad(core, X, batch, t, pad, RE);
    const px = read(RE, batch * len);
    expect(maxDiff(px, ref.reflectPad(x, batch, t, pad))).toBe(0);
    const y = fillRandom(IM, batch * len, 10);
    core.f32(DX, batch * t).fill(0);
    fft.reflectPadBackward(core, IM, batch, t, pad, DX);
    const pty = read(DX, batch * t);
    expect(Math.abs(dot(px, y) - dot(x, pty))).toBeLessThan(1e-6 * norm(px) * norm(y));
    const twin = new Float64Array(batch * t);
    ref.reflectPadBackward(y, batch, t, pad, twin);
    expect(maxDiff(pty, twin)).toBeLessThan(1e-6);
  });
});

describe('magnitude STFT', () => {
  const shapeFor = (n: number, batch: number, t: number, hop: number): ref.StftShape => ({
    n, batch, hop, padLen: t + n, frames: fft.centeredFrameCount(t, hop),
  });

  it('forward matches the twin, with and without keeping the spectrum', () => {
    const n = 256;
    const s = shapeFor(n, 2, 1000, 64);
    const bins = n / 2 + 1;
    const rows = s.batch * s.frames;
    const xPad = fillRandom(X, s.batch * s.padLen, 21);
    const win = fft.periodicHann(core, n);
    const w = read(win, n);
    expect(maxDiff(w, ref.periodicHann(n))).toBeLessThan(1e-7);
    fft.stftMagnitude(core, plan(n), { xPad: X, ...s, window: win, re: RE, im: IM, mag: MAG });
    const want = ref.stftMagnitude(xPad, w, s);
    const scale = maxAbs(want.mag);
    expect(maxDiff(read(MAG, rows * bins), want.mag) / scale).toBeLessThan(1e-5);
    expect(maxDiff(read(RE, rows * bins), want.re) / scale).toBeLessThan(1e-5);
    expect(maxDiff(read(IM, rows * bins), want.im) / scale).toBeLessThan(1e-5);
    const kept = read(MAG, rows * bins);
    core.f32(MAG, rows * bins).fill(0);
    fft.stftMagnitude(core, plan(n), { xPad: X, ...s, window: win, re: 0, im: 0, mag: MAG });
    expect(maxDiff(read(MAG, rows * bins), kept)).toBe(0);
  });

  it('backward matches central finite differences of the twin', () => {
    const n = 32;
    const s = shapeFor(n, 2, 40, 8);
    const bins = n / 2 + 1;
    const rows = s.batch * s.frames;
    const total = s.batch * s.padLen;
    const xPad = fillRandom(X, total, 31);
    const w = ref.periodicHann(n);
    const win = core.allocF32(n); // test setup: one small allocation
    core.f32(win, n).set(w);
    const dMag = fillRandom(DX, rows * bins, 32); // upstream gradient dL/d|X|
    const DMAG = DX;
    const GRAD = MAG + 4 * rows * bins; // a disjoint region of MAG's buffer
    fft.stftMagnitude(core, plan(n), { xPad: X, ...s, window: win, re: RE, im: IM, mag: MAG });
    const g0 = fillRandom(GRAD, total, 33); // the backward accumulates
    fft.stftMagnitudeBackward(core, plan(n), { dMag: DMAG, re: RE, im: IM, ...s, window: win, dxPad: GRAD });
    const got = read(GRAD, total).map((v, i) => v - g0[i]);

    const loss = (xp: Float64Array) => dot(ref.stftMagnitude(xp, w, s).mag, dMag);
    const h = 1e-6;
    const fd = new Float64Array(total);
    for (let i = 0; i < total; i++) {
      const xp = Float64Array.from(xPad);
      xp[i] += h;
      const up = loss(xp);
      xp[i] -= 2 * h;
      fd[i] = (up - loss(xp)) / (2 * h);
    }
    expect(maxDiff(got, fd) / maxAbs(fd)).toBeLessThan(1e-5);
    const twin = new Float64Array(total);
    ref.stftMagnitudeBackward(xPad, w, dMag, s, twin);
    expect(maxDiff(twin, fd) / maxAbs(fd)).toBeLessThan(1e-6);
  });

  it('gives a zero (not NaN) gradient for silent frames, where |X| = 0', () => {
    const n = 64;
    const s = shapeFor(n, 1, 256, 16);
    const rows = s.frames;
    const bins = n / 2 + 1;
    core.f32(X, s.padLen).fill(0);
    fft.stftMagnitude(core, plan(n), { xPad: X, ...s, window: 0, re: RE, im: IM, mag: MAG });
    expect(maxAbs(read(MAG, rows * bins))).toBe(0);
    core.f32(DX, rows * bins).fill(1);
    core.f32(X, s.padLen).fill(0);
    fft.stftMagnitudeBackward(core, plan(n), { dMag: DX, re: RE, im: IM, ...s, window: 0, dxPad: X });
    const g = read(X, s.padLen);
    expect(g.every((v) => v === 0)).toBe(true);
  });

  it('allocates nothing and does not grow memory in steady state', () => {
    const n = 1024;
    const s = shapeFor(n, 2, 8192, 256);
    fillRandom(X, s.batch * s.padLen, 1);
    const win = fft.periodicHann(core, n);
    const probe1 = core.exports.alloc(16);
    const probe2 = core.exports.alloc(16);
    const bytes = core.exports.memory.buffer.byteLength;
    for (let r = 0; r < 5; r++) {
      fft.stftMagnitude(core, plan(n), { xPad: X, ...s, window: win, re: RE, im: IM, mag: MAG });
      fft.stftMagnitudeBackward(core, plan(n), { dMag: MAG, re: RE, im: IM, ...s, window: win, dxPad: DX });
      fft.rfftForward(core, plan(n), X, RE, IM);
      fft.rfftAdjoint(core, plan(n), RE, IM, DX);
    }
    expect(core.exports.memory.buffer.byteLength).toBe(bytes);
    expect(core.exports.alloc(16) - probe2).toBe(probe2 - probe1);
  });
});
