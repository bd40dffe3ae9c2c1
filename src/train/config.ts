// A training run's settings: everything that, with the audio, decides the result.
import { getPreset, type PresetName } from '../nn/presets.js';
import { getLoss, type LossName } from '../losses/index.js';
import { parseOptimizer, type OptimizerConfig } from '../optim/optimizer.js';
import { SCHEDULES, type ScheduleConfig, type ScheduleName } from '../optim/schedule.js';

export interface TrainConfig {
  preset: PresetName;
  loss: LossName;
  optimizer: OptimizerConfig;
  lr: number;
  schedule: ScheduleConfig;
  steps: number;
  batch: number;
  /** Samples per training example (a multiple of the 64-sample hop). */
  segment: number;
  seed: number;
  /** Validate every this many steps. */
  valEvery: number;
  /** Stop after this many validations without improvement (0: never stop early). */
  patience: number;
  augment: { gainDb: number; polarity: boolean };
  /** Log the training loss every this many steps. */
  logEvery: number;
  /** Threads computing each batch's gradient: 1, or 2 (each takes half the batch). */
  threads: number;
}

export const DEFAULT_CONFIG: TrainConfig = {
  preset: 'small',
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
  augment: { gainDb: 0, polarity: false },
  logEvery: 10,
  threads: 1,
};

export class ConfigError extends Error {
  readonly code = 'BAD_CONFIG';
}

function positiveInt(name: string, v: number, min = 1): void {
  if (!(Number.isInteger(v) && v >= min)) throw new ConfigError(`${name} must be a whole number of at least ${min}, not ${v}`);
}

/** Fill defaults and check every field, with a message naming the bad one. */
export function resolveConfig(partial: Partial<TrainConfig>): TrainConfig {
  const c: TrainConfig = {
    ...DEFAULT_CONFIG,
    ...partial,
    optimizer: { ...DEFAULT_CONFIG.optimizer, ...partial.optimizer },
    schedule: { ...DEFAULT_CONFIG.schedule, ...partial.schedule },
    augment: { ...DEFAULT_CONFIG.augment, ...partial.augment },
  };
  try {
    getPreset(c.preset);
    getLoss(c.loss);
    parseOptimizer(c.optimizer.name);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (!SCHEDULES.includes(c.schedule.name as ScheduleName)) throw new ConfigError(`unknown schedule '${c.schedule.name}'; choose one of ${SCHEDULES.join(', ')}`);
  if (!(c.lr > 0 && c.lr < 10)) throw new ConfigError(`learning rate must be between 0 and 10, not ${c.lr}`);
  positiveInt('steps', c.steps);
  positiveInt('batch', c.batch);
  positiveInt('segment', c.segment, 1024 + 64);
  if (c.segment % 64 !== 0) throw new ConfigError(`segment must be a multiple of 64 samples (the codec's hop), not ${c.segment}`);
  positiveInt('seed', c.seed, 0);
  positiveInt('val-every', c.valEvery);
  positiveInt('patience', c.patience, 0);
  positiveInt('log-every', c.logEvery);
  if (c.threads !== 1 && c.threads !== 2) throw new ConfigError(`threads must be 1 or 2, not ${c.threads}`);
  if (c.batch % c.threads !== 0) throw new ConfigError(`batch ${c.batch} must divide evenly between ${c.threads} threads`);
  positiveInt('warmup', c.schedule.warmupSteps ?? 0, 0);
  if (c.optimizer.clipNorm !== undefined && !(c.optimizer.clipNorm >= 0)) throw new ConfigError('clip-norm must be 0 or more');
  if (c.optimizer.weightDecay !== undefined && !(c.optimizer.weightDecay >= 0)) throw new ConfigError('weight decay must be 0 or more');
  if (!(c.augment.gainDb >= 0 && c.augment.gainDb <= 40)) throw new ConfigError('augmentation gain must be 0 to 40 dB');
  return c;
}
