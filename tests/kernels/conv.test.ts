// The convolution kernels of the WASM core against their float64 reference twin, and the twin's
// backward passes against central finite differences of its forward.
import { describe, expect, it } from 'vitest';
import { KernelCore, type KernelBuild } from '../../src/kernels/core.js';
import {
  conv1dBackward,
  conv1dForward,
  conv1dOutLength,
  convTranspose1dBackward,
  convTranspose1dForward,
  convTranspose1dOutLength,
  reserveConvScratch,
  type ConvShape,
} from '../../src/kernels/conv.js';
import { eluForward } from '../../src/kernels/ops.js';
import {
  conv1dBackwardRef,
  conv1dRef,
  convTranspose1dBackwardRef,
  convTranspose1dRef,
  type ConvGrads,
} from './reference/conv.js';
import { rng as uniform } from '../helpers.js';

/** Deterministic uniform [-1, 1) numbers, so a failure reproduces. */
function rng(seed: number): () => number {
  const u = uniform(seed);
  return () => u() * 2 - 1;
}

/** max |got - want| / max |want|: the error relative to the result's scale. */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  expect(scale).toBeGreaterThan(0); // an all-zero reference would make any comparison vacuous
  return diff / scale;
}

type Case = ConvShape & { note: string };

const c = (note: string, B: number, Cin: number, Cout: number, Tin: number, K: number, stride: number, pad: number): Case =>
  ({ note, B, Cin, Cout, Tin, K, stride, pad });

// Preset layers (small and tiny) at short lengths, then awkward shapes that hit every remainder path:
// channels not a multiple of 4, lengths not a multiple of 4 or 8, stride 4 with dropped input samples,
// kernels shorter than the stride, several time tiles.
const CONV_CASES: Case[] = [
  c('small input conv', 2, 1, 16, 70, 7, 1, 3),
  c('small res k3 c16', 2, 16, 16, 64, 3, 1, 1),
  c('small res k1 c16', 2, 16, 16, 64, 1, 1, 0),
  c('small down 16->32', 2, 16, 32, 64, 8, 4, 2),
  c('small down 32->64', 2, 32, 64, 32, 8, 4, 2),
  c('small down 64->64', 1, 64, 64, 32, 8, 4, 2),
  c('small res k3 c64', 1, 64, 64, 24, 3, 1, 1),
  c('small latent 64->8', 2, 64, 8, 16, 3, 1, 1),
  c('small decoder in 8->64', 2, 8, 64, 16, 3, 1, 1),
  c('small output conv 16->1', 2, 16, 1, 70, 7, 1, 3),
  c('tiny down 8->16', 2, 8, 16, 48, 8, 4, 2),
  c('tiny res k3 c32', 1, 32, 32, 20, 3, 1, 1),
  c('Cin 3 Cout 5 K7 p3 odd T', 2, 3, 5, 37, 7, 1, 3),
  c('Cin 1 Cout 1 K3 no pad', 3, 1, 1, 13, 3, 1, 0),
  c('stride 4 drops samples', 2, 3, 7, 50, 8, 4, 2),
  c('stride 3 K5 p1', 2, 2, 6, 29, 5, 3, 1),
  c('K1 stride 2', 2, 5, 3, 23, 1, 2, 0),
  c('K2 < stride 4', 2, 3, 5, 31, 2, 4, 1),
  c('K1 pad 1', 1, 4, 4, 9, 1, 1, 1),
  c('Cout 9 stride 2 K4 p3', 1, 5, 9, 101, 4, 2, 3),
  c('long: several time tiles', 1, 1, 16, 2500, 7, 1, 3),
  c('long: res k3 over tiles', 2, 16, 16, 1030, 3, 1, 1),
  c('long: stride 4 over tiles', 1, 16, 32, 2051, 8, 4, 2),
];

const CONVT_CASES: Case[] = [
  c('small up 64->64', 1, 64, 64, 16, 8, 4, 2),
  c('small up 64->32', 2, 64, 32, 16, 8, 4, 2),
  c('small up 32->16', 2, 32, 16, 33, 8, 4, 2),
  c('tiny up 16->8', 2, 16, 8, 20, 8, 4, 2),
  c('stride 1 K7 p3', 2, 3, 5, 29, 7, 1, 3),
  c('Cin 1 Cout 1 K3', 3, 1, 1, 13, 3, 1, 0),
  c('Cout 5 stride 4 K8 p2', 2, 5, 3, 9, 8, 4, 2),
  c('stride 3 K5 p1', 2, 2, 7, 11, 5, 3, 1),
  c('K2 < stride 4', 2, 4, 6, 10, 2, 4, 0),
  c('stride 2 K3 p2', 2, 6, 4, 15, 3, 2, 2),
  c('K1 stride 1', 1, 5, 6, 17, 1, 1, 0),
  c('long: several tiles', 1, 64, 8, 150, 8, 4, 2),
  c('long: 32->16 over tiles', 1, 32, 16, 300, 8, 4, 2),
  c('pad 2 > K - 1: the first input column unread', 2, 3, 4, 12, 2, 1, 2),
];

interface Buffers {
  x: number; w: number; b: number; y: number; dy: number; dx: number; dw: number; db: number;
  nx: number; nw: number; nb: number; ny: number;
}

/** Allocate one layer's tensors in the core (all before any view is taken: views die on growth). */
function allocLayer(core: KernelCore, sh: ConvShape, transposed: boolean): Buffers {
  const Tout = transposed
    ? convTranspose1dOutLength(sh.Tin, sh.K, sh.stride, sh.pad)
    : conv1dOutLength(sh.Tin, sh.K, sh.stride, sh.pad);
  const nx = sh.B * sh.Cin * sh.Tin, nw = sh.Cout * sh.Cin * sh.K, nb = sh.Cout, ny = sh.B * sh.Cout * Tout;
  return {
    x: core.allocF32(nx), w: core.allocF32(nw), b: core.allocF32(nb), y: core.allocF32(ny),
    dy: core.allocF32(ny), dx: core.allocF32(nx), dw: core.allocF32(nw), db: core.allocF32(nb),
    nx, nw, nb, ny,
  };
}

function fillRandom(v: Float32Array, next: () => number): Float64Array {
  for (let i = 0; i < v.length; i++) v[i] = next();
  return Float64Array.from(v); // the float32-rounded values, for the reference
}

const builds: KernelBuild[] = ['simd', 'relaxed'];

for (const build of builds) {
  let core: KernelCore | null = null;
  try {
    core = KernelCore.create(build);
    if (core.build !== build) core = null;
  } catch {
    core = null;
  }
  // The relaxed build runs where the runtime validates it: Node 20 too, with the flag core.ts sets.
  const suite = core ? describe : describe.skip;

  suite(`conv kernels (${build} build)`, () => {
    const k = core as KernelCore;

    for (const [transposed, cases] of [[false, CONV_CASES], [true, CONVT_CASES]] as const) {
      const name = transposed ? 'convTranspose1d' : 'conv1d';
      const forward = transposed ? convTranspose1dForward : conv1dForward;
      const backward = transposed ? convTranspose1dBackward : conv1dBackward;
      const refForward = transposed ? convTranspose1dRef : conv1dRef;
      const refBackward = transposed ? convTranspose1dBackwardRef : conv1dBackwardRef;

      for (const [i, sh] of cases.entries()) {
        it(`${name} forward, dx, dw, db match the reference: ${sh.note} ${JSON.stringify(sh)}`, () => {
          const buf = allocLayer(k, sh, transposed);
          const next = rng(1000 * (transposed ? 2 : 1) + i);
          const x = fillRandom(k.f32(buf.x, buf.nx), next);
          const w = fillRandom(k.f32(buf.w, buf.nw), next);
          const b = fillRandom(k.f32(buf.b, buf.nb), next);
          const dy = fillRandom(k.f32(buf.dy, buf.ny), next);
          // Gradients start non-zero so the check covers "+=" as well as the values.
          const dx0 = fillRandom(k.f32(buf.dx, buf.nx), next);
          const dw0 = fillRandom(k.f32(buf.dw, buf.nw), next);
          const db0 = fillRandom(k.f32(buf.db, buf.nb), next);
          k.f32(buf.y, buf.ny).fill(Number.NaN); // every output must be written

          forward(k, { ...sh, x: buf.x, w: buf.w, b: buf.b, y: buf.y });
          backward(k, { ...sh, x: buf.x, w: buf.w, dy: buf.dy, dx: buf.dx, dw: buf.dw, db: buf.db });

          const yRef = refForward(x, w, b, sh);
          const g: ConvGrads = refBackward(x, w, dy, sh);
          const plus = (a: Float64Array, b0: Float64Array) => a.map((v, j) => v + b0[j]);
          expect(relErr(k.f32(buf.y, buf.ny), yRef)).toBeLessThan(1e-5);
          expect(relErr(k.f32(buf.dx, buf.nx), plus(g.dx, dx0))).toBeLessThan(1e-5);
          expect(relErr(k.f32(buf.dw, buf.nw), plus(g.dw, dw0))).toBeLessThan(1e-5);
          expect(relErr(k.f32(buf.db, buf.nb), plus(g.db, db0))).toBeLessThan(1e-5);
        });
      }

      it(`${name} without bias, and a null gradient leaves its buffer alone`, () => {
        const sh = cases[3];
        const buf = allocLayer(k, sh, transposed);
        const next = rng(77);
        const x = fillRandom(k.f32(buf.x, buf.nx), next);
        const w = fillRandom(k.f32(buf.w, buf.nw), next);
        const dy = fillRandom(k.f32(buf.dy, buf.ny), next);
        forward(k, { ...sh, x: buf.x, w: buf.w, b: null, y: buf.y });
        expect(relErr(k.f32(buf.y, buf.ny), refForward(x, w, null, sh))).toBeLessThan(1e-5);
        // Only dw requested: dx and db buffers (zero from alloc) must stay zero.
        backward(k, { ...sh, x: buf.x, w: buf.w, dy: buf.dy, dx: null, dw: buf.dw, db: null });
        expect(relErr(k.f32(buf.dw, buf.nw), refBackward(x, w, dy, sh).dw)).toBeLessThan(1e-5);
        expect(k.f32(buf.dx, buf.nx).every((v) => v === 0)).toBe(true);
        expect(k.f32(buf.db, buf.nb).every((v) => v === 0)).toBe(true);
      });

      it(`${name} backward accumulates: two calls give twice the gradient`, () => {
        const sh = cases[2];
        const buf = allocLayer(k, sh, transposed);
        const next = rng(99);
        fillRandom(k.f32(buf.x, buf.nx), next);
        fillRandom(k.f32(buf.w, buf.nw), next);
        fillRandom(k.f32(buf.dy, buf.ny), next);
        const args = { ...sh, x: buf.x, w: buf.w, dy: buf.dy, dx: buf.dx, dw: buf.dw, db: buf.db };
        backward(k, args);
        const once = [buf.dx, buf.dw, buf.db].map((p, j) => Float64Array.from(k.f32(p, [buf.nx, buf.nw, buf.nb][j])));
        backward(k, args);
        [buf.dx, buf.dw, buf.db].forEach((p, j) => {
          expect(relErr(k.f32(p, [buf.nx, buf.nw, buf.nb][j]), once[j].map((v) => 2 * v))).toBeLessThan(1e-6);
        });
      });

      it(`${name} of ELU(z) packed from z (inputElu) equals eluForward then ${name}, bit for bit, and writes ELU(z) where asked, z's own buffer too`, () => {
        for (const [i, sh] of cases.entries()) {
          const buf = allocLayer(k, sh, transposed);
          const act = k.allocF32(buf.nx);
          const yFused = k.allocF32(buf.ny);
          const next = rng(700 + i);
          fillRandom(k.f32(buf.x, buf.nx), () => 3 * next()); // both signs, past ELU's knee
          fillRandom(k.f32(buf.w, buf.nw), next);
          fillRandom(k.f32(buf.b, buf.nb), next);
          const z = Float32Array.from(k.f32(buf.x, buf.nx));
          eluForward(k, buf.x, act, buf.nx);
          const elu = Array.from(k.f32(act, buf.nx));
          forward(k, { ...sh, x: act, w: buf.w, b: buf.b, y: buf.y });
          const want = Array.from(k.f32(buf.y, buf.ny));
          // Into a separate buffer, and with no ELU output at all.
          k.f32(act, buf.nx).fill(Number.NaN);
          forward(k, { ...sh, x: buf.x, w: buf.w, b: buf.b, y: yFused, inputElu: true, eluOut: act });
          expect(Array.from(k.f32(yFused, buf.ny)), sh.note).toEqual(want);
          expect(Array.from(k.f32(act, buf.nx)), sh.note).toEqual(elu);
          expect(Array.from(k.f32(buf.x, buf.nx))).toEqual(Array.from(z));
          k.f32(yFused, buf.ny).fill(Number.NaN);
          forward(k, { ...sh, x: buf.x, w: buf.w, b: buf.b, y: yFused, inputElu: true, eluOut: null });
          expect(Array.from(k.f32(yFused, buf.ny)), sh.note).toEqual(want);
          // In place: the ELU output over its input, as a training graph keeps it.
          forward(k, { ...sh, x: buf.x, w: buf.w, b: buf.b, y: yFused, inputElu: true, eluOut: buf.x });
          expect(Array.from(k.f32(yFused, buf.ny)), sh.note).toEqual(want);
          expect(Array.from(k.f32(buf.x, buf.nx)), sh.note).toEqual(elu);
        }
      });

      it(`${name} backward with dxOverwrite writes every dx element, equal bit for bit to adding into zeros`, () => {
        // Every case: odd lengths, strides that drop input columns, padding wider than the stride.
        for (const [i, sh] of cases.entries()) {
          const buf = allocLayer(k, sh, transposed);
          const next = rng(500 + i);
          fillRandom(k.f32(buf.x, buf.nx), next);
          fillRandom(k.f32(buf.w, buf.nw), next);
          fillRandom(k.f32(buf.dy, buf.ny), next);
          const args = { ...sh, x: buf.x, w: buf.w, dy: buf.dy, dx: buf.dx, dw: null, db: null };
          k.f32(buf.dx, buf.nx).fill(0);
          backward(k, args);
          const added = Float32Array.from(k.f32(buf.dx, buf.nx));
          k.f32(buf.dx, buf.nx).fill(Number.NaN); // a dirty buffer: nothing of it may survive or be read
          backward(k, { ...args, dxOverwrite: true });
          expect(Array.from(k.f32(buf.dx, buf.nx)), sh.note).toEqual(Array.from(added));
        }
      });
    }

    it('steady-state calls do not grow WASM memory', () => {
      // The full-size stride-4 layer of the small preset, plus a transposed one, at B = 2.
      const conv: ConvShape = { B: 2, Cin: 16, Cout: 32, Tin: 8192, K: 8, stride: 4, pad: 2 };
      const convT: ConvShape = { B: 2, Cin: 32, Cout: 16, Tin: 2048, K: 8, stride: 4, pad: 2 };
      const a = allocLayer(k, conv, false);
      const t = allocLayer(k, convT, true);
      const run = () => {
        conv1dForward(k, { ...conv, x: a.x, w: a.w, b: a.b, y: a.y });
        conv1dBackward(k, { ...conv, x: a.x, w: a.w, dy: a.dy, dx: a.dx, dw: a.dw, db: a.db });
        convTranspose1dForward(k, { ...convT, x: t.x, w: t.w, b: t.b, y: t.y });
        convTranspose1dBackward(k, { ...convT, x: t.x, w: t.w, dy: t.dy, dx: t.dx, dw: t.dw, db: t.db });
      };
      run();
      const bytes = k.exports.memory.buffer.byteLength;
      for (let i = 0; i < 3; i++) run();
      expect(k.exports.memory.buffer.byteLength).toBe(bytes);
    });

    it('reserveConvScratch makes even the first call at a new, larger shape allocation-free', () => {
      const big: ConvShape = { B: 1, Cin: 64, Cout: 64, Tin: 10000, K: 8, stride: 4, pad: 2 };
      const buf = allocLayer(k, big, true);
      reserveConvScratch(k, [{ ...big, transposed: true }]);
      const bytes = k.exports.memory.buffer.byteLength;
      convTranspose1dForward(k, { ...big, x: buf.x, w: buf.w, b: buf.b, y: buf.y });
      convTranspose1dBackward(k, { ...big, x: buf.x, w: buf.w, dy: buf.dy, dx: buf.dx, dw: buf.dw, db: buf.db });
      expect(k.exports.memory.buffer.byteLength).toBe(bytes);
    });

    it('output lengths agree with the module and with PyTorch formulas', () => {
      const outLen = k.exports.conv1dOutLength as (T: number, K: number, s: number, p: number) => number;
      const outLenT = k.exports.convTranspose1dOutLength as (T: number, K: number, s: number, p: number) => number;
      expect(conv1dOutLength(8192, 8, 4, 2)).toBe(2048);
      expect(conv1dOutLength(50, 8, 4, 2)).toBe(12);
      expect(convTranspose1dOutLength(2048, 8, 4, 2)).toBe(8192);
      for (const sh of [...CONV_CASES, ...CONVT_CASES]) {
        expect(outLen(sh.Tin, sh.K, sh.stride, sh.pad)).toBe(conv1dOutLength(sh.Tin, sh.K, sh.stride, sh.pad));
        expect(outLenT(sh.Tin, sh.K, sh.stride, sh.pad)).toBe(convTranspose1dOutLength(sh.Tin, sh.K, sh.stride, sh.pad));
      }
    });

    it('rejects shapes that would read out of bounds', () => {
      const buf = { x: 16, w: 16, b: null, y: 16 };
      expect(() => conv1dForward(k, { B: 1, Cin: 1, Cout: 1, Tin: 3, K: 8, stride: 1, pad: 0, ...buf })).toThrow(RangeError);
      expect(() => conv1dForward(k, { B: 1, Cin: 0, Cout: 1, Tin: 30, K: 3, stride: 1, pad: 0, ...buf })).toThrow(RangeError);
      expect(() => convTranspose1dForward(k, { B: 1, Cin: 1, Cout: 1, Tin: 1, K: 2, stride: 1, pad: 1, ...buf })).toThrow(RangeError);
    });
  });
}

// The reference's backward passes against central finite differences of its own forward, in float64:
// L = sum(y * r) for a fixed random r, so dL/dy = r.
describe('conv reference twin: backward matches finite differences', () => {
  const shapes: Case[] = [
    c('stride 1 K3 p1', 2, 3, 2, 11, 3, 1, 1),
    c('stride 4 K8 p2, dropped samples', 2, 2, 3, 14, 8, 4, 2),
    c('stride 3 K5 p1', 1, 2, 2, 13, 5, 3, 1),
  ];
  const h = 1e-6;

  for (const transposed of [false, true]) {
    const name = transposed ? 'convTranspose1dBackwardRef' : 'conv1dBackwardRef';
    const fwd = transposed ? convTranspose1dRef : conv1dRef;
    const bwd = transposed ? convTranspose1dBackwardRef : conv1dBackwardRef;
    for (const sh of shapes) {
      it(`${name}: ${sh.note}`, () => {
        const next = rng(5);
        const Tout = transposed
          ? convTranspose1dOutLength(sh.Tin, sh.K, sh.stride, sh.pad)
          : conv1dOutLength(sh.Tin, sh.K, sh.stride, sh.pad);
        const x = Float64Array.from({ length: sh.B * sh.Cin * sh.Tin }, next);
        const w = Float64Array.from({ length: sh.Cin * sh.Cout * sh.K }, next);
        const b = Float64Array.from({ length: sh.Cout }, next);
        const r = Float64Array.from({ length: sh.B * sh.Cout * Tout }, next);
        const loss = () => fwd(x, w, b, sh).reduce((s, v, i) => s + v * r[i], 0);
        const g = bwd(x, w, r, sh);
        for (const [param, grad] of [[x, g.dx], [w, g.dw], [b, g.db]] as const) {
          let worst = 0;
          for (let i = 0; i < param.length; i++) {
            const v = param[i];
            param[i] = v + h;
            const lp = loss();
            param[i] = v - h;
            const lm = loss();
            param[i] = v;
            worst = Math.max(worst, Math.abs((lp - lm) / (2 * h) - grad[i]));
          }
          expect(worst).toBeLessThan(1e-6);
          expect(grad.some((v) => Math.abs(v) > 0.1)).toBe(true);
        }
      });
    }
  }
});
