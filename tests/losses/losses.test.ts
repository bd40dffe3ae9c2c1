// The eleven losses: values against PyTorch, gradients against finite differences, silence safe.
import { describe, expect, it } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { LOSSES, LOSS_NAMES, lossCell, lossInDb } from '../../src/losses/index.js';

const B = 2;
const T = 4096;
const n = B * T;

/** Noise-like test signals (chirps of rising frequency), defined by formula so another framework can rebuild them. */
function signals(core: KernelCore) {
  const pred = core.allocF32(n);
  const target = core.allocF32(n);
  const grad = core.allocF32(n);
  const p = core.f32(pred, n);
  const t = core.f32(target, n);
  for (let i = 0; i < n; i++) {
    t[i] = 0.4 * Math.sin(i * i * 0.37 + i * 1.3);
    p[i] = 0.3 * Math.sin(i * i * 0.11 + i * 0.7);
  }
  return { pred, target, grad, p, t, g: core.f32(grad, n) };
}

// Computed by PyTorch 1.13 (Debian python3-torch) on the same signals, with torch.stft(center=True,
// pad_mode="reflect", periodic Hann), the reference's HTK mel filterbank and auraloss's magnitude
// floor (|X|^2 >= 1e-8) for mrstft: `/usr/bin/python3 bench/pytorch/loss_table.py` prints both tables.
const TORCH: Record<string, number> = {
  'wave-l1': 0.287577,
  'wave-l2': 0.1220682,
  'stft-l1': 2.706428,
  'stft-l2': 11.09413,
  'stft-db-l1': 6.773645,
  'stft-db-l2': 82.16109,
  'mel-l1': 11.44897,
  'mel-l2': 251.0687,
  'mel-db-l1': 3.520131,
  'mel-db-l2': 19.57134,
  mrstft: 1.394425,
};

// d loss / d pred . v for v = sin(1.7 seed i + seed), seeds 1, 2, 3, by PyTorch autograd on the same signals.
const TORCH_GRAD_DOT: Record<string, number[]> = {
  'wave-l1': [-0.01143939, 0.002716141, 0.0004155907],
  'wave-l2': [-0.003318108, 0.006311553, -0.001825017],
  'stft-l1': [0.1614566, -0.04292102, 0.07223366],
  'stft-l2': [1.276746, -0.7099618, -0.04159008],
  'stft-db-l1': [2.490961, -0.4846996, 1.937678],
  'stft-db-l2': [189.1756, -3.551164, 306.5489],
  'mel-l1': [1.525314, -1.66003, 0.5503683],
  'mel-l2': [42.63342, -97.62978, 21.91401],
  'mel-db-l1': [0.2823069, -0.1693531, 0.1589569],
  'mel-db-l2': [1.278348, -0.9335837, 1.580998],
  mrstft: [0.1386839, -0.15254, 0.1492442],
};

/**
 * How far float32 rounding moves a loss's value, relative to it, where that limits a finite
 * difference. stft-db-l2 squares the dB distance of near-silent bins, whose magnitudes sit at
 * float32's noise level: its value (82.16 here) differs between the two kernel builds at the same
 * input by up to 2.1e-6 relative (measured at the finite-difference points of seeds 1 to 3), and one
 * build's difference quotient along seed 2 moves from -3.38 to -3.91 when the input moves by an ulp
 * (float64: -3.546, as the analytic gradient). Every other loss: under 1e-7, left at 0 here.
 * Seed 2's derivative (-3.5, against 189 and 307 for seeds 1 and 3) is thus barely resolvable by a
 * difference in float32; the PyTorch comparison below holds it to 0.2%.
 */
const VALUE_ROUNDING: Partial<Record<string, number>> = { 'stft-db-l2': 2.5e-6 };

describe('losses in every output space', () => {
  const core = KernelCore.create();
  // Losses allocate their buffers first: views taken before an allocation would die when memory grows.
  const losses = LOSSES.map((info) => info.make(core, B, T));
  const s = signals(core);

  it('are the eleven of the loss grid, in the order of LOSS_NAMES, each checked against PyTorch', () => {
    expect(LOSSES.map((l) => l.name)).toEqual([...LOSS_NAMES]);
    expect(Object.keys(TORCH).sort()).toEqual([...LOSS_NAMES].sort());
    for (const l of LOSSES) expect(l.cell, l.name).toEqual(lossCell(l.name));
  });

  for (const loss of losses) {
    it(`${loss.name}: value matches PyTorch`, () => {
      expect(loss.compute(s.pred, s.target, 0)).toBeCloseTo(TORCH[loss.name], 4 - Math.max(0, Math.floor(Math.log10(TORCH[loss.name]))));
      expect(Math.abs(loss.compute(s.pred, s.target, 0) / TORCH[loss.name] - 1)).toBeLessThan(2e-5);
    });

    it(`${loss.name}: gradient matches central finite differences along random directions`, () => {
      const saved = Float32Array.from(s.p);
      for (const seed of [1, 2, 3]) {
        s.g.fill(0);
        const value = loss.compute(s.pred, s.target, s.grad);
        const v = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 * seed + seed));
        let analytic = 0;
        for (let i = 0; i < n; i++) analytic += s.g[i] * v[i];
        // L1: small enough that few kinks fall inside the step, large enough to stay clear of float32
        // rounding. L2 has no kinks but its steep squares make a 1e-5 difference mostly rounding
        // (stft-l2 along seed 3: 6% off at 1e-5, 0.3% at 1e-4), so it takes the larger step.
        const eps = loss.name.endsWith('-l2') ? 1e-4 : 1e-5;
        const at = (h: number) => {
          for (let i = 0; i < n; i++) s.p[i] = saved[i] + h * v[i];
          return loss.compute(s.pred, s.target, 0);
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        s.p.set(saved);
        // dB losses have log curvature near the 1e-5 floor, which limits what a finite difference can resolve.
        const tol = loss.name.includes('db') ? 0.08 : 0.03;
        // Plus what float32 rounding of the two values (each off by up to VALUE_ROUNDING x the loss) does to their difference.
        const rounding = ((VALUE_ROUNDING[loss.name] ?? 0) * Math.abs(value)) / eps;
        expect(Math.abs(analytic - fd), `seed ${seed}: analytic ${analytic}, fd ${fd}`).toBeLessThan(tol * Math.abs(fd) + rounding + 1e-6);
        const torch = TORCH_GRAD_DOT[loss.name][seed - 1];
        expect(Math.abs(analytic - torch), `seed ${seed}: analytic ${analytic}, torch ${torch}`).toBeLessThan(2e-3 * Math.abs(torch) + 1e-7);
      }
    });

    it(`${loss.name}: accumulates into the gradient (+=)`, () => {
      s.g.fill(0);
      loss.compute(s.pred, s.target, s.grad);
      const once = Float32Array.from(s.g);
      loss.compute(s.pred, s.target, s.grad);
      // Twice the gradient to float32 rounding, not bit for bit: a sample that gathers several terms
      // (a reflect-padded edge; any sample under mrstft's three resolutions) has them added, on the
      // second pass, to a non-zero value, so rounded differently (in either kernel
      // build, 260 to 2640 of the 8192 samples differ from 2 x once by an ulp or so; one of
      // stft-db-l2's reads 384.42496 for 384.42499, one ulp of 384 being 3.1e-5).
      const largest = once.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      const worst = s.g.reduce((m, x, i) => Math.max(m, Math.abs(x - 2 * once[i])), 0);
      expect(largest).toBeGreaterThan(0);
      expect(worst).toBeLessThan(1e-6 * largest);
    });

    it(`${loss.name}: is zero, with a zero gradient, when the prediction equals the target, even in silence`, () => {
      for (const fillTarget of [true, false]) {
        const saved = Float32Array.from(s.p);
        const savedT = Float32Array.from(s.t);
        if (!fillTarget) s.t.fill(0);
        s.p.set(s.t);
        s.g.fill(0);
        const value = loss.compute(s.pred, s.target, s.grad);
        s.p.set(saved);
        s.t.set(savedT);
        expect(value).toBeLessThan(1e-6);
        expect(Number.isFinite(value)).toBe(true);
        expect(s.g.every((x) => Number.isFinite(x) && Math.abs(x) < 1e-6)).toBe(true);
      }
    });
  }

  it('built for values only (scoring), each gives the same value, keeps less memory and refuses a gradient', () => {
    const scoring = KernelCore.create();
    for (const info of LOSSES) {
      const before = scoring.exports.alloc(0);
      const valuesOnly = info.make(scoring, B, T, false);
      const valuesOnlyBytes = scoring.exports.alloc(0) - before;
      const trainable = info.make(scoring, B, T);
      const trainableBytes = scoring.exports.alloc(0) - before - valuesOnlyBytes;
      const x = signals(scoring);
      expect(valuesOnly.compute(x.pred, x.target, 0), info.name).toBe(trainable.compute(x.pred, x.target, 0));
      expect(() => valuesOnly.compute(x.pred, x.target, x.grad), info.name).toThrow(expect.objectContaining({ code: 'BUILT_WITHOUT_GRADIENTS' }));
      if (info.cell?.space !== 'wave') expect(valuesOnlyBytes, info.name).toBeLessThan(trainableBytes);
    }
  });

  it('reads a loss in dB as what it is: a dB loss as its own level error, the others as 10 log10(loss)', () => {
    expect(lossInDb('wave-l1', 0.1)).toBeCloseTo(-10, 12);
    expect(lossInDb('mrstft', 1)).toBe(0);
    expect(lossInDb('wave-l2', 0)).toBe(-Infinity);
    // A mean level error of 4.40 dB is 4.40 dB, not 10 log10(4.40) = 6.43 dB.
    expect(lossInDb('mel-db-l1', 4.4)).toBe(4.4);
    expect(lossInDb('stft-db-l1', 0)).toBe(0);
    // A mean squared level error of 16 dB² is an RMS level error of 4 dB.
    expect(lossInDb('mel-db-l2', 16)).toBe(4);
    expect(lossInDb('stft-l2', 0.01)).toBeCloseTo(-20, 12);
  });
});
