// A sweep: a grid of settings (for example loss x bits x hop) expanded into the runs it means, each
// an ordinary run trained from the run queue one after another. The grid names TrainConfig's own
// keys, with a list of values each; every other setting comes from `base`. The runs come in the
// order of the grid's keys, the last varying fastest (as nested loops would write them).
import { describeValue } from '../util/describe-value.js';
import { resolveConfig, RUN_SETTINGS, type TrainConfig } from './config.js';
import type { OptimizerName } from '../optim/optimizer.js';
import { newGroupId, type RunGroup } from '../runs/run-queue.js';

/** The settings a grid may vary: a run's own (DEFAULT_CONFIG's keys) and the network's shape beside its preset. */
const SETTINGS: ReadonlySet<string> = new Set(RUN_SETTINGS);

/** At most this many runs in one sweep: each is a whole training run. */
export const SWEEP_MAX_RUNS = 64;

export interface SweepGrid {
  /** Settings every run shares (a partial TrainConfig). */
  base?: Partial<TrainConfig>;
  /** Setting name -> the values to try. `optimizer` and `schedule` take names (or whole sections). */
  grid: Record<string, unknown[]>;
}

export class SweepError extends Error {
  readonly code = 'BAD_SWEEP';
}

export interface SweepRun {
  config: TrainConfig;
  /** Each varied setting's value for this run, as shown ("loss mel-db-l1 · bits 2"). */
  values: Record<string, string>;
  /** The sweep this run belongs to, as its config.json and the queue name it: one id for the whole grid. */
  group: RunGroup;
}

/**
 * A race: the same settings trained once per value of one setting, same seed (so the same split and,
 * for the optimizer and the learning rate, the same batches in the same order). Varying the batch
 * size changes how many examples each step draws, so the order of the data differs from the first
 * step on. A race is a sweep along one setting, named as a race.
 */
export type RaceSpec = { vary: 'optimizer'; values: OptimizerName[] } | { vary: 'lr'; values: number[] } | { vary: 'batch'; values: number[] };
export const RACE_MAX = 8;
const RACE_LABELS: Record<RaceSpec['vary'], string> = { optimizer: 'race: optimizer', lr: 'race: learning rate', batch: 'race: batch size' };

/** The runs of a race, each named by its value alone ("adam"). */
export function expandRace(base: Partial<TrainConfig>, race: RaceSpec): SweepRun[] {
  if (race === null || typeof race !== 'object' || !Object.hasOwn(RACE_LABELS, race.vary)) throw new SweepError("a race varies 'optimizer', 'lr' or 'batch'");
  const values: unknown[] = race.values;
  if (!Array.isArray(values) || values.length < 2 || values.length > RACE_MAX) throw new SweepError(`a race compares 2 to ${RACE_MAX} values`);
  if (new Set(values.map(String)).size !== values.length) throw new SweepError('a race lists each value once');
  return expandSweep({ base, grid: { [race.vary]: values } }).map((r) => ({ ...r, group: { ...r.group, label: RACE_LABELS[race.vary], varied: race.vary, value: r.values[race.vary] } }));
}

const show = (v: unknown): string => (typeof v === 'object' && v !== null ? ((v as { name?: unknown }).name as string) ?? JSON.stringify(v) : String(v));

/** The runs a grid means, each config resolved (refused with the run's values and the reason). */
export function expandSweep(sweep: SweepGrid): SweepRun[] {
  if (sweep === null || typeof sweep !== 'object' || typeof sweep.grid !== 'object' || sweep.grid === null || Array.isArray(sweep.grid)) {
    throw new SweepError('a sweep is { "base": { settings }, "grid": { "setting": [values, ...], ... } }');
  }
  const keys = Object.keys(sweep.grid);
  if (keys.length === 0) throw new SweepError('the grid names no setting to vary');
  for (const k of keys) {
    if (!SETTINGS.has(k)) throw new SweepError(`grid.${k} is no setting of a run; the settings are ${[...SETTINGS].join(', ')}`);
    const values = sweep.grid[k];
    if (!Array.isArray(values) || values.length === 0) throw new SweepError(`grid.${k} must be a list of values, not ${describeValue(values)}`);
  }
  const count = keys.reduce((n, k) => n * sweep.grid[k].length, 1);
  if (count > SWEEP_MAX_RUNS) throw new SweepError(`the grid makes ${count} runs; a sweep makes at most ${SWEEP_MAX_RUNS}`);
  const base = sweep.base ?? {};
  const runs: SweepRun[] = [];
  const id = newGroupId();
  const label = `sweep: ${keys.join(' × ')}`;
  const walk = (i: number, partial: Partial<TrainConfig>, values: Record<string, string>): void => {
    if (i === keys.length) {
      try {
        const value = Object.entries(values).map(([k, v]) => `${k} ${v}`).join(' · ');
        runs.push({ config: resolveConfig(partial), values, group: { id, label, varied: keys.join(', '), value } });
      } catch (e) {
        throw new SweepError(`${Object.entries(values).map(([k, v]) => `${k} ${v}`).join(', ')}: ${(e as Error).message}`);
      }
      return;
    }
    const key = keys[i];
    for (const v of sweep.grid[key]) {
      const value = (key === 'optimizer' || key === 'schedule') && typeof v === 'string' ? { ...(partial[key] as object | undefined), name: v } : v;
      walk(i + 1, { ...partial, [key]: value }, { ...values, [key]: show(v) });
    }
  };
  walk(0, base, {});
  return runs;
}
