// codec-lab train: train a codec on WAV files (or the bundled clip) and write a run folder.
import path from 'node:path';
import { BUNDLED_CLIP } from '../assets.js';
import { loadClips } from '../data/load.js';
import { LOSSES } from '../losses/index.js';
import { LOSS_SPACES } from '../common/loss-scale.js';
import { OPTIMIZERS, type OptimizerName } from '../optim/optimizer.js';
import { SCHEDULES, type ScheduleName } from '../optim/schedule.js';
import { DEFAULT_CONFIG, modelPreset, resolveConfig, SETUP_B_LOSSES, type Setup, type TrainConfig } from '../train/config.js';
import { GL_ITERS, presetInfo } from '../nn/presets.js';
import { startTraining, type TrainerEvent } from '../train/trainer.js';
import { MAX_THREADS } from '../train/thread-count.js';
import type { PresetName } from '../nn/presets.js';
import type { LossName } from '../losses/index.js';
import type { CommandContext } from './context.js';
import { bar, fmtDb, formatDuration, lossUnitNote, ProgressLine, speedLine } from './progress.js';
import { CliError } from './errors.js';
import { loadInitWeights } from '../train/init-weights.js';
import { epochsAt } from '../common/epochs.js';
import { bitrateText, numberOption, shapeFromOptions, shapeHelp, shapeOptions } from './shape-options.js';


const d = DEFAULT_CONFIG;

/** One loss of `--help`: its name and formula, the formula wrapped under itself within 100 columns. */
function lossHelpLine(name: string, formula: string): string {
  const indent = ' '.repeat(35);
  const lines: string[] = [];
  let line = `${' '.repeat(23)}${name.padEnd(11)}`;
  for (const word of formula.split(' ')) {
    if (line.length + 1 + word.length > 100 && line.length > indent.length) {
      lines.push(line);
      line = indent.slice(1);
    }
    line += ` ${word}`;
  }
  return [...lines, line].join('\n');
}
export const trainHelp = `Usage: codec-lab train [FILE...] [options]

Trains a codec on the WAV files (with none, on the bundled clip) and writes a run folder with
config.json, split.json (every segment of the train, validation and test splits), log.jsonl,
metrics.json, best.weights, last.weights, and the validation and test audio with its reconstructions.
If training diverges, the weights roll back to the last that gave a finite loss and gradient and the
run is kept as diverged. Progress goes to stderr. Ctrl-C stops after the current step and keeps
the run (Ctrl-C twice aborts at once).

Model and loss:
  --preset P         tiny | small (default ${d.preset})
${shapeHelp}
  --setup S          A: the decoder outputs audio (default ${d.setup}); B: it predicts the loss's
                     spectrogram in dB and audio comes back by Griffin-Lim (same encoder and bit
                     rate; loss ${SETUP_B_LOSSES.join(', ')})
  --gl-iters N       Setup B: Griffin-Lim iterations when audio is made, ${GL_ITERS.min} to ${GL_ITERS.max} (default ${d.glIters})
  --loss L           where the loss compares and how (default ${d.loss}): SPACE-l1 or SPACE-l2,
                     SPACE one of ${LOSS_SPACES.join(', ')}; or mrstft
${LOSSES.map((l) => lossHelpLine(l.name, l.formula)).join('\n')}
Optimisation:
  --optimizer O      ${OPTIMIZERS.join(' | ')} (default ${d.optimizer.name})
  --lr X             learning rate (default ${d.lr})
  --schedule S       ${SCHEDULES.join(' | ')} (default ${d.schedule.name})
  --warmup N         steps of linear learning-rate warm-up (default 0)
  --gamma X          step: factor per --step-size steps (default 0.1); exponential: factor per
                     step, lr * X^t; inverse-time: k of lr / (1 + k t) (default: a tenth of lr
                     after the last step)
  --step-size N      step: steps between decays (default a third of the steps)
  --min-lr X         cosine: the rate it ends at (default 0)
  --momentum X       momentum (momentum: default 0.9; rmsprop: default 0)
  --nesterov         Nesterov momentum
  --weight-decay X   L2 weight decay (AdamW: decoupled, default 0.01; others 0)
  --clip-norm X      clip the global gradient norm to X (default off)
  --clip-value X     clamp each gradient to [-X, X] (default off)
  --steps N          training steps (default ${d.steps})
  --batch B          segments per batch (default ${d.batch})
  --segment S        samples per segment, a multiple of the hop (default ${d.segment}, or the
                     multiple of the hop nearest it)
  --seed K           seed for the split, the batches and the initial weights (default ${d.seed})
  --threads N        threads sharing each batch, each on its own core: 1 to ${MAX_THREADS}, at most the batch
                     (default: this machine's physical cores, capped at 8 and at the batch: ${d.threads})
  --augment-gain DB  random gain of up to -DB dB per example (default off)
  --augment-polarity flip the polarity of half the examples at random
  --augment-noise-snr DB  add white noise at DB dB SNR to each example (default off)
  --augment-tilt DB  a random high shelf above 1 kHz of up to +-DB dB per example (default off)
                     (the codec reproduces its input: what is added is also what it must code)
Regularisation and data:
  --init-from DIR    start from the best weights of the run in DIR (a run of the same preset, setup
                     and shape; the loss, optimizer and the rest may differ) instead of fresh ones
  --dropout P        inverted dropout after every ELU while training, probability P (default 0)
  --l1 X             L1 penalty X * sum |weights| (default 0; --weight-decay is the L2 one)
  --data-fraction F  train on this share of the training segments, 0 < F <= 1 (default 1);
                     validation and test stay whole
  --split A:B:C      relative sizes of train, validation and test (default 8:1:1)
Validation:
  --val-every N      validate every N steps (default ${d.valEvery})
  --patience N       stop after N validations without improvement (default 0: never)
Output:
  --out DIR          folder in which the run folder is made (default ./runs)
  --json             print one JSON object with the result on stdout`;

export const trainOptions = {
  preset: { type: 'string' }, ...shapeOptions, setup: { type: 'string' }, 'gl-iters': { type: 'string' }, loss: { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' },
  schedule: { type: 'string' }, warmup: { type: 'string' }, gamma: { type: 'string' }, 'step-size': { type: 'string' }, 'min-lr': { type: 'string' }, momentum: { type: 'string' }, nesterov: { type: 'boolean' },
  'weight-decay': { type: 'string' }, 'clip-norm': { type: 'string' }, 'clip-value': { type: 'string' },
  steps: { type: 'string' }, batch: { type: 'string' }, segment: { type: 'string' }, seed: { type: 'string' },
  'augment-gain': { type: 'string' }, 'augment-polarity': { type: 'boolean' }, 'augment-noise-snr': { type: 'string' }, 'augment-tilt': { type: 'string' },
  dropout: { type: 'string' }, l1: { type: 'string' }, 'init-from': { type: 'string' }, 'data-fraction': { type: 'string' }, split: { type: 'string' },
  'val-every': { type: 'string' }, patience: { type: 'string' }, threads: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
} as const;

const num = numberOption;

export function configFromOptions(v: Record<string, unknown>): TrainConfig {
  const partial: Partial<TrainConfig> = {};
  if (v.preset !== undefined) partial.preset = v.preset as PresetName;
  Object.assign(partial, shapeFromOptions(v));
  if (v.loss !== undefined) partial.loss = v.loss as LossName;
  if (v.setup !== undefined) partial.setup = v.setup as Setup;
  const glIters = num(v['gl-iters'], 'gl-iters');
  if (glIters !== undefined) partial.glIters = glIters;
  const lr = num(v.lr, 'lr');
  if (lr !== undefined) partial.lr = lr;
  for (const [key, opt] of [['steps', 'steps'], ['batch', 'batch'], ['segment', 'segment'], ['seed', 'seed'], ['valEvery', 'val-every'], ['patience', 'patience'], ['threads', 'threads']] as const) {
    const n = num(v[opt], opt);
    if (n !== undefined) partial[key] = n;
  }
  partial.optimizer = {
    name: (v.optimizer as OptimizerName | undefined) ?? d.optimizer.name,
    momentum: num(v.momentum, 'momentum'),
    nesterov: v.nesterov === true,
    weightDecay: num(v['weight-decay'], 'weight-decay'),
    clipNorm: num(v['clip-norm'], 'clip-norm'),
    clipValue: num(v['clip-value'], 'clip-value'),
  };
  partial.schedule = {
    name: (v.schedule as ScheduleName | undefined) ?? d.schedule.name,
    warmupSteps: num(v.warmup, 'warmup') ?? 0,
    gamma: num(v.gamma, 'gamma'),
    stepSize: num(v['step-size'], 'step-size'),
    minLr: num(v['min-lr'], 'min-lr'),
  };
  partial.augment = {
    gainDb: num(v['augment-gain'], 'augment-gain') ?? 0,
    polarity: v['augment-polarity'] === true,
    noiseSnrDb: num(v['augment-noise-snr'], 'augment-noise-snr'),
    tiltDb: num(v['augment-tilt'], 'augment-tilt') ?? 0,
  };
  for (const [key, opt] of [['dropout', 'dropout'], ['l1', 'l1'], ['dataFraction', 'data-fraction']] as const) {
    const n = num(v[opt], opt);
    if (n !== undefined) partial[key] = n;
  }
  // The run continued from, by its folder's name (as the app names runs).
  if (typeof v['init-from'] === 'string') partial.initFrom = path.basename(path.resolve(v['init-from']));
  if (v.split !== undefined) {
    const parts = String(v.split).split(':');
    if (parts.length !== 3) throw new CliError('BAD_ARGUMENTS', `--split needs three sizes as train:validation:test (e.g. 8:1:1), not '${String(v.split)}'`);
    partial.split = parts.map((p) => num(p, 'split')!) as [number, number, number];
  }
  return resolveConfig(partial);
}

export async function trainCommand(ctx: CommandContext, files: string[], v: Record<string, unknown>): Promise<number> {
  const config = configFromOptions(v);
  const json = v.json === true;
  const sources = files.length ? files : [BUNDLED_CLIP];
  const { clips, refused } = await loadClips(sources);
  for (const r of refused) ctx.err(`${r.file}: refused (${r.error.code}): ${r.error.message}`);
  if (clips.length === 0) throw new CliError('NO_USABLE_AUDIO', 'no audio to train on: every file was refused');
  const outDir = path.resolve(typeof v.out === 'string' ? v.out : 'runs');
  const init = typeof v['init-from'] === 'string' ? loadInitWeights(path.resolve(v['init-from']), config) : null;
  const handle = startTraining({ clips, config, outDir, clipNames: clips.map((c) => c.file), initParams: init?.params, initStep: init?.step ?? undefined });
  const progress = new ProgressLine(process.stderr);
  let lastVal: number | null = null;
  let best: number | null = null;
  let trainSegments = 0;

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      progress.message('stopping after this step; the run is kept (Ctrl-C again to abort at once)');
      handle.stop();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);

  handle.onEvent((e: TrainerEvent) => {
    switch (e.type) {
      case 'started':
        trainSegments = e.segments.train;
        progress.message(`run folder: ${e.runDir}`);
        progress.message(`${config.preset}${config.setup === 'B' ? ` Setup B (Griffin-Lim, ${config.glIters} iterations)` : ''} (${e.params} parameters; ${config.latentChannels} codes of ${config.bits} bits per ${config.hop}-sample frame${config.width === 1 ? '' : `, width ${config.width}`}: ${bitrateText(presetInfo(modelPreset(config)))}), loss ${config.loss}, ${config.optimizer.name} lr ${config.lr}; segments: ${e.segments.train} train, ${e.segments.val} validation, ${e.segments.test} test`);
        for (const s of e.skipped) progress.message(`skipped ${s.name}: ${s.reason}`);
        break;
      case 'progress':
        progress.update(
          `step ${e.step}/${e.steps} ${bar(e.step / e.steps)} epoch ${epochsAt(e.step, config.batch, trainSegments).toFixed(1)} | train ${fmtDb(config.loss, e.trainLoss)} | val ${fmtDb(config.loss, lastVal)} (best ${fmtDb(config.loss, best)}) | ${e.stepsPerSec.toFixed(2)} steps/s | ${formatDuration(e.etaSec)} left`,
          e.step === e.steps,
        );
        break;
      case 'validation':
        lastVal = e.valLoss;
        best = e.bestValLoss;
        break;
      case 'diverged':
        progress.message(`codec-lab train: ${e.message}`);
        break;
      case 'evaluating':
        progress.end();
        progress.message('evaluating the best weights on the test split ...');
        break;
      default:
        break;
    }
  });

  try {
    const result = await handle.done;
    progress.end();
    if (json) {
      ctx.out(JSON.stringify(result, null, 2));
    } else {
      const m = result.metrics;
      ctx.out(
        [
          `run: ${result.runDir}`,
          `status: ${result.status}${result.message ? ` (${result.message})` : ''}`,
          `steps: ${result.steps}; final training loss ${fmtDb(config.loss, result.finalTrainLoss)}; best validation loss ${fmtDb(config.loss, result.bestValLoss)} at step ${result.bestStep} (${lossUnitNote(config.loss)})`,
          ...(m
            ? [
                `test: SNR ${m.snrDb.toFixed(2)} dB, SI-SDR ${m.siSdrDb.toFixed(2)} dB, LSD ${m.lsd.toFixed(2)} bel, MCD ${m.mcdDb.toFixed(2)} dB, ${bitrateText(m)}, ${speedLine(m.speed)}`,
                ...(m.lossesDb ? [`test loss in every space (dB; a dB loss as its level error, the others as 10·log₁₀): ${Object.entries(m.lossesDb).map(([k, val]) => `${k} ${val.toFixed(2)}`).join(', ')}`] : []),
              ]
            : [`test: no scores (${result.metricsUnavailable ?? 'not evaluated'})`]),
          ...(result.warnings ?? []).map((w) => `warning: ${w}`),
        ].join('\n'),
      );
    }
    if (result.status === 'diverged') return 1;
    if (result.status === 'stopped' && interrupts > 0) return 130;
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
