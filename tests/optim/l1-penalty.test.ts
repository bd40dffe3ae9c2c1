// The L1 penalty's gradient: lambda * sign(theta), nothing at exactly zero, and it is the derivative
// of lambda * sum |theta| (central differences away from zero).
import { describe, expect, it } from 'vitest';
import { addL1Gradient, l1Penalty } from '../../src/optim/l1-penalty.js';

describe('L1 penalty', () => {
  it('adds lambda * sign(theta) to the gradient, nothing where a weight is exactly zero', () => {
    const params = Float32Array.from([0.5, -2, 0, 1e-8, -1e-8]);
    const grads = Float32Array.from([1, 1, 1, 1, 1]);
    addL1Gradient(params, grads, 0.25);
    expect(Array.from(grads)).toEqual([1.25, 0.75, 1, 1.25, 0.75]);
    expect(() => addL1Gradient(params, new Float32Array(2), 1)).toThrow(RangeError);
  });

  it('is the derivative of lambda * sum |theta|', () => {
    const params = Float32Array.from([0.3, -0.7, 1.5, -0.01]);
    const grads = new Float32Array(4);
    addL1Gradient(params, grads, 0.1);
    const h = 1e-3;
    params.forEach((_, i) => {
      const up = Float32Array.from(params);
      const down = Float32Array.from(params);
      up[i] += h;
      down[i] -= h;
      expect(grads[i]).toBeCloseTo((l1Penalty(up, 0.1) - l1Penalty(down, 0.1)) / (2 * h), 4);
    });
  });
});
