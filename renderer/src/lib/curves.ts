// What the loss plot draws: runs grouped so that only values of the same quantity share an axis.
// Measured in their own loss, runs with different losses get one chart each (a wave-l1 loss of
// −16 dB and a mel-db-l1 loss of 8 dB are different quantities); measured in one loss space, or in
// SI-SDR / SNR, every run with a yardstick in its log shares one chart: train in X, watch Y.
import { lossAxisLabel, lossDbMeaning, lossInDb, type LossName } from '../../../src/common/loss-scale.js';
import type { ValMetrics } from './types.js';

export type Measure = 'own' | LossName | 'si-sdr' | 'snr';

export interface CurveData {
  train: [number, number][];
  val: [number, number][];
  metrics: [number, ValMetrics][];
  /** The training dynamics at the logged steps (lib/dynamics.ts). */
  dynamics: StepRecord[];
}

/**
 * One step's training dynamics, as logged (LogEntry of src/runs/run-dir.ts) or streamed: only what is
 * known (runs made before the norms and times were logged lack them; a live point has no norms).
 */
export interface StepRecord {
  step: number;
  lr?: number;
  gradNorm?: number;
  weightNorm?: number;
  updateRatio?: number;
  elapsedSec?: number;
}

export interface ChartSeries {
  runId: string;
  /** train: solid; val: dashed with dots, "validation" in the legend; line: solid, named by its run; gap: dots joined, named by its run. */
  kind: 'train' | 'val' | 'line' | 'gap';
  /** [x (a step, until placed on the chosen axis), the value as shown] */
  points: [number, number][];
}

/** A horizontal line across a chart: a threshold of one run (its colour), or a reference for all (runId null, grey). */
export interface ChartLevel {
  runId: string | null;
  value: number;
  label: string;
}

/** A vertical line at one run's step: its best validation, or where it stopped early. */
export interface ChartMark {
  runId: string;
  x: number;
  label: string;
}

export interface ChartGroup {
  /** Stable identity of the chart: the quantity it shows. */
  key: string;
  /** The quantity in full: "mel-db-l1, mean level error (dB)" (the chart's heading). */
  axisLabel: string;
  /** The y axis's own short label: the unit and reading, "mean level error (dB)". */
  unitLabel: string;
  higherIsBetter: boolean;
  series: ChartSeries[];
  /** Runs that have nothing to show in this measure (their log predates the yardstick). */
  missing: string[];
  /** How values read: in dB (the default), in exponent form (rates, ratios), or plainly (norms). */
  format?: 'db' | 'exp' | 'plain';
  /** A logarithmic y axis (for quantities that span decades). */
  yLog?: boolean;
  levels?: ChartLevel[];
  marks?: ChartMark[];
  /** How to read the chart, in a sentence, under its heading. */
  note?: string;
}

const finite = (points: [number, number][]) => points.filter(([, v]) => Number.isFinite(v));

export function chartGroups(
  ids: readonly string[],
  measure: Measure,
  lossOf: (id: string) => LossName | null,
  curveOf: (id: string) => CurveData,
): ChartGroup[] {
  if (measure === 'own') {
    const groups = new Map<string, ChartGroup>();
    for (const id of ids) {
      const loss = lossOf(id);
      const key = loss ?? 'unknown';
      let g = groups.get(key);
      if (!g) {
        const axisLabel = loss ? lossAxisLabel(loss) : 'loss (unknown unit)';
        groups.set(key, (g = { key, axisLabel, unitLabel: loss ? `${lossDbMeaning(loss)} (dB)` : axisLabel, higherIsBetter: false, series: [], missing: [] }));
      }
      const c = curveOf(id);
      const show = (v: number) => (loss ? lossInDb(loss, v) : NaN);
      g.series.push(
        { runId: id, kind: 'train', points: finite(c.train.map(([s, v]) => [s, show(v)])) },
        { runId: id, kind: 'val', points: finite(c.val.map(([s, v]) => [s, show(v)])) },
      );
    }
    return [...groups.values()];
  }
  const ratio = measure === 'si-sdr' || measure === 'snr';
  const g: ChartGroup = {
    key: measure,
    axisLabel: measure === 'si-sdr' ? 'SI-SDR (dB), higher is better' : measure === 'snr' ? 'SNR (dB), higher is better' : lossAxisLabel(measure),
    unitLabel: measure === 'si-sdr' ? 'SI-SDR (dB)' : measure === 'snr' ? 'SNR (dB)' : `${lossDbMeaning(measure)} (dB)`,
    higherIsBetter: ratio,
    series: [],
    missing: [],
  };
  for (const id of ids) {
    const c = curveOf(id);
    if (c.metrics.length === 0) {
      g.missing.push(id);
      continue;
    }
    const value = (m: ValMetrics): number =>
      measure === 'si-sdr' ? m.siSdrDb : measure === 'snr' ? m.snrDb : m.losses?.[measure] !== undefined ? lossInDb(measure, m.losses[measure]) : NaN;
    // The training loss is drawn only where it is the measured quantity itself.
    const train = !ratio && lossOf(id) === measure ? finite(c.train.map(([s, v]) => [s, lossInDb(measure, v)])) : [];
    g.series.push({ runId: id, kind: 'train', points: train }, { runId: id, kind: 'val', points: finite(c.metrics.map(([s, m]) => [s, value(m)])) });
  }
  return [g];
}
