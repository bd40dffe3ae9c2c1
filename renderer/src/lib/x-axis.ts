// The loss plot's x axis: training steps, epochs or seconds of training. Every point is logged at a
// step; another axis is a map from a run's steps to its own x values (two runs with different
// batches reach epoch 1 at different steps, so each run has its own map).
import { epochsAt } from '../../../src/common/epochs.js';
import type { ChartGroup } from './curves.js';

export type XAxis = 'step' | 'epoch' | 'seconds';

export const EPOCH_MEANING =
  'An epoch is steps × batch / training segments: a pass\'s worth of examples. Batches are drawn at random with replacement, so one epoch does not visit every segment exactly once.';

export const X_AXES: readonly { value: XAxis; label: string; title: string }[] = [
  { value: 'step', label: 'steps', title: 'Optimizer steps (one batch each)' },
  { value: 'epoch', label: 'epochs', title: EPOCH_MEANING },
  { value: 'seconds', label: 'seconds', title: 'Seconds of training, pauses left out (validations and saves counted)' },
];

export function xAxisLabel(axis: XAxis): string {
  return axis === 'step' ? 'step' : axis === 'epoch' ? 'epoch' : 'training time (s)';
}

/** What a run's steps are mapped with: its batch and training segments (epochs), its logged times (seconds). */
export interface StepClock {
  batch: number | null;
  trainSegments: number | null;
  /** [step, elapsedSec], steps increasing (runs logged before elapsedSec have none). */
  times: readonly [number, number][];
}

/** step → x on this axis for one run (null for a step it cannot place), or null when the run cannot be shown on it at all. */
export type StepToX = (step: number) => number | null;

export function stepToX(axis: XAxis, clock: StepClock): StepToX | null {
  if (axis === 'step') return (step) => step;
  if (axis === 'epoch') {
    const { batch, trainSegments } = clock;
    if (!batch || !trainSegments) return null;
    return (step) => epochsAt(step, batch, trainSegments);
  }
  const t = clock.times;
  if (t.length === 0) return null;
  return (step) => timeAt(t, step);
}

/**
 * The training time at `step`, linear between the logged steps around it (the time per step is
 * steady between two log lines); null outside the logged range, where nothing says how long it took.
 */
export function timeAt(times: readonly [number, number][], step: number): number | null {
  let lo = 0;
  let hi = times.length - 1;
  if (hi < 0 || step < times[0][0] || step > times[hi][0]) return null;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid][0] <= step) lo = mid;
    else hi = mid;
  }
  const [s0, t0] = times[lo];
  const [s1, t1] = times[hi];
  return s1 === s0 ? t0 : t0 + ((t1 - t0) * (step - s0)) / (s1 - s0);
}

/**
 * The charts with every point and mark moved from its step to the axis's x (each run by its own
 * map); points a run cannot place are left out. `unplaced`: the plotted runs the axis cannot show
 * at all (no times logged, or no split to count epochs with), drawn on no chart.
 */
export function placeOnAxis(groups: readonly ChartGroup[], mapOf: (runId: string) => StepToX | null): { groups: ChartGroup[]; unplaced: string[] } {
  const maps = new Map<string, StepToX | null>();
  const mapFor = (id: string) => {
    if (!maps.has(id)) maps.set(id, mapOf(id));
    return maps.get(id)!;
  };
  const place = (id: string, pts: [number, number][]): [number, number][] => {
    const f = mapFor(id);
    if (!f) return [];
    const out: [number, number][] = [];
    for (const [step, v] of pts) {
      const x = f(step);
      if (x !== null) out.push([x, v]);
    }
    return out;
  };
  const placed = groups.map((g) => ({
    ...g,
    series: g.series.filter((s) => mapFor(s.runId)).map((s) => ({ ...s, points: place(s.runId, s.points) })),
    marks: g.marks?.flatMap((m) => {
      const x = mapFor(m.runId)?.(m.x) ?? null;
      return x === null ? [] : [{ ...m, x }];
    }),
    levels: g.levels?.filter((l) => l.runId === null || mapFor(l.runId)),
  }));
  const unplaced = [...new Set(groups.flatMap((g) => g.series.map((s) => s.runId)))].filter((id) => !mapFor(id));
  return { groups: placed, unplaced };
}
