// Optimizer updates of the WASM core: first against steps worked by hand from the torch.optim
// formulas (the expected numbers are written out, not produced by the twin), then against the
// float64 twins (src/kernels/reference/optim.ts) on random buffers over several steps.
import { describe, it, expect } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import * as optim from '../../src/kernels/optim.js';
import * as ref from './reference/optim.js';

const core = KernelCore.create();
const MAX = 4096;
const P = core.allocF32(MAX);
const G = core.allocF32(MAX);
const S1 = core.allocF32(MAX);
const S2 = core.allocF32(MAX);
const S3 = core.allocF32(MAX);

// Six lanes: one full vector plus a two-float tail, so both code paths are checked.
const LANES = 6;

/** Reset p to `p0`, g to `g0` and the state buffers to 0 in every lane. */
function setup(p0: number, g0: number): void {
  core.f32(P, LANES).fill(p0);
  core.f32(G, LANES).fill(g0);
  for (const s of [S1, S2, S3]) core.f32(s, LANES).fill(0);
}
function setGrad(g: number): void {
  core.f32(G, LANES).fill(g);
}
/** Every lane of buffer `ptr` equals `want` to 1e-6 relative. */
function expectLanes(ptr: number, want: number): void {
  for (const v of core.f32(ptr, LANES)) expect(Math.abs(v - want)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(want), 1e-3));
}

describe('hand-worked steps', () => {
  it('SGD with L2 weight decay', () => {
    // lr 0.1, wd 0.01, p 1, g 0.5: d = 0.5 + 0.01 * 1 = 0.51, p = 1 - 0.1 * 0.51 = 0.949
    setup(1, 0.5);
    optim.sgdStep(core, { p: P, g: G, n: LANES, lr: 0.1, weightDecay: 0.01 });
    expectLanes(P, 0.949);
    expectLanes(G, 0.5); // the gradient buffer is not modified
  });

  it('SGD momentum (PyTorch convention), dampening, Nesterov', () => {
    const base = { p: P, g: G, buf: S1, n: LANES, lr: 0.1, momentum: 0.9 };
    // step 1, g 1: b = g = 1, p = 1 - 0.1 = 0.9; step 2, g 0.5: b = 0.9 + 0.5 = 1.4, p = 0.9 - 0.14 = 0.76
    setup(1, 1);
    optim.sgdMomentumStep(core, { ...base, step: 1 });
    expectLanes(P, 0.9);
    setGrad(0.5);
    optim.sgdMomentumStep(core, { ...base, step: 2 });
    expectLanes(S1, 1.4);
    expectLanes(P, 0.76);
    // dampening 0.5: step 1 still b = g = 1 (p = 0.9); step 2 b = 0.9 + 0.5 * 0.5 = 1.15, p = 0.9 - 0.115 = 0.785
    setup(1, 1);
    optim.sgdMomentumStep(core, { ...base, dampening: 0.5, step: 1 });
    expectLanes(P, 0.9);
    setGrad(0.5);
    optim.sgdMomentumStep(core, { ...base, dampening: 0.5, step: 2 });
    expectLanes(P, 0.785);
    // Nesterov: step 1 b = 1, p -= 0.1 (1 + 0.9 * 1) -> 0.81; step 2 b = 1.4, p -= 0.1 (0.5 + 0.9 * 1.4) -> 0.634
    setup(1, 1);
    optim.sgdMomentumStep(core, { ...base, nesterov: true, step: 1 });
    expectLanes(P, 0.81);
    setGrad(0.5);
    optim.sgdMomentumStep(core, { ...base, nesterov: true, step: 2 });
    expectLanes(P, 0.634);
  });

  it('Adagrad with and without lr decay', () => {
    const base = { p: P, g: G, sum: S1, n: LANES, lr: 0.1 };
    // step 1, g 2: sum = 4, p = 1 - 0.1 * 2 / (2 + 1e-10) = 0.900000000005
    // step 2, g 1: sum = 5, p = 0.9 - 0.1 / sqrt(5) = 0.855278640452
    setup(1, 2);
    optim.adagradStep(core, { ...base, step: 1 });
    expectLanes(S1, 4);
    expectLanes(P, 0.900000000005);
    setGrad(1);
    optim.adagradStep(core, { ...base, step: 2 });
    expectLanes(P, 0.855278640452);
    // lr decay 0.5: step 2 uses lr / (1 + 1 * 0.5) = 0.0666..., p = 0.9 - 0.0666... / sqrt(5) = 0.870185760301
    setup(1, 2);
    optim.adagradStep(core, { ...base, lrDecay: 0.5, step: 1 });
    setGrad(1);
    optim.adagradStep(core, { ...base, lrDecay: 0.5, step: 2 });
    expectLanes(P, 0.870185760301);
  });

  it('RMSprop: plain, centered, with momentum', () => {
    const base = { p: P, g: G, sq: S1, n: LANES, lr: 0.01, alpha: 0.99, eps: 1e-8 };
    // step 1, g 2: sq = 0.01 * 4 = 0.04, p = 1 - 0.01 * 2 / (0.2 + 1e-8) = 0.900000005
    // step 2, g 1: sq = 0.99 * 0.04 + 0.01 = 0.0496, p = 0.900000005 - 0.01 / (sqrt(0.0496) + 1e-8) = 0.855098681509
    setup(1, 2);
    optim.rmspropStep(core, base);
    expectLanes(S1, 0.04);
    expectLanes(P, 0.900000005);
    setGrad(1);
    optim.rmspropStep(core, base);
    expectLanes(S1, 0.0496);
    expectLanes(P, 0.855098681509);
    // centered, step 1, g 2: g_avg = 0.02, v~ = 0.04 - 0.0004 = 0.0396, p = 1 - 0.02 / (sqrt(0.0396) + 1e-8) = 0.899496223525
    setup(1, 2);
    optim.rmspropStep(core, { ...base, centered: true, gAvg: S2 });
    expectLanes(S2, 0.02);
    expectLanes(P, 0.899496223525);
    // momentum 0.9: step 1 b = 2 / (0.2 + 1e-8), p = 0.900000005;
    // step 2 b = 0.9 b + 1 / (sqrt(0.0496) + 1e-8), p = 0.900000005 - 0.01 b = 0.765098686009
    setup(1, 2);
    optim.rmspropStep(core, { ...base, momentum: 0.9, buf: S3 });
    expectLanes(P, 0.900000005);
    setGrad(1);
    optim.rmspropStep(core, { ...base, momentum: 0.9, buf: S3 });
    expectLanes(P, 0.765098686009);
  });

  it('Adam: bias correction over two steps, L2 weight decay', () => {
    const base = { p: P, g: G, m: S1, v: S2, n: LANES, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    // step 1, g 0.5: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25, p = 1 - 1e-3 * 0.5 / (0.5 + 1e-8) = 0.99900000002
    setup(1, 0.5);
    optim.adamStep(core, { ...base, step: 1 });
    expectLanes(S1, 0.05);
    expectLanes(S2, 0.00025);
    expectLanes(P, 0.99900000002);
    // step 2, g 0.25: m = 0.045 + 0.025 = 0.07, v = 0.00024975 + 0.0000625 = 0.00031225,
    // m^ = 0.07 / 0.19, v^ = 0.00031225 / 0.001999, p = 0.99900000002 - 1e-3 m^ / (sqrt(v^) + 1e-8) = 0.998067820405
    setGrad(0.25);
    optim.adamStep(core, { ...base, step: 2 });
    expectLanes(S1, 0.07);
    expectLanes(S2, 0.00031225);
    expectLanes(P, 0.998067820405);
    // L2 0.1, step 1, p 1, g 0.5: d = 0.6, p = 1 - 1e-3 * 0.6 / (0.6 + 1e-8) = 0.999000000017
    setup(1, 0.5);
    optim.adamStep(core, { ...base, weightDecay: 0.1, step: 1 });
    expectLanes(S1, 0.06);
    expectLanes(P, 0.999000000017);
  });

  it('AdamW decays the weights outside the moments', () => {
    // wd 0.1, step 1, p 1, g 0.5: p = 1 * (1 - 1e-3 * 0.1) = 0.9999, then - 1e-3 * 0.5 / (0.5 + 1e-8) -> 0.99890000002
    setup(1, 0.5);
    optim.adamwStep(core, { p: P, g: G, m: S1, v: S2, n: LANES, lr: 1e-3, weightDecay: 0.1, step: 1 });
    expectLanes(S1, 0.05); // moments see the raw gradient
    expectLanes(P, 0.99890000002);
  });

  it('clips by global norm and by value', () => {
    const g = core.f32(G, 5);
    g.set([3, 0, 0, 0, 4]); // norm 5, the 4 sits in the scalar tail
    expect(optim.clipGradNorm(core, G, 5, 10)).toBeCloseTo(5, 12);
    expect(Array.from(core.f32(G, 5))).toEqual([3, 0, 0, 0, 4]); // below the limit: untouched
    expect(optim.clipGradNorm(core, G, 5, 1)).toBeCloseTo(5, 12);
    // scaled by 1 / (5 + 1e-6): 3 -> 0.59999988, 4 -> 0.79999984
    const got = core.f32(G, 5);
    expect(got[0]).toBeCloseTo(0.59999988, 7);
    expect(got[4]).toBeCloseTo(0.79999984, 7);
    core.f32(G, 7).set([-3, 0.5, 2, -0.25, 1.5, -1, 7]);
    optim.clipGradValue(core, G, 7, 1);
    expect(Array.from(core.f32(G, 7))).toEqual([-1, 0.5, 1, -0.25, 1, -1, 1]);
  });
});

describe('kernels against the twins on random buffers', () => {
  const N = 1027;
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  /** Largest difference relative to the buffer's own scale. */
  function scaledErr(got: Float32Array, want: Float32Array): number {
    let d = 0;
    let m = 1e-30;
    for (let i = 0; i < want.length; i++) {
      d = Math.max(d, Math.abs(got[i] - want[i]));
      m = Math.max(m, Math.abs(want[i]));
    }
    return d / m;
  }

  type Case = {
    name: string;
    states: number;
    kernel: (step: number) => void;
    twin: (p: Float32Array, g: Float32Array, s: Float32Array[], step: number) => void;
  };
  const cases: Case[] = [
    {
      name: 'SGD', states: 0,
      kernel: () => optim.sgdStep(core, { p: P, g: G, n: N, lr: 0.05, weightDecay: 1e-2 }),
      twin: (p, g) => ref.sgdStep(p, g, { lr: 0.05, weightDecay: 1e-2 }),
    },
    {
      name: 'SGD Nesterov', states: 1,
      kernel: (t) => optim.sgdMomentumStep(core, { p: P, g: G, buf: S1, n: N, lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov: true, step: t }),
      twin: (p, g, s, t) => ref.sgdMomentumStep(p, g, s[0], { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3, nesterov: true, step: t }),
    },
    {
      name: 'Adagrad', states: 1,
      kernel: (t) => optim.adagradStep(core, { p: P, g: G, sum: S1, n: N, lr: 0.05, lrDecay: 0.01, weightDecay: 1e-3, step: t }),
      twin: (p, g, s, t) => ref.adagradStep(p, g, s[0], { lr: 0.05, lrDecay: 0.01, weightDecay: 1e-3, step: t }),
    },
    {
      name: 'RMSprop centered + momentum', states: 3,
      kernel: () => optim.rmspropStep(core, { p: P, g: G, sq: S1, gAvg: S2, buf: S3, n: N, lr: 0.01, momentum: 0.5, centered: true, weightDecay: 1e-3 }),
      twin: (p, g, s) => ref.rmspropStep(p, g, s[0], s[1], s[2], { lr: 0.01, momentum: 0.5, centered: true, weightDecay: 1e-3 }),
    },
    {
      name: 'Adam + L2', states: 2,
      kernel: (t) => optim.adamStep(core, { p: P, g: G, m: S1, v: S2, n: N, lr: 1e-2, weightDecay: 1e-2, step: t }),
      twin: (p, g, s, t) => ref.adamStep(p, g, s[0], s[1], { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, step: t }),
    },
    {
      name: 'AdamW', states: 2,
      kernel: (t) => optim.adamwStep(core, { p: P, g: G, m: S1, v: S2, n: N, lr: 1e-2, weightDecay: 0.1, step: t }),
      twin: (p, g, s, t) => ref.adamwStep(p, g, s[0], s[1], { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: t }),
    },
  ];

  it.each(cases)('$name agrees within 1e-6 over 6 steps', (c) => {
    const r = rng(c.states * 97 + c.name.length);
    const p = new Float32Array(N).map(() => 2 * r() - 1);
    const states = [S1, S2, S3].slice(0, c.states);
    const twinStates = states.map(() => new Float32Array(N));
    core.f32(P, N).set(p);
    for (const s of [S1, S2, S3]) core.f32(s, N).fill(0);
    for (let t = 1; t <= 6; t++) {
      const g = new Float32Array(N).map(() => (2 * r() - 1) * 0.5);
      core.f32(G, N).set(g);
      c.kernel(t);
      c.twin(p, g, twinStates, t);
      expect(scaledErr(core.f32(P, N), p)).toBeLessThan(1e-6);
      states.forEach((s, i) => expect(scaledErr(core.f32(s, N), twinStates[i])).toBeLessThan(1e-6));
      expect(Array.from(core.f32(G, N))).toEqual(Array.from(g)); // gradients are read-only
    }
  });

  it('clipGradNorm agrees with the twin', () => {
    const r = rng(5);
    const g = new Float32Array(N).map(() => 2 * r() - 1);
    core.f32(G, N).set(g);
    const norm = optim.clipGradNorm(core, G, N, 2);
    const want = ref.clipGradNorm(g, 2);
    expect(Math.abs(norm - want)).toBeLessThan(1e-12 * want);
    expect(scaledErr(core.f32(G, N), g)).toBeLessThan(1e-6);
  });

  it('steady-state updates neither grow memory nor allocate', () => {
    const probe1 = core.exports.alloc(16);
    const probe2 = core.exports.alloc(16);
    const bytes = core.exports.memory.buffer.byteLength;
    for (let t = 1; t <= 20; t++) {
      optim.adamStep(core, { p: P, g: G, m: S1, v: S2, n: MAX, lr: 1e-3, step: t });
      optim.rmspropStep(core, { p: P, g: G, sq: S1, n: MAX - 1, lr: 1e-3 });
      optim.clipGradNorm(core, G, MAX, 1);
    }
    expect(core.exports.memory.buffer.byteLength).toBe(bytes);
    expect(core.exports.alloc(16) - probe2).toBe(probe2 - probe1);
  });
});
