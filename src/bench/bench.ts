// `codec-lab bench`: how fast this machine trains and runs the reference codec, measured the way
// bench/pytorch/torch_bench.py measures PyTorch (batch 8 x 8192, Adam 1e-3, the same synthetic
// audio, a warm-up then the median of several timed windows), so the two can be held side by side.
import { KernelCore } from '../kernels/core.js';
import { benchConvKernels } from './conv-kernels.js';
import { Codec } from '../nn/codec.js';
import { ParallelCodec } from '../nn/parallel-codec.js';
import { initParams, paramLayout } from '../nn/model.js';
import { PRESETS, type PresetName } from '../nn/presets.js';
import { DEFAULT_CONFIG, resolveConfig } from '../train/config.js';
import { TrainingSession } from '../train/session.js';
import type { LossName } from '../losses/index.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { readCpuTimes, stealPercent } from './steal-time.js';

export interface BenchOptions {
  presets?: PresetName[];
  losses?: LossName[];
  /** Timed windows per figure (median reported). */
  windows?: number;
  /** Seconds per training window. */
  windowSec?: number;
  warmupSteps?: number;
  /** Skip the kernel table. */
  kernels?: boolean;
  /** Thread counts to time training with (default [1, 2]). */
  threads?: number[];
  onProgress?(line: string): void;
}

export interface TrainBench {
  preset: PresetName;
  loss: LossName;
  threads: number;
  stepsPerSec: number;
  windowRates: number[];
  /** Median milliseconds per step in each phase. */
  breakdownMs: { zeroGrads: number; forward: number; loss: number; backward: number; exchange: number; optimizer: number };
  gflops: number;
  /**
   * One validation (median ms): the run's own loss over the validation segments, and the common
   * yardstick of the same reconstructions (every loss space, SI-SDR, SNR); the yardstick's share of
   * a run's time when validating every DEFAULT_CONFIG.valEvery steps.
   */
  validation: { segments: number; ownMs: number; yardstickMs: number; yardstickShare: number };
}

export interface BenchResult {
  build: 'relaxed' | 'simd';
  train: TrainBench[];
  infer: { preset: PresetName; threads: number; rtf: number; clipSec: number; reps: number[] }[];
  kernels: { name: string; gflops: number; ms: number; ofCeiling: number }[];
  /** GFLOP/s of the core's own in-cache matrix product, the ceiling the kernels are read against (0 without the table). */
  kernelCeilingGflops: number;
  /** CPU time the hypervisor took while the timing ran, percent (src/bench/steal-time.ts); null where the OS does not say. */
  stealPercent: number | null;
}

/** The peer's test audio: six chirps, noise, a slow envelope (torch_bench.py synth_audio, same formula). */
export function synthAudio(seconds: number, seed = 0, rate = MODEL_RATE): Float32Array {
  const n = Math.floor(seconds * rate);
  const x = new Float32Array(n);
  // Deterministic noise (not bit-identical to torch.randn; the level and spectrum are what matter).
  let s = seed * 2654435761 + 1;
  const gauss = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    const u = (s + 1) / 4294967297;
    s = (s * 1103515245 + 12345) >>> 0;
    const v = (s + 1) / 4294967297;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v = 0;
    for (let k = 0; k < 6; k++) v += 0.12 * Math.sin(2 * Math.PI * (80 * 1.7 ** k * t + (40 * t * t) / (k + 1)));
    v += 0.05 * gauss();
    v *= 0.6 + 0.4 * Math.sin(2 * Math.PI * 0.7 * t);
    x[i] = Math.max(-1, Math.min(1, v));
  }
  return x;
}

export const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * A training session held open for timing one window at a time (`codec-lab bench --peer` alternates
 * these with PyTorch's): the reference setup (batch 8 x 8192, Adam 1e-3) on the synthetic audio,
 * warmed up on opening.
 */
export class TrainTimer {
  readonly session: TrainingSession;

  constructor(readonly preset: PresetName, readonly loss: LossName, audio: Float32Array, readonly threads: number, warmupSteps = 3) {
    const config = resolveConfig({ preset, loss, steps: 1_000_000, batch: 8, segment: 8192, seed: 0, valEvery: 1_000_000, threads });
    this.session = new TrainingSession([{ name: 'synth', audio }], config);
    for (let i = 0; i < warmupSteps; i++) this.session.trainStep();
  }

  /** Steps per second over one window of at least `seconds` and two steps. */
  window(seconds: number): number {
    let n = 0;
    const t0 = performance.now();
    let el = 0;
    do {
      this.session.trainStep();
      n++;
      el = (performance.now() - t0) / 1000;
    } while (el < seconds || n < 2);
    return n / el;
  }

  close(): void {
    this.session.close();
  }
}

export function benchTraining(preset: PresetName, loss: LossName, audio: Float32Array, o: BenchOptions, threads = 1): TrainBench {
  const windows = o.windows ?? 7;
  const windowSec = o.windowSec ?? 2;
  const timer = new TrainTimer(preset, loss, audio, threads, o.warmupSteps ?? 3);
  const session = timer.session;
  const rates: number[] = [];
  for (let w = 0; w < windows; w++) rates.push(timer.window(windowSec));
  const stepsPerSec = median(rates);
  const parts = session.profileStep(5);
  // A validation as training makes it, split into the run's own loss and the common yardstick.
  const own: number[] = [];
  const extra: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = { ownMs: 0, yardstickMs: 0 };
    session.validate(t);
    own.push(t.ownMs);
    extra.push(t.yardstickMs);
  }
  const validation = { segments: session.split.val.length, ownMs: median(own), yardstickMs: median(extra) };
  const macs = session.forwardMacs();
  timer.close();
  return {
    preset, loss, threads, stepsPerSec, windowRates: rates.map((r) => Math.round(r * 1000) / 1000),
    breakdownMs: parts,
    validation: {
      ...validation,
      // What the yardstick adds to a run's time at the default validation interval.
      yardstickShare: validation.yardstickMs / ((DEFAULT_CONFIG.valEvery * 1000) / stepsPerSec + validation.ownMs + validation.yardstickMs),
    },
    // Forward, input gradient and weight gradient each cost the forward's multiply-adds; 2 FLOPs each.
    gflops: (3 * 2 * macs * stepsPerSec) / 1e9,
  };
}

/**
 * A codec with fresh weights and a 10 s clip of the synthetic audio, warmed up: one timed
 * reconstruction at a time, its windows over `threads` threads (src/nn/parallel-codec.ts).
 */
export class InferenceTimer {
  readonly clipSec = 10;
  private readonly codec: ParallelCodec;
  private readonly clip: Float32Array;

  constructor(readonly preset: PresetName, readonly threads = 1) {
    const layout = paramLayout(PRESETS[preset]);
    const params = new Float32Array(layout.total);
    initParams(layout, params, 0);
    this.codec = new ParallelCodec(new Codec(PRESETS[preset], params), threads);
    this.clip = synthAudio(this.clipSec, 3);
    for (let i = 0; i < 2; i++) this.codec.reconstruct(this.clip);
  }

  /** Encodes and decodes the clip once: how many times faster than real time. */
  rep(): number {
    const t0 = performance.now();
    this.codec.reconstruct(this.clip);
    return this.clipSec / ((performance.now() - t0) / 1000);
  }

  /** End the codec's worker threads. */
  close(): void {
    this.codec.close();
  }
}

export function benchInference(preset: PresetName, reps = 7, threads = 1): BenchResult['infer'][number] {
  const timer = new InferenceTimer(preset, threads);
  const rtfs: number[] = [];
  for (let r = 0; r < reps; r++) rtfs.push(timer.rep());
  timer.close();
  return { preset, threads, rtf: median(rtfs), clipSec: timer.clipSec, reps: rtfs.map((r) => Math.round(r * 10) / 10) };
}

export function runBench(o: BenchOptions = {}): BenchResult {
  const presets = o.presets ?? ['small', 'tiny'];
  const losses = o.losses ?? ['wave-l1', 'mel-db-l1'];
  const audio = synthAudio(30);
  const say = o.onProgress ?? (() => {});
  const cpuFrom = readCpuTimes();
  const train: TrainBench[] = [];
  for (const threads of o.threads ?? [1, 2]) {
    for (const preset of presets) {
      for (const loss of losses) {
        const r = benchTraining(preset, loss, audio, o, threads);
        say(`train ${preset} ${loss} threads ${threads}: ${r.stepsPerSec.toFixed(2)} steps/s (${r.gflops.toFixed(1)} GFLOP/s), windows ${r.windowRates.join(' ')}`);
        train.push(r);
      }
    }
  }
  const infer = (o.threads ?? [1, 2]).flatMap((threads) => presets.map((p) => {
    const r = benchInference(p, o.windows ?? 7, threads);
    say(`infer ${p} threads ${threads}: ${r.rtf.toFixed(1)}x real time on a ${r.clipSec} s clip`);
    return r;
  }));
  const core = KernelCore.create();
  const table = o.kernels === false ? null : benchConvKernels(core, { windows: o.windows ?? 7 });
  const kernels = table?.kernels ?? [];
  if (table) say(`kernel GEMM ceiling: ${table.ceilingGflops.toFixed(1)} GFLOP/s`);
  for (const k of kernels) say(`kernel ${k.name}: ${k.gflops.toFixed(1)} GFLOP/s (${(100 * k.ofCeiling).toFixed(0)}% of the ceiling)`);
  return { build: core.build, train, infer, kernels, kernelCeilingGflops: table?.ceilingGflops ?? 0, stealPercent: stealPercent(cpuFrom, readCpuTimes()) };
}

