// codec-lab lr-find: the learning-rate range test (src/train/lr-range.ts) on the same options as
// train: the loss against an exponentially rising learning rate, and a suggested rate.
import { BUNDLED_CLIP } from '../assets.js';
import { loadClips } from '../data/load.js';
import { checkLrRange, LR_RANGE_DEFAULTS, lrRangeTest, type LrRangeOptions } from '../train/lr-range.js';
import { lossInDb } from '../common/loss-scale.js';
import { configFromOptions, trainOptions } from './train.js';
import { numberOption } from './shape-options.js';
import type { CommandContext } from './context.js';
import { CliError } from './errors.js';

export const lrFindHelp = `Usage: codec-lab lr-find [FILE...] [train's options] [--start-lr X] [--end-lr Y] [--steps N] [--json]

The learning-rate range test (Smith 2017): from the run's initial weights, N training steps (default
${LR_RANGE_DEFAULTS.steps}) with the learning rate rising exponentially from X (default ${LR_RANGE_DEFAULTS.minLr}) to Y (default
${LR_RANGE_DEFAULTS.maxLr}), one rate per step, recording the training loss; it stops early once the smoothed
loss passes 4 times its lowest value. Read the curve from left to right: flat (too small to learn),
falling (learning), then rising (too large). Suggests a tenth of the rate at the lowest smoothed loss,
and prints the rate where the loss fell fastest. Takes train's model, loss, optimizer, batch and data
options (--schedule and --lr are not used). Nothing is saved.
  --json   print {"points": [{"step", "lr", "loss", "smoothed"}], "stopped", "minLossLr",
           "steepestLr", "suggestedLr", "sentence"} (losses as plain values, as train's --json)`;

export const lrFindOptions = {
  ...trainOptions,
  'start-lr': { type: 'string' },
  'end-lr': { type: 'string' },
} as const;

export async function lrFindCommand(ctx: CommandContext, files: string[], v: Record<string, unknown>): Promise<number> {
  const range: LrRangeOptions = {
    minLr: numberOption(v['start-lr'], 'start-lr') ?? LR_RANGE_DEFAULTS.minLr,
    maxLr: numberOption(v['end-lr'], 'end-lr') ?? LR_RANGE_DEFAULTS.maxLr,
    steps: numberOption(v.steps, 'steps') ?? LR_RANGE_DEFAULTS.steps,
  };
  try {
    checkLrRange(range);
  } catch (e) {
    throw new CliError('BAD_ARGUMENTS', (e as Error).message);
  }
  const config = configFromOptions({ ...v, steps: undefined });
  const { clips, refused } = await loadClips(files.length ? files : [BUNDLED_CLIP]);
  for (const r of refused) ctx.err(`${r.file}: refused (${r.error.code}): ${r.error.message}`);
  if (clips.length === 0) throw new CliError('NO_USABLE_AUDIO', 'no audio to test on: every file was refused');
  const result = lrRangeTest(clips, config, range, (p) => {
    if (!v.json) ctx.err(`step ${p.step}/${range.steps}: lr ${p.lr.toExponential(2)}, loss ${lossInDb(config.loss, p.loss).toFixed(2)} dB (smoothed ${lossInDb(config.loss, p.smoothed).toFixed(2)} dB)`);
  });
  if (v.json) {
    ctx.out(JSON.stringify(result));
    return 0;
  }
  if (result.stopped !== 'completed') ctx.out(`stopped early: ${result.stopped === 'diverged' ? 'a loss or gradient was not finite' : 'the smoothed loss passed 4 times its lowest value'}`);
  ctx.out(result.sentence);
  if (result.suggestedLr !== null) ctx.out(`suggested --lr ${result.suggestedLr.toPrecision(2)}`);
  return 0;
}
