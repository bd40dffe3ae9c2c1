// Inverted dropout in the kernel core: the share dropped is p, the expectation is preserved, kept
// values are scaled by exactly 1/(1-p), the mask is a function of (key, index) only (reproducible,
// the same whether a batch is done whole or in two shares, the same in the vector body and the
// scalar tail), and the backward is the forward's own mask (checked against finite differences of
// a scalar function of the output with the mask held fixed).
import { describe, expect, it } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { dropoutBackward, dropoutForward, dropoutKey, type DropoutMask } from '../../src/kernels/dropout.js';
import { rng } from '../helpers.js';

const core = KernelCore.create();
const MAX = 1 << 20;
const X = core.allocF32(MAX);
const Y = core.allocF32(MAX);
const DY = core.allocF32(MAX);
const DX = core.allocF32(MAX);

function fill(ptr: number, n: number, seed: number): Float32Array {
  const r = rng(seed);
  const v = core.f32(ptr, n);
  for (let i = 0; i < n; i++) v[i] = 2 * r() - 1;
  return v;
}

const forward = (n: number, m: DropoutMask) => {
  dropoutForward(core, X, Y, n, m);
  return Float32Array.from(core.f32(Y, n));
};

describe('dropout kernel', () => {
  it.each([0.1, 0.5, 0.8])('drops a share p = %s of a million elements, and keeps the mean (inverted scaling)', (p) => {
    const n = MAX;
    core.f32(X, n).fill(1);
    const y = forward(n, { key: dropoutKey(1, 1, 0), base: 0, p });
    const dropped = y.reduce((k, v) => k + (v === 0 ? 1 : 0), 0) / n;
    // Binomial: standard deviation sqrt(p(1-p)/n) <= 5e-4; 6 of them.
    expect(Math.abs(dropped - p)).toBeLessThan(3e-3);
    const mean = y.reduce((s, v) => s + v, 0) / n;
    expect(Math.abs(mean - 1)).toBeLessThan(3e-3 / (1 - p));
    expect(new Set(y).size).toBe(2);
    expect(y.find((v) => v !== 0)).toBe(Math.fround(1 / (1 - p)));
  });

  it('gives the same mask for the same key and index, another for another key, and the same whether done whole or in shares', () => {
    const n = 1001;
    const x = fill(X, n, 3);
    const m = { key: dropoutKey(7, 12, 2), base: 0, p: 0.5 };
    const whole = forward(n, m);
    expect(forward(n, m)).toEqual(whole);
    expect(forward(n, { ...m, key: dropoutKey(7, 13, 2) })).not.toEqual(whole);
    expect(forward(n, { ...m, key: dropoutKey(7, 12, 3) })).not.toEqual(whole);
    // Kept values are x * 2 exactly; dropped ones are 0.
    whole.forEach((v, i) => expect(v === 0 || v === Math.fround(x[i] * 2)).toBe(true));
    // The second share of a batch, starting at element 517 (not a multiple of 4: its vector body and
    // tail fall elsewhere), drops exactly the elements the whole did.
    const tail = 1001 - 517;
    core.f32(X, tail).set(x.slice(517));
    expect(forward(tail, { ...m, base: 517 })).toEqual(whole.slice(517));
  });

  it('is the identity at p = 0, and refuses p outside [0, 0.9]', () => {
    const x = Float32Array.from(fill(X, 64, 4));
    expect(forward(64, { key: 5, base: 0, p: 0 })).toEqual(x);
    expect(() => forward(4, { key: 5, base: 0, p: 1 })).toThrow(RangeError);
    expect(() => forward(4, { key: 5, base: 0, p: -0.1 })).toThrow(RangeError);
  });

  it('backpropagates through the forward mask: finite differences of sum(w * dropout(x)) with the mask held fixed', () => {
    const n = 37;
    const m = { key: dropoutKey(2, 5, 1), base: 100, p: 0.3 };
    const x = Float64Array.from(fill(X, n, 8));
    const w = Float64Array.from(fill(DY, n, 9));
    core.f32(DX, n).fill(0.25); // accumulates: dx += ...
    dropoutBackward(core, DY, DX, n, m);
    const dx = core.f32(DX, n);
    const loss = (xs: Float64Array) => {
      core.f32(X, n).set(xs);
      dropoutForward(core, X, Y, n, m);
      return core.f32(Y, n).reduce((s, v, i) => s + v * w[i], 0);
    };
    const h = 1e-2; // the function is linear in x: any step is exact up to float32 rounding
    for (let i = 0; i < n; i++) {
      const up = Float64Array.from(x);
      const down = Float64Array.from(x);
      up[i] += h;
      down[i] -= h;
      expect(dx[i] - 0.25).toBeCloseTo((loss(up) - loss(down)) / (2 * h), 3);
    }
  });
});
