// codec-lab bench: training and inference speed of the reference codec on this machine.
import { DEFAULT_CONFIG } from '../train/config.js';
import { median, runBench } from '../bench/bench.js';
import { trainPeakRss, type TrainMemory } from '../bench/peak-rss.js';
import { peerPython, probePeer, runPeerBench, torchTrainPeakRss, TORCH_INSTALL_HINT, type PeerRow } from '../bench/peer.js';
import { KernelCore } from '../kernels/core.js';
import { runHostBench } from '../bench/host.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import type { PresetName } from '../nn/presets.js';
import type { LossName } from '../losses/index.js';

export const benchHelp = `Usage: codec-lab bench [--json] [--quick] [--preset P] [--threads N[,N...]]
       codec-lab bench --peer [--json] [--quick] [--preset P] [--threads N[,N...]]
       codec-lab bench --host [--json] [--quick]

Training steps/s for each preset with wave-l1 and mel-db-l1 (batch 8 x 8192, Adam 1e-3, on one and on
two threads, the reference setup of bench/pytorch/torch_bench.py), the inference real-time factor on a 10 s
clip, and the GFLOP/s of each convolution kernel, also as a share of the core's measured GEMM ceiling (its own
in-cache matrix product): medians of several timed windows after a warm-up. Then
the peak resident memory of \`codec-lab train --preset P --threads N\` (its default loss, on the bundled
clip, in a process of its own) for each preset and thread count, in MB of 2^20 bytes.
Takes about three minutes; --quick takes well under a minute (fewer, shorter windows; rougher figures).
  --preset P   only this preset (tiny | small)
  --threads N  only these thread counts for training, e.g. 2 or 1,2 (default 1,2)
  --json       print one JSON object on stdout (progress goes to stderr)
  --peer       instead: the same training and inference figures beside PyTorch's, measured in the same
               sitting. Runs the repository's bench/pytorch/torch_bench.py (it needs a Python that can
               import torch: /usr/bin/python3, or the one CODEC_LAB_PYTHON names; on Debian:
               ${TORCH_INSTALL_HINT}), alternating one timed window of each, 5 rounds
               (--quick: 2 short ones), and prints each side's median, the ratio Codec Lab / PyTorch, both
               sides' peak memory of training and the machine. About five minutes; --quick about one.
  --host       instead: the web host under heavy calls. Uploads a 5-minute clip, trains 10 tiny runs,
               cross-evaluates the clip with one run and reconstructs it with every run, while a probe thread
               times a light call (listRuns) over HTTP; prints its latency during each heavy call and
               the host's memory. About two minutes; --quick: a 30 s clip and 3 runs.`;

export const benchOptions = {
  json: { type: 'boolean' },
  quick: { type: 'boolean' },
  preset: { type: 'string' },
  threads: { type: 'string' },
  host: { type: 'boolean' },
  peer: { type: 'boolean' },
} as const;

const PRESET_NAMES: readonly PresetName[] = ['small', 'tiny'];

function parsePresets(v: unknown): PresetName[] {
  if (typeof v !== 'string') return [...PRESET_NAMES];
  if (!PRESET_NAMES.includes(v as PresetName)) throw new CliError('BAD_ARGUMENTS', `unknown preset '${v}'`);
  return [v as PresetName];
}

/** --threads: one count or a comma list; the engine says which counts it supports when a session opens. */
function parseThreads(v: unknown): number[] {
  if (typeof v !== 'string') return [1, 2];
  const list = v.split(',').map((s) => Number(s.trim()));
  if (!list.length || list.some((n) => !Number.isInteger(n) || n < 1)) throw new CliError('BAD_ARGUMENTS', `--threads wants whole numbers of 1 or more, like 2 or 1,2, not '${v}'`);
  return list;
}

const threadWord = (n: number) => `${n} thread${n > 1 ? 's' : ' '}`;
const mb = (x: number) => x.toFixed(0).padStart(5);

/** Peak memory of `codec-lab train` for every preset and thread count, one child process at a time. */
async function trainingMemory(presets: PresetName[], threads: number[], steps: number, say: (line: string) => void): Promise<TrainMemory[]> {
  const memory: TrainMemory[] = [];
  for (const n of threads) {
    for (const preset of presets) {
      const m = await trainPeakRss(preset, n, steps);
      say(`peak memory of codec-lab train --preset ${preset} --threads ${n}: ${m.peakRssMb.toFixed(0)} MB`);
      memory.push(m);
    }
  }
  return memory;
}

export async function benchCommand(ctx: CommandContext, _files: string[], v: Record<string, unknown>): Promise<number> {
  const quick = v.quick === true;
  if (v.host) return hostBench(ctx, quick, v.json === true);
  const presets = parsePresets(v.preset);
  const threads = parseThreads(v.threads);
  if (v.peer) return peerBench(ctx, quick, v.json === true, presets, threads);
  const result = runBench({
    presets,
    threads,
    losses: ['wave-l1', 'mel-db-l1'] as LossName[],
    windows: quick ? 2 : 7,
    windowSec: quick ? 0.3 : 2,
    warmupSteps: quick ? 1 : 3,
    onProgress: (line) => ctx.err(line),
  });
  const memory = await trainingMemory(presets, threads, quick ? 4 : 20, (line) => ctx.err(line));
  if (v.json) {
    ctx.out(JSON.stringify({ ...result, memory }, null, 2));
    return 0;
  }
  ctx.out(`kernel build: ${result.build === 'relaxed' ? 'relaxed SIMD (fused multiply-add)' : '128-bit SIMD'}; one thread`);
  ctx.out('training (batch 8 x 8192, Adam; with N threads each computes 1/N of every batch):');
  for (const t of result.train) {
    const b = t.breakdownMs;
    ctx.out(`  ${t.preset.padEnd(5)} ${t.loss.padEnd(9)} ${threadWord(t.threads)} ${t.stepsPerSec.toFixed(2).padStart(6)} steps/s  ${t.gflops.toFixed(1).padStart(5)} GFLOP/s  ms/step: forward ${b.forward.toFixed(1)}, loss ${b.loss.toFixed(1)}, backward ${b.backward.toFixed(1)}, zeroing ${b.zeroGrads.toFixed(1)}, exchange ${b.exchange.toFixed(1)}, optimizer ${b.optimizer.toFixed(1)}`);
  }
  ctx.out(`validation (${result.train[0]?.validation.segments ?? 0} segments of 8192; the own loss, then the common yardstick of every loss space, SI-SDR and SNR):`);
  for (const t of result.train) {
    const val = t.validation;
    ctx.out(`  ${t.preset.padEnd(5)} ${t.loss.padEnd(9)} ${threadWord(t.threads)} own ${val.ownMs.toFixed(1).padStart(6)} ms, yardstick ${val.yardstickMs.toFixed(1).padStart(6)} ms = ${(100 * val.yardstickShare).toFixed(1)}% of training time when validating every ${DEFAULT_CONFIG.valEvery} steps`);
  }
  ctx.out('inference (10 s clip, encode + decode):');
  for (const i of result.infer) ctx.out(`  ${i.preset.padEnd(5)} ${threadWord(i.threads)} ${i.rtf.toFixed(1)}x real time`);
  if (result.kernels.length) {
    ctx.out(`convolution kernels (batch 8), against the GEMM ceiling: the core's own in-cache 64x64x64 matrix product, ${result.kernelCeilingGflops.toFixed(1)} GFLOP/s:`);
    for (const k of result.kernels) ctx.out(`  ${k.name.padEnd(46)} ${k.gflops.toFixed(1).padStart(5)} GFLOP/s ${(100 * k.ofCeiling).toFixed(0).padStart(4)}%`);
  }
  ctx.out(`peak resident memory of codec-lab train --preset P --threads N (${memory[0]?.loss}, ${memory[0]?.steps} steps, bundled clip; MB = 2^20 bytes):`);
  for (const m of memory) ctx.out(`  ${m.preset.padEnd(5)} ${threadWord(m.threads)} ${mb(m.peakRssMb)} MB`);
  if (result.stealPercent !== null) ctx.out(stealLine(result.stealPercent));
  return 0;
}

/** The hypervisor's share of the sitting, so a reader knows how far the figures are the machine's own. */
function stealLine(percent: number): string {
  return `CPU time the hypervisor gave to other guests while this machine had work, during the timing (steal, /proc/stat): ${percent.toFixed(1)}%`;
}

async function peerBench(ctx: CommandContext, quick: boolean, json: boolean, presets: PresetName[], threads: number[]): Promise<number> {
  const python = peerPython();
  const probe = probePeer(python);
  if (!probe.ok) {
    throw new CliError('PEER_UNAVAILABLE', `bench --peer needs PyTorch: ${probe.reason}. Install it (on Debian: ${TORCH_INSTALL_HINT}) or set CODEC_LAB_PYTHON to a Python that can import torch`);
  }
  const say = (line: string) => ctx.err(line);
  const r = await runPeerBench({
    presets, threads, python, losses: ['wave-l1', 'mel-db-l1'], rounds: quick ? 2 : 5, windowSec: quick ? 0.3 : 2, warmupSteps: quick ? 1 : 3, onProgress: say,
  });
  // Memory after the timing, so the children do not share the machine with a timed window.
  const steps = quick ? 4 : 20;
  const ours = await trainingMemory(presets, threads, steps, say);
  const memory = [];
  for (const m of ours) {
    const pytorchPeakRssMb = await torchTrainPeakRss(m.preset, m.threads, python);
    say(`peak memory of PyTorch training ${m.preset} with ${m.threads} threads: ${pytorchPeakRssMb.toFixed(0)} MB`);
    memory.push({ ...m, pytorchPeakRssMb });
  }
  const build = KernelCore.create().build;
  if (json) {
    ctx.out(JSON.stringify({ ...r, build, memory }, null, 2));
    return 0;
  }
  const ratio = (x: number) => `${x.toFixed(2)}x`;
  ctx.out(`Codec Lab against PyTorch, interleaved window by window (${r.rounds} rounds; medians; ratio = Codec Lab / PyTorch):`);
  // Other processes' CPU during PyTorch's windows (cores' worth, median): a busy machine shows here.
  const load = (p: PeerRow) => median(p.pytorchOtherLoad).toFixed(2).padStart(10);
  ctx.out(`  ${'preset loss      threads'.padEnd(26)}| PyTorch steps/s | Codec Lab steps/s | ratio  | other load`);
  for (const p of r.peer.filter((p) => p.kind === 'train')) {
    ctx.out(`  ${`${p.preset.padEnd(6)} ${p.loss!.padEnd(9)} ${p.threads}`.padEnd(26)}| ${p.pytorch.median.toFixed(2).padStart(15)} | ${p.ours.median.toFixed(2).padStart(17)} | ${ratio(p.ratio).padEnd(6)} | ${load(p)}`);
  }
  ctx.out(`  ${'inference, 10 s clip'.padEnd(26)}| PyTorch x real t | Codec Lab x real t | ratio  | other load`);
  for (const p of r.peer.filter((p) => p.kind === 'infer')) {
    const ours = `${p.ours.median.toFixed(1)}${p.oursThreads !== p.threads ? ` (${p.oursThreads} thr)` : ''}`;
    ctx.out(`  ${`${p.preset.padEnd(6)} ${''.padEnd(9)} ${p.threads}`.padEnd(26)}| ${p.pytorch.median.toFixed(1).padStart(16)} | ${ours.padStart(18)} | ${ratio(p.ratio).padEnd(6)} | ${load(p)}`);
  }
  ctx.out('  (other load: cores\' worth of CPU other processes used during PyTorch\'s windows, median)');
  ctx.out(`peak resident memory of training (MB = 2^20 bytes; ${memory[0]?.loss}): codec-lab train (${steps} steps, bundled clip) | PyTorch (torch_bench.py):`);
  for (const m of memory) ctx.out(`  ${m.preset.padEnd(5)} ${threadWord(m.threads)} ${mb(m.peakRssMb)} | ${mb(m.pytorchPeakRssMb)}`);
  const mc = r.machine;
  ctx.out(`machine: ${mc.cpu}, ${mc.cores} cores; Node ${mc.node}; ${mc.os}; PyTorch ${mc.torch} (Python ${mc.python}); Codec Lab kernels: ${build === 'relaxed' ? 'relaxed SIMD' : '128-bit SIMD'}`);
  if (mc.stealPercent !== null) ctx.out(stealLine(mc.stealPercent));
  return 0;
}

async function hostBench(ctx: CommandContext, quick: boolean, json: boolean): Promise<number> {
  const r = await runHostBench({ clipSec: quick ? 30 : 300, runs: quick ? 3 : 10, onProgress: (line) => ctx.err(line) });
  if (json) {
    ctx.out(JSON.stringify(r, null, 2));
    return 0;
  }
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  ctx.out(`the web host with a ${r.clipSec} s clip (44.1 kHz stereo) and ${r.runs} runs:`);
  ctx.out('  heavy call                          took      listRuns meanwhile: calls  median    p99       max');
  for (const [name, sec, l] of [
    ['upload and decode the clip', r.uploadSec, r.latency.upload],
    ['cross-evaluate it with one run', r.crossEvaluateSec, r.latency.crossEvaluate],
    [`reconstruct it with each of ${r.runs} runs`, r.reconstructSec, r.latency.reconstruct],
  ] as const) {
    ctx.out(`  ${name.padEnd(34)} ${`${sec.toFixed(1)} s`.padStart(8)}   ${String(l.calls).padStart(21)}  ${ms(l.p50Ms).padStart(8)}  ${ms(l.p99Ms).padStart(8)}  ${ms(l.maxMs).padStart(8)}`);
  }
  const m = r.rssMb;
  ctx.out(`  host memory (resident, MB): start ${m.start.toFixed(0)}, after the upload ${m.afterUpload.toFixed(0)}, after training ${m.afterRuns.toFixed(0)}, after listening to every run ${m.afterListening.toFixed(0)}; peak ${m.peak.toFixed(0)}`);
  return 0;
}
