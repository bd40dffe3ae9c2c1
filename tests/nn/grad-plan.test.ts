// The gradient-buffer plan (src/nn/grad-plan.ts) and the training graph built on it: dead gradients
// give their buffers to later ones, pass-throughs become aliases only where that keeps every
// gradient's value, buffers are zeroed only before a first accumulation, and a step computed on
// reused (stale) buffers gives exactly the gradient of a fresh graph. Correctness of the gradient
// itself is tests/nn/model-grad-torch.test.ts (against PyTorch).
import { describe, expect, it } from 'vitest';
import { KernelCore } from '../../src/kernels/core.js';
import { GradPlanner, type GradSlot } from '../../src/nn/grad-plan.js';
import { allocParams, initParams, paramLayout } from '../../src/nn/model.js';
import { PRESETS } from '../../src/nn/presets.js';
import { BatchGradients } from '../../src/train/gradients.js';
import { activationsPerSample } from '../../src/train/kernel-memory.js';
import { rng } from '../helpers.js';

/** A chain of ops: op i makes slots[i] from slots[i - 1], so its backward reads slots[i]'s gradient and adds into slots[i - 1]'s. */
function chain(p: GradPlanner, slots: GradSlot[]): void {
  slots.forEach((s, i) => {
    p.read(i, s);
    if (i > 0) p.accumulate(i, slots[i - 1]);
  });
}

describe('gradient buffer plan', () => {
  it('gives a dead gradient buffer to a later one, and zeroes a buffer only before its first accumulation', () => {
    const core = KernelCore.create();
    const p = new GradPlanner();
    // Forward: op 0 makes a, op 1 makes b from a, op 2 makes c from b (c: the output).
    const [a, b, c] = [p.slot(64), p.slot(64), p.slot(64)];
    p.writtenByCaller(c);
    chain(p, [a, b, c]);
    const plan = p.plan(core, 3);
    // c is kept to the end, b dies in op 1's backward (backward position 1), a starts there: a takes no freed buffer
    // at the same position, so three buffers; with c not kept, a would take c's.
    expect(new Set([a.ptr, b.ptr, c.ptr]).size).toBe(3);
    expect(plan.callerWritten).toEqual([{ ptr: c.ptr, floats: 64 }]);
    expect(plan.zeroBefore[2]).toEqual([{ ptr: b.ptr, floats: 64 }]);
    expect(plan.zeroBefore[1]).toEqual([{ ptr: a.ptr, floats: 64 }]);
    expect(plan.zeroBefore[0]).toEqual([]);

    const q = new GradPlanner();
    const [x, y, z, out] = [q.slot(64), q.slot(32), q.slot(64), q.slot(64)];
    q.writtenByCaller(out);
    // Backward: op 3 writes z, op 2 reads z (z dies) and writes y (smaller), op 1 writes x: x takes z's buffer.
    chain(q, [x, y, z, out]);
    const plan2 = q.plan(core, 4);
    expect(x.ptr).toBe(z.ptr);
    expect(y.ptr).not.toBe(z.ptr);
    expect(plan2.floats).toBe(64 + 64 + 32);
  });

  it("aliases a pass-through only when the buffer then holds each gradient's value when it is used", () => {
    const core = KernelCore.create();
    // The residual join: op 0 makes x; op 1 (an ELU) makes h from x, op 2 (a convolution) the branch
    // from h; op 3 is y = x + branch; op 4 reads y.
    const p = new GradPlanner();
    const [x, h, branch, y] = [p.slot(16), p.slot(16), p.slot(16), p.slot(16)];
    p.accumulate(4, y);
    const toBranch = p.passThrough(3, y, branch);
    const toX = p.passThrough(3, y, x);
    chain(p, [x, h, branch]);
    const plan1 = p.plan(core, 5);
    expect([toBranch.aliased, toX.aliased]).toEqual([true, true]);
    expect(new Set([x.ptr, branch.ptr, y.ptr]).size).toBe(1);
    expect(h.ptr).not.toBe(y.ptr);
    // Zeroed once, before op 4 first adds into the shared buffer; h before op 2.
    expect(plan1.zeroBefore.flat()).toEqual([{ ptr: h.ptr, floats: 16 }, { ptr: y.ptr, floats: 16 }]);

    // Here x is added into (op 1) before branch is read (op 0): sharing one buffer would hand op 0
    // x's sum instead of the branch's gradient, so the second pass-through stays an addition.
    const q = new GradPlanner();
    const [x2, branch2, y2] = [q.slot(16), q.slot(16), q.slot(16)];
    q.accumulate(3, y2);
    const first = q.passThrough(2, y2, branch2);
    const second = q.passThrough(2, y2, x2);
    q.accumulate(1, x2);
    q.read(0, branch2);
    q.read(0, x2);
    const plan = q.plan(core, 4);
    expect([first.aliased, second.aliased]).toEqual([true, false]);
    expect(x2.ptr).not.toBe(branch2.ptr);
    // x2 is first touched by the addition at op 2: zeroed just before it.
    expect(plan.zeroBefore[2]).toEqual([{ ptr: x2.ptr, floats: 16 }]);
  });

  it('lets a first accumulation that can write do so instead of zeroing, and only a first one', () => {
    const core = KernelCore.create();
    // op 2 makes y from x and op 3 makes z from x too (x feeds two ops); op 1 makes x from w.
    const p = new GradPlanner();
    const [w, x, y, z] = [p.slot(32), p.slot(32), p.slot(32), p.slot(32)];
    p.writtenByCaller(y);
    p.writtenByCaller(z);
    p.read(3, z);
    const intoXFirst = p.accumulateOrWrite(3, x); // backward runs op 3 first: x's first gradient
    p.read(2, y);
    const intoXSecond = p.accumulateOrWrite(2, x); // then op 2 adds the second
    p.read(1, x);
    const intoW = p.accumulateOrWrite(1, w);
    const plan = p.plan(core, 4);
    expect([intoXFirst.overwrite, intoXSecond.overwrite, intoW.overwrite]).toEqual([true, false, true]);
    expect(plan.zeroBefore.flat()).toEqual([]);
    // The same graph with a plain accumulation first: the buffer is zeroed, and the writer only adds.
    const q = new GradPlanner();
    const [x2, y2, z2] = [q.slot(32), q.slot(32), q.slot(32)];
    q.writtenByCaller(y2);
    q.writtenByCaller(z2);
    q.read(3, z2);
    q.accumulate(3, x2);
    q.read(2, y2);
    const later = q.accumulateOrWrite(2, x2);
    const plan2 = q.plan(core, 4);
    expect(later.overwrite).toBe(false);
    expect(plan2.zeroBefore[3]).toEqual([{ ptr: x2.ptr, floats: 32 }]);
  });
});

describe('training graph on planned gradients', () => {
  const preset = PRESETS.tiny;
  const B = 2;
  const T = 4096;

  function gradients(steps: number): { grads: Float32Array; gradientFloats: number; values: number[] } {
    const core = KernelCore.create();
    const layout = paramLayout(preset);
    const store = allocParams(core, layout, true);
    const g = new BatchGradients(core, store, preset, 'mrstft', B, T);
    initParams(layout, core.f32(store.params, layout.total), 3);
    const r = rng(5);
    g.input().set(Float32Array.from({ length: B * T }, (_, i) => 0.4 * Math.sin(i * 0.05) + 0.1 * (r() - 0.5)));
    const values: number[] = [];
    for (let s = 1; s <= steps; s++) values.push(g.compute(1));
    return { grads: Float32Array.from(core.f32(store.grads, layout.total)), gradientFloats: g.graph.gradientFloats(), values };
  }

  it('gives exactly the same gradient on buffers a previous step left dirty as on fresh ones', () => {
    const fresh = gradients(1);
    const again = gradients(3);
    expect(again.values).toEqual([fresh.values[0], fresh.values[0], fresh.values[0]]);
    expect(Array.from(again.grads)).toEqual(Array.from(fresh.grads));
  });

  it('holds a small fraction of one gradient per activation', () => {
    const { gradientFloats } = gradients(1);
    const oneEach = activationsPerSample(preset) * B * T;
    expect(gradientFloats).toBeGreaterThan(0);
    expect(gradientFloats).toBeLessThan(oneEach / 4);
  });
});
