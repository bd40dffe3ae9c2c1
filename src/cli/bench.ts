// codec-lab bench: training and inference speed of the reference codec on this machine.
import { DEFAULT_CONFIG } from '../train/config.js';
import { runBench } from '../bench/bench.js';
import { runHostBench } from '../bench/host.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import type { PresetName } from '../nn/presets.js';
import type { LossName } from '../losses/index.js';

export const benchHelp = `Usage: codec-lab bench [--json] [--quick] [--preset P] [--threads N]
       codec-lab bench --host [--json] [--quick]

Training steps/s for each preset with wave-l1 and mel-db-l1 (batch 8 x 8192, Adam 1e-3, on one and on
two threads, the reference setup of bench/pytorch/torch_bench.py), the inference real-time factor on a 10 s
clip, and the GFLOP/s of each convolution kernel: medians of several timed windows after a warm-up.
Takes about three minutes; --quick takes a few seconds (fewer, shorter windows; rougher figures).
  --preset P   only this preset (tiny | small)
  --threads N  only this thread count for training (1 | 2)
  --json       print one JSON object on stdout (progress goes to stderr)
  --host       instead: the web host under heavy calls. Uploads a 5-minute clip, trains 10 tiny runs,
               cross-evaluates the clip with one run and reconstructs it with every run, while a probe thread
               times a light call (listRuns) over HTTP; prints its latency during each heavy call and
               the host's memory. About two minutes; --quick: a 30 s clip and 3 runs.`;

export async function benchCommand(ctx: CommandContext, _files: string[], v: Record<string, unknown>): Promise<number> {
  const quick = v.quick === true;
  if (v.host) return hostBench(ctx, quick, v.json === true);
  const presets = typeof v.preset === 'string' ? [v.preset as PresetName] : undefined;
  if (presets && !['tiny', 'small'].includes(presets[0])) throw new CliError('BAD_ARGUMENTS', `unknown preset '${presets[0]}'`);
  const result = runBench({
    presets,
    threads: typeof v.threads === 'string' ? [Number(v.threads)] : undefined,
    losses: ['wave-l1', 'mel-db-l1'] as LossName[],
    windows: quick ? 2 : 7,
    windowSec: quick ? 0.3 : 2,
    warmupSteps: quick ? 1 : 3,
    onProgress: (line) => ctx.err(line),
  });
  if (v.json) {
    ctx.out(JSON.stringify(result, null, 2));
    return 0;
  }
  ctx.out(`kernel build: ${result.build === 'relaxed' ? 'relaxed SIMD (fused multiply-add)' : '128-bit SIMD'}; one thread`);
  ctx.out('training (batch 8 x 8192, Adam; with 2 threads each computes half of every batch):');
  for (const t of result.train) {
    const b = t.breakdownMs;
    ctx.out(`  ${t.preset.padEnd(5)} ${t.loss.padEnd(9)} ${t.threads} thread${t.threads > 1 ? 's' : ' '} ${t.stepsPerSec.toFixed(2).padStart(6)} steps/s  ${t.gflops.toFixed(1).padStart(5)} GFLOP/s  ms/step: forward ${b.forward.toFixed(1)}, loss ${b.loss.toFixed(1)}, backward ${b.backward.toFixed(1)}, zeroing ${b.zeroGrads.toFixed(1)}, exchange ${b.exchange.toFixed(1)}, optimizer ${b.optimizer.toFixed(1)}`);
  }
  ctx.out(`validation (${result.train[0]?.validation.segments ?? 0} segments of 8192; the own loss, then the common yardstick of every loss space, SI-SDR and SNR):`);
  for (const t of result.train) {
    const val = t.validation;
    ctx.out(`  ${t.preset.padEnd(5)} ${t.loss.padEnd(9)} ${t.threads} thread${t.threads > 1 ? 's' : ' '} own ${val.ownMs.toFixed(1).padStart(6)} ms, yardstick ${val.yardstickMs.toFixed(1).padStart(6)} ms = ${(100 * val.yardstickShare).toFixed(1)}% of training time when validating every ${DEFAULT_CONFIG.valEvery} steps`);
  }
  ctx.out('inference (10 s clip, encode + decode):');
  for (const i of result.infer) ctx.out(`  ${i.preset.padEnd(5)} ${i.rtf.toFixed(1)}x real time`);
  if (result.kernels.length) {
    ctx.out('convolution kernels (batch 8):');
    for (const k of result.kernels) ctx.out(`  ${k.name.padEnd(44)} ${k.gflops.toFixed(1).padStart(5)} GFLOP/s`);
  }
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
