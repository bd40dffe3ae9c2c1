// codec-lab bench: training and inference speed of the reference codec on this machine.
import { runBench } from '../bench/bench.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';
import type { PresetName } from '../nn/presets.js';
import type { LossName } from '../losses/index.js';

export const benchHelp = `Usage: codec-lab bench [--json] [--quick] [--preset P]

Training steps/s for each preset with wave-l1 and mel-db-l1 (batch 8 x 8192, Adam 1e-3, on one and on
two threads, the reference setup of bench/pytorch/torch_bench.py), the inference real-time factor on a 10 s
clip, and the GFLOP/s of each convolution kernel: medians of several timed windows after a warm-up.
Takes about three minutes; --quick takes a few seconds (fewer, shorter windows; rougher figures).
  --preset P   only this preset (tiny | small)
  --threads N  only this thread count for training (1 | 2)
  --json       print one JSON object on stdout (progress goes to stderr)`;

export async function benchCommand(ctx: CommandContext, _files: string[], v: Record<string, unknown>): Promise<number> {
  const quick = v.quick === true;
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
  ctx.out('inference (10 s clip, encode + decode):');
  for (const i of result.infer) ctx.out(`  ${i.preset.padEnd(5)} ${i.rtf.toFixed(1)}x real time`);
  if (result.kernels.length) {
    ctx.out('convolution kernels (batch 8):');
    for (const k of result.kernels) ctx.out(`  ${k.name.padEnd(44)} ${k.gflops.toFixed(1).padStart(5)} GFLOP/s`);
  }
  return 0;
}
