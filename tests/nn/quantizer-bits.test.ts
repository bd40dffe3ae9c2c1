// The bottleneck's quantizer at the ends of its range, 1 and 8 bits: exactly 2^bits levels spread
// evenly over [-1, 1], codes that round-trip, and a straight-through gradient in the training graph.
import { describe, expect, it } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { allocParams, CodecGraph, fromCodes, initParams, paramLayout, quantize, toCodes } from '../../src/nn/model.js';
import { shapedPreset } from '../../src/nn/presets.js';
import { rng } from '../helpers.js';

/** z dense over [-1, 1], both ends included. */
const dense = Float32Array.from({ length: 20001 }, (_, i) => -1 + i / 10000);

describe.each([1, 8])('the quantizer at %i bits', (bits) => {
  const levels = 2 ** bits;

  it(`has exactly ${levels} levels, evenly spaced from -1 to 1`, () => {
    const q = new Float32Array(dense.length);
    quantize(dense, q, bits);
    const values = [...new Set(q)].sort((a, b) => a - b);
    expect(values.length).toBe(levels);
    expect(values[0]).toBe(-1);
    expect(values.at(-1)).toBe(1);
    // Level k is 2k / (2^bits - 1) - 1.
    values.forEach((v, k) => expect(v).toBeCloseTo((2 * k) / (levels - 1) - 1, 6));
    // Each value goes to its nearest level.
    for (let i = 0; i < dense.length; i += 97) {
      const nearest = values.reduce((best, v) => (Math.abs(v - dense[i]) < Math.abs(best - dense[i]) ? v : best));
      expect(Math.abs(q[i] - dense[i])).toBeCloseTo(Math.abs(nearest - dense[i]), 6);
    }
  });

  it('gives codes 0 .. 2^bits - 1 that map back to the same levels', () => {
    const q = new Float32Array(dense.length);
    quantize(dense, q, bits);
    const codes = new Uint8Array(q.length);
    toCodes(q, bits, codes);
    expect(new Set(codes).size).toBe(levels);
    expect(Math.min(...codes)).toBe(0);
    expect(Math.max(...codes)).toBe(levels - 1);
    const back = new Float32Array(q.length);
    fromCodes(codes, bits, back);
    for (let i = 0; i < q.length; i++) expect(back[i]).toBeCloseTo(q[i], 6);
  });

  it("passes the gradient through unchanged (straight-through: dq/dz taken as 1)", () => {
    const preset = shapedPreset('tiny', { bits });
    const core = KernelCore.create();
    const layout = paramLayout(preset);
    const store = allocParams(core, layout, true);
    initParams(layout, core.f32(store.params, layout.total), 5);
    const T = 16 * preset.hop;
    const g = new CodecGraph(store, preset, { B: 2, T, training: true, part: 'encoder' });
    const r = rng(bits);
    core.f32(g.input.ptr, 2 * T).set(Float32Array.from({ length: 2 * T }, () => 0.5 * (r() - 0.5)));
    g.forward();
    const n = 2 * preset.latent * (T / preset.hop);
    // The forward quantizes: the latent holds only levels, the tanh output before it does not.
    const latent = core.f32(g.latent.ptr, n);
    expect(new Set(latent).size).toBeLessThanOrEqual(levels);
    g.zeroActivationGrads();
    const upstream = Float32Array.from({ length: n }, () => r() - 0.5);
    core.f32(g.latent.grad, n).set(upstream);
    g.backward();
    expect(Array.from(core.f32(g.preQuant.grad, n))).toEqual(Array.from(upstream));
  });
});
