// The units the grid losses are composed of: each stage's backward against finite differences of its
// forward, the composition's chain rule, and the target side that computes no derivative.
import { describe, expect, it } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { decibels, DB_FLOOR, melBands, stftMagnitude } from '../../src/losses/stages.js';
import { MEL_BANDS, SPACES, STFT_HOP, STFT_N_FFT } from '../../src/losses/spaces.js';
import { composeStages, type Shape, type StageMaker } from '../../src/losses/transform.js';
import { DISTANCES } from '../../src/losses/distance.js';
import { rng } from '../helpers.js';

const allocated = (core: KernelCore) => core.exports.alloc(0);

/** sum_i w_i out_i: a scalar of the stage's output, so its gradient is backward(w). */
function weightedOutput(core: KernelCore, out: number, w: Float32Array): number {
  const y = core.f32(out, w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * y[i];
  return s;
}

/** A stage's backward, projected on a direction v, against a central difference of its forward. */
function checkStage(make: StageMaker, input: Shape, x0: Float32Array, eps: number, tol: number): void {
  const core = KernelCore.create();
  const stage = make(core, input, true);
  const inSize = input.rows * input.width;
  const outSize = stage.shape.rows * stage.shape.width;
  const x = core.allocF32(inSize);
  const dOut = core.allocF32(outSize);
  const dIn = core.allocF32(inSize);
  const r = rng(11);
  const w = Float32Array.from({ length: outSize }, () => 2 * r() - 1);
  const v = Float32Array.from({ length: inSize }, () => 2 * r() - 1);
  core.f32(x, inSize).set(x0);
  stage.forward(x, true);
  core.f32(dOut, outSize).set(w);
  // Starts from ones: the backward must add (+=), not overwrite.
  core.f32(dIn, inSize).fill(1);
  stage.backward(dOut, dIn);
  const g = core.f32(dIn, inSize);
  let analytic = 0;
  for (let i = 0; i < inSize; i++) analytic += (g[i] - 1) * v[i];
  const at = (h: number) => {
    const xs = core.f32(x, inSize);
    for (let i = 0; i < inSize; i++) xs[i] = x0[i] + h * v[i];
    return weightedOutput(core, stage.forward(x, false), w);
  };
  const fd = (at(eps) - at(-eps)) / (2 * eps);
  expect(Math.abs(analytic - fd), `analytic ${analytic}, fd ${fd}`).toBeLessThan(tol * Math.abs(fd));
}

describe('the stages of the loss spaces', () => {
  const B = 2;
  const T = 2048;
  const r = rng(5);
  const wave = Float32Array.from({ length: B * T }, (_, i) => 0.3 * Math.sin(i * 0.05) + 0.1 * (2 * r() - 1));

  it('STFT magnitude: backward matches finite differences', () => {
    // |X| bends sharply where a cell is near zero, so the difference converges slowly as the step
    // shrinks (measured: 1.0% off at 1e-4, 0.35% at 1e-5); a wrong backward errs by far more.
    checkStage(stftMagnitude(STFT_N_FFT, STFT_HOP), { rows: B, width: T }, wave, 1e-5, 1e-2);
  });

  it('mel bands: backward is the transpose of the (linear) filterbank', () => {
    const mags = Float32Array.from({ length: 9 * 513 }, () => r());
    checkStage(melBands(MEL_BANDS), { rows: 9, width: 513 }, mags, 1e-2, 1e-4);
  });

  it('decibels: 20 log10(max(x, 1e-5)), with derivative 20 / (ln 10 x) above the floor and 0 below', () => {
    const core = KernelCore.create();
    const stage = decibels(core, { rows: 1, width: 4 }, true);
    const x = core.allocF32(4);
    core.f32(x, 4).set([1, 0.1, DB_FLOOR / 2, 0]);
    const y = core.f32(stage.forward(x, true), 4);
    expect(Array.from(y)).toEqual([0, expect.closeTo(-20, 5), expect.closeTo(-100, 4), expect.closeTo(-100, 4)]);
    const dOut = core.allocF32(4);
    const dIn = core.allocF32(4);
    core.f32(dOut, 4).fill(1);
    stage.backward(dOut, dIn);
    const d = core.f32(dIn, 4);
    expect(d[0]).toBeCloseTo(20 / Math.LN10, 4);
    expect(d[1]).toBeCloseTo(200 / Math.LN10, 3);
    expect(d[2]).toBe(0);
    expect(d[3]).toBe(0);
    const mags = Float32Array.from({ length: 300 }, () => 0.01 + r());
    checkStage(decibels, { rows: 3, width: 100 }, mags, 1e-4, 1e-3);
  });

  it('a target side (built without gradients) keeps no derivative: the dB stage allocates only its output', () => {
    const core = KernelCore.create();
    const n = 1000;
    const before = allocated(core);
    decibels(core, { rows: 1, width: n }, false);
    const forwardOnly = allocated(core) - before;
    decibels(core, { rows: 1, width: n }, true);
    const withGrad = allocated(core) - before - forwardOnly;
    expect(forwardOnly).toBeGreaterThanOrEqual(4 * n);
    expect(forwardOnly).toBeLessThan(8 * n);
    expect(withGrad).toBeGreaterThanOrEqual(8 * n);
    const space = composeStages(core, SPACES['stft-db'], { rows: 1, width: 4096 }, false);
    expect(() => space.backward(0, () => {})).toThrow(expect.objectContaining({ code: 'BUILT_WITHOUT_GRADIENTS' }));
  });

  it('records the dB derivative only when a backward will follow', () => {
    const core = KernelCore.create();
    const stage = decibels(core, { rows: 1, width: 2 }, true);
    const x = core.allocF32(2);
    const dOut = core.allocF32(2);
    const dIn = core.allocF32(2);
    core.f32(dOut, 2).fill(1);
    core.f32(x, 2).set([1, 0.1]);
    stage.forward(x, true);
    // A later values-only forward of other input leaves the derivative of the kept one in place.
    core.f32(x, 2).set([0.5, 0.5]);
    stage.forward(x, false);
    stage.backward(dOut, dIn);
    expect(core.f32(dIn, 2)[0]).toBeCloseTo(20 / Math.LN10, 4);
    expect(core.f32(dIn, 2)[1]).toBeCloseTo(200 / Math.LN10, 3);
  });

  it('the waveform is the empty chain: its distance writes the gradient straight into dx', () => {
    const core = KernelCore.create();
    const space = composeStages(core, SPACES.wave, { rows: 1, width: 8 }, true);
    const x = core.allocF32(8);
    expect(space.forward(x)).toBe(x);
    const seen: number[] = [];
    space.backward(1234, (dOut) => seen.push(dOut));
    expect(seen).toEqual([1234]);
  });

  it('the mel-dB chain composes the chain rule: the whole loss equals its stages applied in turn', () => {
    // The composed space against the stages built and run one after another by hand.
    const core = KernelCore.create();
    const shape = { rows: B, width: T };
    const space = composeStages(core, SPACES['mel-db'], shape, false);
    const s1 = stftMagnitude(STFT_N_FFT, STFT_HOP)(core, shape, false);
    const s2 = melBands(MEL_BANDS)(core, s1.shape, false);
    const s3 = decibels(core, s2.shape, false);
    const x = core.allocF32(B * T);
    core.f32(x, B * T).set(wave);
    const composed = Float32Array.from(core.f32(space.forward(x), space.size));
    const byHand = core.f32(s3.forward(s2.forward(s1.forward(x, false), false), false), space.size);
    expect(space.size).toBe(s1.shape.rows * 64);
    expect(composed).toEqual(byHand);
  });

  it('L1 and L2 distances are the mean absolute and mean squared difference, with their gradients', () => {
    const core = KernelCore.create();
    const a = core.allocF32(4);
    const b = core.allocF32(4);
    const da = core.allocF32(4);
    core.f32(a, 4).set([1, 2, 3, 4]);
    core.f32(b, 4).set([1, 0, 4, 1]);
    expect(DISTANCES.l1.forward(core, a, b, 4)).toBeCloseTo((0 + 2 + 1 + 3) / 4, 12);
    expect(DISTANCES.l2.forward(core, a, b, 4)).toBeCloseTo((0 + 4 + 1 + 9) / 4, 12);
    DISTANCES.l1.backward(core, a, b, da, 4);
    expect(Array.from(core.f32(da, 4))).toEqual([0, 0.25, -0.25, 0.25]);
    core.f32(da, 4).fill(0);
    DISTANCES.l2.backward(core, a, b, da, 4);
    expect(Array.from(core.f32(da, 4))).toEqual([0, 1, -0.5, 1.5]);
  });
});
