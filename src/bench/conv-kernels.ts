// GFLOP/s of the convolution kernels at the layer shapes of the `small` preset (batch 8, segment 8192),
// for `codec-lab bench`. FLOPs = 2 x multiply-adds of the direct convolution, the same count PyTorch
// benchmarks use, so the numbers compare across implementations. Each kernel is also read as a share of
// the core's measured ceiling: its own register-blocked matrix product on operands that stay in cache
// (gemmCeilingRun in src/kernels/assembly/gemm-ceiling.ts), what a convolution could reach if packing,
// edges and memory traffic cost nothing. Each figure is the median over several
// timed windows after a warm-up: the machine is shared and noisy, and a median of windows is robust
// to a window that lost the core.
import type { KernelCore } from '../kernels/core.js';
import {
  conv1dBackward,
  conv1dForward,
  conv1dOutLength,
  convTranspose1dBackward,
  convTranspose1dForward,
  convTranspose1dOutLength,
  reserveConvScratch,
  type ConvShape,
} from '../kernels/conv.js';

export interface ConvBenchResult {
  /** e.g. "conv k3 16->16 @8192 forward" */
  name: string;
  gflops: number;
  /** Median milliseconds per call. */
  ms: number;
  /** gflops / the GEMM ceiling measured in the same run (can pass 1 by noise on a busy machine). */
  ofCeiling: number;
}

export interface ConvKernelBench {
  /** GFLOP/s of the core's in-cache 64 x 64 by 64 x 64 matrix product (median window). */
  ceilingGflops: number;
  kernels: ConvBenchResult[];
}

/** The product the ceiling times: 64 x 64 by 64 x 64, 48 KiB of operands, so everything stays in L1/L2
 * (larger products measured no faster here). */
const CEILING_SIZE = 64;

export interface ConvBenchOptions {
  /** Batch size (default 8, the reference training batch). */
  B?: number;
  /** Timed windows per kernel; the median is reported (default 7). */
  windows?: number;
  /** Minimum length of one window in milliseconds (default 60). */
  windowMs?: number;
}

interface BenchLayer extends ConvShape {
  label: string;
  transposed: boolean;
}

function layers(B: number): BenchLayer[] {
  const L = (label: string, transposed: boolean, Cin: number, Cout: number, Tin: number, K: number, stride: number, pad: number): BenchLayer =>
    ({ label, transposed, B, Cin, Cout, Tin, K, stride, pad });
  return [
    L('conv k7 1->16 @8192', false, 1, 16, 8192, 7, 1, 3),
    L('conv k3 16->16 @8192', false, 16, 16, 8192, 3, 1, 1),
    L('conv k1 16->16 @8192', false, 16, 16, 8192, 1, 1, 0),
    L('conv k8 s4 16->32 @8192', false, 16, 32, 8192, 8, 4, 2),
    L('conv k3 32->32 @2048', false, 32, 32, 2048, 3, 1, 1),
    L('conv k8 s4 32->64 @2048', false, 32, 64, 2048, 8, 4, 2),
    L('conv k3 64->64 @512', false, 64, 64, 512, 3, 1, 1),
    L('conv k1 64->64 @512', false, 64, 64, 512, 1, 1, 0),
    L('convT k8 s4 64->64 128->512', true, 64, 64, 128, 8, 4, 2),
    L('convT k8 s4 64->32 512->2048', true, 64, 32, 512, 8, 4, 2),
    L('convT k8 s4 32->16 2048->8192', true, 32, 16, 2048, 8, 4, 2),
    L('conv k7 16->1 @8192', false, 16, 1, 8192, 7, 1, 3),
  ];
}

/** Median seconds per call of `fn`, over `windows` windows of at least `windowMs` each. */
function timeCalls(fn: () => void, windows: number, windowMs: number): number {
  // Warm-up: lets V8 tier the module up and fills caches and scratch.
  const warmEnd = performance.now() + windowMs;
  let calls = 0;
  do { fn(); calls++; } while (performance.now() < warmEnd || calls < 2);
  const perWindow = Math.max(1, Math.round(calls * 1.0));
  const samples: number[] = [];
  for (let w = 0; w < windows; w++) {
    const t0 = performance.now();
    for (let i = 0; i < perWindow; i++) fn();
    samples.push((performance.now() - t0) / 1000 / perWindow);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

/**
 * Time forward, input-gradient and weight-gradient of each benchmark layer. Allocates its own tensors
 * in `core` (a few tens of MB at batch 8), so use a core dedicated to benchmarking.
 */
export function benchConvKernels(core: KernelCore, opts: ConvBenchOptions = {}): ConvKernelBench {
  const B = opts.B ?? 8;
  const windows = opts.windows ?? 7;
  const windowMs = opts.windowMs ?? 60;
  const list = layers(B);
  reserveConvScratch(core, list);
  // Allocate everything first: views taken before a later allocation would die when memory grows.
  const g = CEILING_SIZE;
  const ga = core.allocF32(g * g), gb = core.allocF32(g * g), gc = core.allocF32(g * g);
  const bufs = list.map((l) => {
    const Tout = l.transposed ? convTranspose1dOutLength(l.Tin, l.K, l.stride, l.pad) : conv1dOutLength(l.Tin, l.K, l.stride, l.pad);
    const nx = B * l.Cin * l.Tin, nw = l.Cin * l.Cout * l.K, ny = B * l.Cout * Tout;
    return {
      nx, nw, ny, Tout,
      x: core.allocF32(nx), w: core.allocF32(nw), b: core.allocF32(l.Cout), y: core.allocF32(ny),
      dy: core.allocF32(ny), dx: core.allocF32(nx), dw: core.allocF32(nw),
    };
  });
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  for (const b of bufs) {
    for (const [p, n] of [[b.x, b.nx], [b.w, b.nw], [b.dy, b.ny]] as const) {
      const v = core.f32(p, n);
      for (let i = 0; i < n; i++) v[i] = rand() * 0.5;
    }
  }

  // Small operands: C accumulates over every timed call and must stay far from overflow.
  for (const p of [ga, gb]) core.f32(p, g * g).forEach((_, i, v) => { v[i] = ((i * 7) % 13) * 1e-3; });
  const ceilingSec = timeCalls(() => core.exports.gemmCeiling(ga, gb, gc, g, g, g), windows, windowMs);
  const ceilingGflops = (2 * g * g * g) / ceilingSec / 1e9;
  const results: ConvBenchResult[] = [];
  list.forEach((l, i) => {
    const b = bufs[i];
    const macs = l.transposed ? B * l.Cin * l.Tin * l.Cout * l.K : B * l.Cout * b.Tout * l.Cin * l.K;
    const fwd = { ...l, x: b.x, w: b.w, b: b.b, y: b.y };
    const bwdInput = { ...l, x: b.x, w: b.w, dy: b.dy, dx: b.dx, dw: null, db: null };
    const bwdWeight = { ...l, x: b.x, w: b.w, dy: b.dy, dx: null, dw: b.dw, db: null };
    const forward = l.transposed ? convTranspose1dForward : conv1dForward;
    const backward = l.transposed ? convTranspose1dBackward : conv1dBackward;
    const runs: Array<[string, () => void]> = [
      ['forward', () => forward(core, fwd)],
      ['backward-input', () => backward(core, bwdInput)],
      ['backward-weight', () => backward(core, bwdWeight)],
    ];
    for (const [what, fn] of runs) {
      const sec = timeCalls(fn, windows, windowMs);
      const gflops = (2 * macs) / sec / 1e9;
      results.push({ name: `${l.label} ${what}`, gflops, ms: sec * 1000, ofCeiling: gflops / ceilingGflops });
    }
  });
  return { ceilingGflops, kernels: results };
}
