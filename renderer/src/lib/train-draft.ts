// The Train panel's settings as the student edits them, and what is sent to the engine. Any number
// may be left empty, meaning "the engine's default": the draft holds undefined there and the request
// leaves the key out (never 0, which is a value). The request carries only the settings the chosen
// optimizer and schedule read, so a run's config.json never records momentum for an Adam run because
// the field was once filled while momentum was chosen.
import { OPTIMIZER_CARDS } from '../../../src/common/optimizer-cards.js';
import { SHAPE_SETTINGS } from '../../../src/common/shape-settings.js';
import type { TrainConfig, TrainOptions } from './types.js';

type Augment = TrainConfig['augment'];
type Optional<T> = { [K in keyof T]: T[K] extends number ? number | undefined : T[K] };

/** TrainConfig with every number optional (empty field: the default); the split's three sizes too. */
export type TrainDraft = Omit<Optional<TrainConfig>, 'augment' | 'split'> & {
  augment: Optional<Augment>;
  split: (number | undefined)[];
};

type ScheduleName = TrainConfig['schedule']['name'];
type ScheduleSetting = Exclude<keyof TrainConfig['schedule'], 'name' | 'warmupSteps'>;

/** The settings each schedule reads besides the warm-up (src/common/lr-schedule.ts). */
export const SCHEDULE_SETTINGS: Record<ScheduleName, ScheduleSetting[]> = {
  constant: [],
  step: ['gamma', 'stepSize'],
  cosine: ['minLr'],
  'inverse-time': ['gamma'],
  exponential: ['gamma'],
};

/** The optimizer settings `name` reads (its card quotes their defaults), clipping aside. */
export function optimizerSettings(name: string): string[] {
  return Object.keys(OPTIMIZER_CARDS[name]?.defaults ?? {});
}

const isValue = (v: unknown) => v !== undefined && v !== null && !(typeof v === 'number' && !Number.isFinite(v));

/** `o` without the keys left empty. */
function filled<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => isValue(v))) as Partial<T>;
}

/** A copy of `o` keeping only `keys` that hold a value. */
function pick<T extends object>(o: T, keys: readonly string[]): Partial<T> {
  return filled(Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k))) as T);
}

/** What Start sends: the draft without its empty fields and without settings the chosen optimizer or schedule do not read. */
export function trainRequest(d: TrainDraft, defaults: TrainConfig): Partial<TrainConfig> {
  const { optimizer, schedule, augment, split, ...rest } = d;
  const request = filled(rest) as Partial<TrainConfig>;
  request.optimizer = pick(optimizer, ['name', ...optimizerSettings(optimizer.name), 'clipNorm', 'clipValue']) as TrainConfig['optimizer'];
  request.schedule = pick(schedule, ['name', 'warmupSteps', ...SCHEDULE_SETTINGS[schedule.name]]) as TrainConfig['schedule'];
  request.augment = filled(augment) as Augment;
  // A split with some sizes empty takes the default's size there.
  if (split.some(isValue)) request.split = defaults.split.map((v, i) => (isValue(split[i]) ? split[i]! : v)) as TrainConfig['split'];
  return request;
}


const isPrimitive = (v: unknown) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/**
 * `saved`'s settings of plain values (a number, a name, a switch) over `base`'s; anything else in
 * `saved` is dropped, and so are keys `base` lacks unless `open` (a section whose optional settings the
 * defaults leave out: the request keeps only those the chosen optimizer or schedule reads).
 */
function mergeSection<T extends object>(base: T, saved: unknown, open: boolean): T {
  const out = { ...base } as Record<string, unknown>;
  if (!saved || typeof saved !== 'object' || Array.isArray(saved)) return out as T;
  for (const [key, value] of Object.entries(saved)) {
    const def = out[key];
    if (!isPrimitive(value) || (def === undefined ? !open : typeof def !== typeof value) || (typeof value === 'number' && !Number.isFinite(value))) continue;
    out[key] = value;
  }
  return out as T;
}

/**
 * The Train settings of the last visit over the engine's defaults. A saved file from any earlier
 * version loads: keys with a value of the default's type are taken, the sections (optimizer,
 * schedule, augmentation) key by key, the network's shape, a null (an emptied field once saved) is dropped, and a preset,
 * loss, optimizer or schedule the engine no longer offers falls back to the default. The engine
 * validates the rest when a run starts, and says what is wrong.
 */
export function restoredDraft(options: TrainOptions, saved: unknown): TrainDraft {
  const defaults = structuredClone(options.defaults);
  const draft: TrainDraft = { ...defaults, split: [...defaults.split] };
  if (!saved || typeof saved !== 'object' || Array.isArray(saved)) return draft;
  const s = saved as Record<string, unknown>;
  Object.assign(draft, mergeSection(defaults as object, filled(s), false));
  draft.optimizer = mergeSection(defaults.optimizer, s.optimizer, true);
  draft.schedule = mergeSection(defaults.schedule, s.schedule, true);
  draft.augment = mergeSection(defaults.augment, s.augment, true);
  if (Array.isArray(s.split) && s.split.length === 3) draft.split = s.split.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined));
  // The network's shape: settings the defaults leave out (each absent one is the preset's own), so the
  // merge above drops them. Not the run to start from: a one-off choice, and that run may be gone.
  for (const key of SHAPE_SETTINGS) {
    const v = s[key];
    if (typeof v === 'number' && Number.isFinite(v)) draft[key] = v;
  }
  if (!options.presets.some((p) => p.name === draft.preset)) draft.preset = defaults.preset;
  if (!options.losses.some((l) => l.name === draft.loss)) draft.loss = defaults.loss;
  if (!options.optimizers.includes(draft.optimizer.name)) draft.optimizer = defaults.optimizer;
  if (!options.schedules.includes(draft.schedule.name)) draft.schedule = defaults.schedule;
  return draft;
}
