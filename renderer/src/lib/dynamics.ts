// The training-dynamics charts under the loss plot: the learning rate, the gradient's global norm
// (with the clipping threshold), the weights' norm, the update-to-weight ratio and the
// train-validation gap, one chart per quantity; and the marks (best step, early stop) every chart
// of a run carries. Runs logged before a quantity existed are listed as missing, never drawn as zeros.
import { lossDbMeaning, lossInDb, type LossName } from '../../../src/common/loss-scale.js';
import type { ChartGroup, ChartLevel, ChartMark, ChartSeries, CurveData, StepRecord } from './curves.js';
import type { LogEntry } from './types.js';

/** What the charts need to know about a run besides its curves. */
export interface RunFacts {
  loss: LossName | null;
  /** The clipping threshold of the gradient's global norm (0: no clipping by norm). */
  clipNorm: number;
  /** The step of the best validation so far (null: none yet). */
  bestStep: number | null;
  /** The last step of a run that stopped early (null for any other). */
  stoppedAt: number | null;
}

/** The usual rule of thumb for the update-to-weight ratio (Karpathy 2019); drawn as a reference. */
export const UPDATE_RATIO_RULE = 1e-3;

/** A log line's dynamics: only the finite values it has. */
export function stepRecord(entry: Pick<LogEntry, 'step' | 'lr' | 'gradNorm' | 'weightNorm' | 'updateRatio' | 'elapsedSec'>): StepRecord {
  const r: StepRecord = { step: entry.step };
  for (const key of ['lr', 'gradNorm', 'weightNorm', 'updateRatio', 'elapsedSec'] as const) {
    const v = entry[key];
    if (typeof v === 'number' && Number.isFinite(v)) r[key] = v;
  }
  return r;
}

/** [step, elapsedSec] of the records that have a time, for the seconds axis. */
export function timesOf(records: readonly StepRecord[]): [number, number][] {
  return records.filter((r) => r.elapsedSec !== undefined).map((r) => [r.step, r.elapsedSec!]);
}

/**
 * Validation loss minus training loss at each validation step, both read in dB as the loss is
 * (lossInDb): a ratio in dB for a 10·log₁₀ loss, a difference of level errors for a dB loss. The
 * training loss is the last one logged at or before the validation's step (the same step once the
 * log is read; a streamed validation may come between two progress events).
 */
export function trainValGap(loss: LossName, train: readonly [number, number][], val: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let i = -1;
  for (const [step, v] of val) {
    while (i + 1 < train.length && train[i + 1][0] <= step) i++;
    if (i < 0) continue;
    const gap = lossInDb(loss, v) - lossInDb(loss, train[i][1]);
    if (Number.isFinite(gap)) out.push([step, gap]);
  }
  return out;
}

/** A run's vertical marks: its best step, and where it stopped early. */
export function runMarks(runId: string, f: Pick<RunFacts, 'bestStep' | 'stoppedAt'>): ChartMark[] {
  const marks: ChartMark[] = [];
  if (f.bestStep !== null && f.bestStep > 0) marks.push({ runId, x: f.bestStep, label: 'best' });
  if (f.stoppedAt !== null && f.stoppedAt > 0) marks.push({ runId, x: f.stoppedAt, label: 'stopped early' });
  return marks;
}

/** The charts with each of their runs' marks added. */
export function withMarks(groups: readonly ChartGroup[], factsOf: (runId: string) => RunFacts): ChartGroup[] {
  return groups.map((g) => {
    const ids = [...new Set(g.series.filter((s) => s.points.length).map((s) => s.runId))];
    return { ...g, marks: [...(g.marks ?? []), ...ids.flatMap((id) => runMarks(id, factsOf(id)))] };
  });
}

type Quantity = 'lr' | 'gradNorm' | 'weightNorm' | 'updateRatio';

const QUANTITIES: readonly { key: string; field: Quantity; head: Omit<ChartGroup, 'key' | 'series' | 'missing' | 'higherIsBetter'> }[] = [
  {
    key: 'lr',
    field: 'lr',
    head: { axisLabel: 'learning rate', unitLabel: 'learning rate', format: 'exp', note: 'The rate the optimizer used at each step: the schedule and its warm-up.' },
  },
  {
    key: 'grad-norm',
    field: 'gradNorm',
    head: {
      axisLabel: 'gradient norm ‖g‖₂, before clipping',
      unitLabel: '‖g‖₂',
      format: 'plain',
      note: 'The global L2 norm of the whole batch\'s gradient. A dashed line is a run\'s clipping threshold: steps above it had their gradient scaled down to it. Spikes come before divergence.',
    },
  },
  {
    key: 'weight-norm',
    field: 'weightNorm',
    head: {
      axisLabel: 'weight norm ‖θ‖₂',
      unitLabel: '‖θ‖₂',
      format: 'plain',
      note: 'The L2 norm of all the weights after each step. Weight decay and the L1 and L2 penalties hold it down; a steady climb with a growing gap is a sign of overfitting.',
    },
  },
  {
    key: 'update-ratio',
    field: 'updateRatio',
    head: {
      axisLabel: 'update-to-weight ratio ‖Δθ‖₂ / ‖θ‖₂ (log scale)',
      unitLabel: '‖Δθ‖ / ‖θ‖',
      format: 'exp',
      yLog: true,
      levels: [{ runId: null, value: UPDATE_RATIO_RULE, label: '1e-3' }],
      note: 'How far each step moves the weights, relative to their size. Around 1e-3 (grey line) is a common rule of thumb (Karpathy, "A Recipe for Training Neural Networks", 2019): far below, the rate may be too low; far above, too high. A heuristic, not a law.',
    },
  },
];

/** Every dynamics chart that has something to draw, in a fixed order; the gap one chart per loss (different losses are different quantities). */
export function dynamicsCharts(ids: readonly string[], curveOf: (runId: string) => CurveData, factsOf: (runId: string) => RunFacts): ChartGroup[] {
  const charts: ChartGroup[] = [];
  for (const q of QUANTITIES) {
    const series: ChartSeries[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const points: [number, number][] = [];
      for (const r of curveOf(id).dynamics) {
        const v = r[q.field];
        // A log axis has no place for a zero (a step at a learning rate of 0).
        if (v !== undefined && (!q.head.yLog || v > 0)) points.push([r.step, v]);
      }
      if (points.length) series.push({ runId: id, kind: 'line', points });
      else missing.push(id);
    }
    if (series.length === 0) continue;
    const levels: ChartLevel[] = [...(q.head.levels ?? [])];
    if (q.field === 'gradNorm') {
      for (const s of series) {
        const clip = factsOf(s.runId).clipNorm;
        if (clip > 0) levels.push({ runId: s.runId, value: clip, label: `clip ${clip}` });
      }
    }
    charts.push({ key: q.key, ...q.head, higherIsBetter: false, series, missing, levels });
  }
  return [...charts, ...gapCharts(ids, curveOf, factsOf)];
}

function gapCharts(ids: readonly string[], curveOf: (runId: string) => CurveData, factsOf: (runId: string) => RunFacts): ChartGroup[] {
  const byLoss = new Map<LossName, ChartGroup>();
  for (const id of ids) {
    const loss = factsOf(id).loss;
    if (!loss) continue;
    const c = curveOf(id);
    const points = trainValGap(loss, c.train, c.val);
    if (points.length === 0) continue;
    let g = byLoss.get(loss);
    if (!g) {
      byLoss.set(
        loss,
        (g = {
          key: `gap:${loss}`,
          axisLabel: `train–validation gap, ${loss}: validation − training, ${lossDbMeaning(loss)} (dB)`,
          unitLabel: 'dB',
          higherIsBetter: false,
          series: [],
          missing: [],
          levels: [{ runId: null, value: 0, label: '0' }],
          note: 'Above 0 the validation loss is worse than the training loss. A gap that widens while the training loss keeps falling is overfitting. The training loss is one batch\'s, so the gap is noisy.',
        }),
      );
    }
    g.series.push({ runId: id, kind: 'gap', points });
  }
  return [...byLoss.values()];
}
