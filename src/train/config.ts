// A training run's settings: everything that, with the audio, decides the result.
import { getPreset, GL_ITERS, hasDefaultShape, presetShape, SETUP_B_HOPS, setupBPreset, shapedPreset, shapeProblem, type ModelShape, type Preset, type PresetName, type SpectrogramSpace } from '../nn/presets.js';
import { getLoss, type LossName } from '../losses/index.js';
import { isLossName, lossCell } from '../common/loss-scale.js';
import { parseOptimizer, type OptimizerConfig } from '../optim/optimizer.js';
import { SCHEDULES, type ScheduleConfig, type ScheduleName } from '../optim/schedule.js';
import { describeValue } from '../util/describe-value.js';
import { STFT_HOP } from '../losses/spaces.js';
import { MAX_DROPOUT } from '../kernels/dropout.js';
import { KERNEL_MEMORY_BUDGET, largestShare, trainingCoreBytes } from './kernel-memory.js';
import { DEFAULT_THREADS, MAX_THREADS } from './thread-count.js';
import { SHAPE_SETTINGS } from '../common/shape-settings.js';
import { splitSegments, type Clip, type DataSplit } from '../data/dataset.js';

export interface TrainConfig {
  preset: PresetName;
  /**
   * The network's shape beside its preset (src/nn/presets.ts ModelShape): bits per code (1 to 8),
   * latent channels (1 to 32), the hop (one of HOPS) and a width multiplier of the channel counts.
   * Optional in what a caller gives; resolveConfig fills each absent one with the preset's own (4, 8,
   * 64, 1), so a run's config.json records all four.
   */
  bits?: number;
  latentChannels?: number;
  hop?: number;
  width?: number;
  /**
   * A: the decoder outputs audio and the loss compares audio in its space (the reference models).
   * B: the decoder predicts the loss's spectrogram in dB, the loss compares it there, and audio comes
   * back by Griffin-Lim (src/nn/presets.ts setupBPreset). Only the dB spectrogram losses fit B.
   */
  setup: Setup;
  /** Setup B: Griffin-Lim iterations whenever the model's audio is made (validation, scores, files). */
  glIters: number;
  loss: LossName;
  optimizer: OptimizerConfig;
  lr: number;
  schedule: ScheduleConfig;
  steps: number;
  batch: number;
  /** Samples per training example (a multiple of the model's hop). */
  segment: number;
  seed: number;
  /** Validate every this many steps. */
  valEvery: number;
  /** Stop after this many validations without improvement (0: never stop early). */
  patience: number;
  augment: Augment;
  /**
   * Start from another run's best weights instead of fresh ones (seeded): that run's id (its folder's
   * name). Its network must have the same parameter shapes; the loss, optimizer and the rest may
   * differ (continue a wave-l1 run with mel-db-l1 and hear what changes). The seed still draws the
   * split and the batches.
   */
  initFrom?: string;
  /** Inverted dropout after every ELU while training, with this probability (0: none). */
  dropout: number;
  /** L1 penalty weight: lambda * sum |theta| added to the objective (its gradient lambda * sign(theta)); 0: none. */
  l1: number;
  /**
   * Train on this share of the training segments (the first of them in the seeded shuffle), to see
   * overfitting on purpose; validation and test stay whole, so runs with different shares compare.
   */
  dataFraction: number;
  /** Relative sizes of the train, validation and test splits (8:1:1). */
  split: [number, number, number];
  /** Log the training loss every this many steps. */
  logEvery: number;
  /**
   * Threads computing each batch's gradient, each on its share of the batch (src/train/grad-team.ts):
   * 1 to MAX_THREADS, at most one per example. Absent: the machine's physical cores, capped at 8
   * and at the batch. The objective is the same for any count; the float rounding is not, so a run
   * repeats exactly for a given count.
   */
  threads: number;
}

export type Setup = 'A' | 'B';

/**
 * Training-time changes to each example (never to validation or test audio). The codec is an
 * autoencoder: its target is its own input, so whatever is added to an example is also what it is
 * asked to reproduce. Noise teaches it to code noise; a tilt widens the timbres it expects.
 */
export interface Augment {
  /** Random gain, uniform in [-gainDb, 0] dB (0: off). */
  gainDb: number;
  /** Flip the polarity of half the examples. */
  polarity: boolean;
  /** Add white noise at this signal-to-noise ratio in dB, relative to the example's own power (absent: off). */
  noiseSnrDb?: number;
  /** A random first-order high shelf above 1 kHz, its gain uniform in [-tiltDb, +tiltDb] dB (0: off). */
  tiltDb: number;
}

/** The losses a Setup B model can predict the space of: the dB spectrograms, with L1 or L2. */
export const SETUP_B_LOSSES = ['stft-db-l1', 'stft-db-l2', 'mel-db-l1', 'mel-db-l2'] as const satisfies readonly LossName[];

/** The spectrogram a Setup B model trained with `loss` predicts, or null if the loss has none. */
export function setupBSpace(loss: LossName): SpectrogramSpace | null {
  const space = lossCell(loss)?.space;
  return space === 'stft-db' || space === 'mel-db' ? space : null;
}

/**
 * What a run folder's name says about its settings: `small-mel-db-l1`, `small-B-mel-db-l1` for Setup
 * B, and the shape where it is not the preset's own: `tiny-b2-h128-mel-db-l1` (bits, latent
 * channels `l`, hop `h`, width `w`), so a sweep's folders tell themselves apart.
 */
export function runLabel(c: Pick<TrainConfig, 'preset' | 'setup' | 'loss' | keyof ModelShape>): string {
  const own = presetShape(getPreset(c.preset));
  const shape = configShape(c);
  const marks = [
    shape.bits !== own.bits ? `b${shape.bits}` : '',
    shape.latentChannels !== own.latentChannels ? `l${shape.latentChannels}` : '',
    shape.hop !== own.hop ? `h${shape.hop}` : '',
    shape.width !== own.width ? `w${shape.width}` : '',
  ].filter(Boolean);
  return [c.preset, ...(c.setup === 'B' ? ['B'] : []), ...marks, c.loss].join('-');
}

/** The shape settings of a config, each absent one the preset's own. */
export function configShape(c: Pick<TrainConfig, 'preset' | keyof ModelShape>): ModelShape {
  const own = presetShape(getPreset(c.preset));
  return { bits: c.bits ?? own.bits, latentChannels: c.latentChannels ?? own.latentChannels, hop: c.hop ?? own.hop, width: c.width ?? own.width };
}

/** The network a run trains: its preset with the config's shape, or that network's Setup B variant. */
export function modelPreset(c: Pick<TrainConfig, 'preset' | 'setup' | 'loss' | 'glIters' | keyof ModelShape>): Preset {
  const preset = shapedPreset(c.preset, configShape(c));
  if (c.setup === 'A') return preset;
  const space = setupBSpace(c.loss);
  if (!space) throw new ConfigError(setupBLossMessage(c.loss));
  return setupBPreset(preset, space, c.glIters);
}

const setupBLossMessage = (loss: unknown) =>
  `Setup B predicts a spectrogram in dB, so its loss must be one of ${SETUP_B_LOSSES.join(', ')}, not ${describeValue(loss)}`;

export const DEFAULT_CONFIG: TrainConfig = {
  preset: 'small',
  setup: 'A',
  glIters: GL_ITERS.default,
  loss: 'mel-db-l1',
  optimizer: { name: 'adam' },
  lr: 1e-3,
  schedule: { name: 'constant' },
  steps: 1000,
  batch: 8,
  segment: 8192,
  seed: 0,
  valEvery: 50,
  patience: 0,
  augment: { gainDb: 0, polarity: false, tiltDb: 0 },
  dropout: 0,
  l1: 0,
  dataFraction: 1,
  split: [8, 1, 1],
  logEvery: 10,
  threads: DEFAULT_THREADS,
};

/**
 * The split a run's settings make of its clips: the one place that reads them for it, so a training
 * session and a PyTorch export of the same settings split alike.
 */
export function splitForRun(clips: readonly Clip[], c: Pick<TrainConfig, 'segment' | 'seed' | 'split' | 'dataFraction'>): DataSplit {
  return splitSegments(clips, { segment: c.segment, seed: c.seed, ratios: c.split, trainFraction: c.dataFraction });
}

/** Every setting of a run as config.json records it: DEFAULT_CONFIG's keys and the network's shape (initFrom aside). */
export const RUN_SETTINGS: readonly string[] = [...Object.keys(DEFAULT_CONFIG), ...SHAPE_SETTINGS];

export class ConfigError extends Error {
  readonly code = 'BAD_CONFIG';
}

/** Ten million steps: days of training at the speeds this engine reaches; more is a typo. */
const MAX_STEPS = 10_000_000;
/**
 * Smallest segment, in hops: the codec's receptive field plus one hop, so every segment has a valid
 * output frame. At hop 64 the field is about 1024 samples (16 hops); it grows in proportion to the
 * hop, as the last down stage's stride sets its step.
 */
const MIN_SEGMENT_HOPS = 17;

/** The default segment length rounded to the nearest multiple of `hop` (8192 itself for hops 32 to 256). */
export function defaultSegment(hop: number): number {
  return Math.max(MIN_SEGMENT_HOPS, Math.round(DEFAULT_CONFIG.segment / hop)) * hop;
}

/** An allowed interval; `open` ends exclude the bound itself. */
interface Range {
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
  whole?: boolean;
}

const interval = (r: Range) => `${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'}`;

/** `v` must be a finite number (a number, not a string that looks like one) within `r`. */
function inRange(name: string, v: unknown, r: Range, hint = ''): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${name} must be a number, not ${describeValue(v)}`);
  if (r.whole && !Number.isInteger(v)) throw new ConfigError(`${name} must be a whole number, not ${v}`);
  const low = r.minOpen ? v <= r.min : v < r.min;
  const high = r.maxOpen ? v >= r.max : v > r.max;
  if (low || high) throw new ConfigError(`${name} must be in ${interval(r)}${hint}, not ${v}`);
  return v;
}

const whole = (min: number, max: number): Range => ({ min, max, whole: true });
/** [0, 1): the coefficient of a running average; 1 or more would never forget (or grow without bound). */
const DECAY: Range = { min: 0, max: 1, maxOpen: true };

function optionalInRange(name: string, v: unknown, r: Range, hint = ''): void {
  if (v !== undefined) inRange(name, v, r, hint);
}

function optionalBoolean(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') throw new ConfigError(`${name} must be true or false, not ${describeValue(v)}`);
}

/** A name from one of the engine's own lists (never a property lookup, so `constructor` is no name). */
function knownName(what: string, v: unknown, check: (name: string) => unknown): void {
  if (typeof v !== 'string') throw new ConfigError(`${what} must be a name, not ${describeValue(v)}`);
  try {
    check(v);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

function section<T extends object>(name: string, v: unknown): Partial<T> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${name} must be an object, not ${describeValue(v)}`);
  return v as Partial<T>;
}

/** Fill defaults and check every field (type, then range), with a message naming the bad one. */
export function resolveConfig(partial: Partial<TrainConfig>): TrainConfig {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) throw new ConfigError(`the settings must be an object, not ${describeValue(partial)}`);
  const c: TrainConfig = {
    ...DEFAULT_CONFIG,
    ...partial,
    optimizer: { ...DEFAULT_CONFIG.optimizer, ...section<OptimizerConfig>('optimizer', partial.optimizer) },
    schedule: { ...DEFAULT_CONFIG.schedule, ...section<ScheduleConfig>('schedule', partial.schedule) },
    augment: { ...DEFAULT_CONFIG.augment, ...section<TrainConfig['augment']>('augment', partial.augment) },
    split: partial.split ?? DEFAULT_CONFIG.split,
  };
  knownName('preset', c.preset, getPreset);
  // The shape: each setting not given is the preset's own; then the whole shape is checked.
  Object.assign(c, configShape(c));
  const problem = shapeProblem(configShape(c));
  if (problem) throw new ConfigError(problem);
  const hop = c.hop as number;
  // A segment nobody chose follows the hop: 8192 is no multiple of 160 or 320.
  if (partial.segment === undefined) c.segment = defaultSegment(hop);
  if (c.setup !== 'A' && c.setup !== 'B') throw new ConfigError(`setup must be A or B, not ${describeValue(c.setup)}`);
  if (c.setup === 'B') {
    // Checked against the list itself: the refusal names the losses Setup B allows.
    if (!isLossName(c.loss) || !setupBSpace(c.loss)) throw new ConfigError(setupBLossMessage(c.loss));
    if (!SETUP_B_HOPS.includes(hop)) throw new ConfigError(`Setup B predicts one ${STFT_HOP}-sample spectrogram frame from an even number of latent frames, so its hop must be one of ${SETUP_B_HOPS.join(', ')}, not ${hop}`);
  } else knownName('loss', c.loss, getLoss);
  inRange('gl-iters', c.glIters, whole(GL_ITERS.min, GL_ITERS.max));
  knownName('optimizer', c.optimizer.name, parseOptimizer);
  knownName('schedule', c.schedule.name, (n) => {
    if (!(SCHEDULES as string[]).includes(n)) throw new Error(`unknown schedule '${n}'; choose one of ${SCHEDULES.join(', ')}`);
  });

  // Above 10 every preset diverges within a step or two; the divergence guard is for accidents, not for this.
  if (typeof c.lr !== 'number' || !(c.lr > 0 && c.lr < 10)) throw new ConfigError(`learning rate must be a number between 0 and 10, not ${describeValue(c.lr)}`);
  inRange('steps', c.steps, whole(1, MAX_STEPS));
  // Loose caps, so the memory estimate below works on sane numbers; that estimate is the real limit.
  inRange('batch', c.batch, whole(1, 4096));
  inRange('segment', c.segment, whole(MIN_SEGMENT_HOPS * hop, 2 ** 22), hop === 64 ? '' : ` at hop ${hop}`);
  if (c.segment % hop !== 0) throw new ConfigError(`segment must be a multiple of ${hop} samples (the codec's hop), not ${c.segment}`);
  if (c.setup === 'B' && c.segment % STFT_HOP !== 0) throw new ConfigError(`in Setup B the segment must be a multiple of ${STFT_HOP} samples (one predicted spectrogram frame each), not ${c.segment}`);
  // The generator takes 32 bits of seed; a larger one would silently alias a smaller one.
  inRange('seed', c.seed, whole(0, 2 ** 32 - 1));
  inRange('val-every', c.valEvery, whole(1, MAX_STEPS));
  inRange('patience', c.patience, whole(0, MAX_STEPS));
  inRange('log-every', c.logEvery, whole(1, MAX_STEPS));
  // The default follows the machine; a batch smaller than its cores leaves the rest idle.
  if (partial.threads === undefined) c.threads = Math.min(DEFAULT_THREADS, c.batch);
  inRange('threads', c.threads, whole(1, MAX_THREADS), ': the threads that share each batch');
  if (c.threads > c.batch) throw new ConfigError(`${c.threads} threads cannot share a batch of ${c.batch}: each thread takes at least one example`);

  const o = c.optimizer;
  optionalInRange('momentum', o.momentum, DECAY, ': 1 or more makes every step larger than the last');
  optionalBoolean('nesterov', o.nesterov);
  optionalInRange('weight decay', o.weightDecay, { min: 0, max: 1 });
  optionalInRange('beta1', o.beta1, DECAY);
  optionalInRange('beta2', o.beta2, DECAY);
  // eps only keeps a division away from zero; a large one replaces the adaptive step by plain SGD.
  optionalInRange('eps', o.eps, { min: 0, max: 1, minOpen: true });
  optionalInRange('alpha', o.alpha, DECAY);
  optionalInRange('clip-norm', o.clipNorm, { min: 0, max: 1e6 }, ' (0: off)');
  optionalInRange('clip-value', o.clipValue, { min: 0, max: 1e6 }, ' (0: off)');

  const s = c.schedule;
  optionalInRange('warmup', s.warmupSteps, whole(0, MAX_STEPS));
  optionalInRange('step size', s.stepSize, whole(1, MAX_STEPS));
  optionalInRange('gamma', s.gamma, { min: 0, max: 1, minOpen: true }, s.name === 'inverse-time' ? ': the rate k of lr / (1 + k t), per step' : ': the factor the learning rate is multiplied by');
  optionalInRange('min-lr', s.minLr, { min: 0, max: c.lr }, ': the cosine schedule ends there, below the learning rate');

  if (c.initFrom !== undefined && (typeof c.initFrom !== 'string' || c.initFrom.length === 0 || c.initFrom.length > 255)) throw new ConfigError(`init-from must name a run, not ${describeValue(c.initFrom)}`);
  inRange('dropout', c.dropout, { min: 0, max: MAX_DROPOUT }, ': the probability of dropping each hidden activation');
  inRange('l1', c.l1, { min: 0, max: 1 }, ': the weight of the penalty on sum |theta|');
  inRange('data fraction', c.dataFraction, { min: 0, max: 1, minOpen: true }, ': the share of the training segments to train on');
  if (!Array.isArray(c.split) || c.split.length !== 3) throw new ConfigError(`split must be three sizes, train:validation:test (e.g. 8:1:1), not ${describeValue(c.split)}`);
  c.split.forEach((v, i) => inRange(`split's ${['train', 'validation', 'test'][i]} size`, v, whole(1, 1000), ': each split needs a share, at least 1'));
  inRange('augmentation gain', c.augment.gainDb, { min: 0, max: 40 }, ' dB');
  optionalBoolean('augment polarity', c.augment.polarity);
  optionalInRange('augmentation noise SNR', c.augment.noiseSnrDb, { min: -10, max: 80 }, ' dB');
  inRange('augmentation tilt', c.augment.tiltDb, { min: 0, max: 24 }, ' dB');

  const share = Math.ceil(c.batch / c.threads);
  const model = modelPreset(c);
  const bytes = trainingCoreBytes(c.preset, share, c.segment, model);
  if (bytes > KERNEL_MEMORY_BUDGET) {
    const fits = largestShare(c.preset, c.segment, model) * c.threads;
    const mib = (b: number) => `${Math.ceil(b / 2 ** 20)} MiB`;
    throw new ConfigError(
      `batch ${c.batch} of ${c.segment}-sample segments needs about ${mib(bytes)} of kernel memory per thread ` +
        `(${c.preset} preset${hasDefaultShape(model) ? '' : ' of this shape'}), more than a kernel core's budget of ${mib(KERNEL_MEMORY_BUDGET)}; ` +
        (fits > 0 ? `at this segment length the batch can be at most ${fits}` : 'use a shorter segment'),
    );
  }
  return c;
}
