// What the rate-quality view can put on its axes, and the table of its points. Every measure says
// its unit, what it is and which way is better, because the axes are read by students who did not
// write them: "entropy bit rate, kbit/s (first-order entropy of the codes on the test split)".
import { csvText } from '../../../src/common/csv.js';
import { LOSS_NAMES, lossDbMeaning, type LossName } from '../../../src/common/loss-scale.js';
import { paretoFront, type Direction } from './pareto.js';
import type { RunSummary } from './types.js';

/** A run with its final scores: the only runs the view can place. */
export type ScoredRun = RunSummary & { metrics: NonNullable<RunSummary['metrics']> };

export interface Measure {
  key: string;
  /** What it is, short ("entropy bit rate"), and its unit ("kbit/s"). */
  name: string;
  unit: string;
  /** What it measures, and on what ("first-order entropy of the codes on the test split"). */
  about: string;
  better: Direction;
  /** A column header for the CSV: short, with its unit. */
  column: string;
  /** The run's figure, or null when it has none (an older run without entropy, a run never rated). */
  value: (r: ScoredRun) => number | null;
  /** The slowest and fastest of the repeated timings, for a speed; shown as whiskers around the median. */
  spread?: (r: ScoredRun) => [number, number] | null;
}

const finite = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Which way is better, in words: a speed is faster, anything else better. */
const direction = (m: Measure) => (m.unit === '× real time' ? 'higher is faster' : `${m.better} is better`);

/** The whole label: "entropy bit rate, kbit/s (first-order entropy of the codes on the test split; lower is better)". */
export const measureLabel = (m: Measure) => `${m.name}, ${m.unit} (${m.about}; ${direction(m)})`;

/** The label for a short axis (the vertical one): "SI-SDR, dB (higher is better)"; the caption says the rest. */
export const shortMeasureLabel = (m: Measure) => `${m.name}, ${m.unit} (${direction(m)})`;

/** The x axis: the two bit rates (lower is better) and the decode speed (higher is better). */
export const RATE_MEASURES: readonly Measure[] = [
  {
    key: 'nominal',
    name: 'nominal bit rate',
    unit: 'kbit/s',
    about: 'frame rate × latent channels × bits: every code sent whole',
    better: 'lower',
    column: 'nominal_kbps',
    value: (r) => finite(r.metrics.bitrateKbps),
  },
  {
    key: 'entropy',
    name: 'entropy bit rate',
    unit: 'kbit/s',
    about: 'first-order entropy of the codes on the test split',
    better: 'lower',
    column: 'entropy_kbps',
    value: (r) => finite(r.metrics.entropyKbps),
  },
  {
    key: 'decode',
    name: 'decode speed',
    unit: '× real time',
    about: 'median of timings on this machine, whiskers slowest to fastest',
    better: 'higher',
    column: 'decode_x_real_time',
    value: (r) => finite(r.metrics.decodeRtf),
    spread: (r) => r.metrics.speed?.decodeRange ?? null,
  },
];

const lossMeasure = (name: LossName): Measure => ({
  key: `loss:${name}`,
  name: `${name} loss`,
  unit: 'dB',
  about: `${lossDbMeaning(name)} on the test split`,
  better: 'lower',
  column: `${name}_db`,
  value: (r) => finite(r.metrics.lossesDb?.[name]),
});

const FIXED_QUALITIES: readonly Measure[] = [
  { key: 'si-sdr', name: 'SI-SDR', unit: 'dB', about: 'scale-invariant signal-to-distortion ratio on the test split', better: 'higher', column: 'si_sdr_db', value: (r) => finite(r.metrics.siSdrDb) },
  { key: 'snr', name: 'SNR', unit: 'dB', about: 'signal-to-noise ratio on the test split', better: 'higher', column: 'snr_db', value: (r) => finite(r.metrics.snrDb) },
  { key: 'lsd', name: 'LSD', unit: 'bel', about: 'log-spectral distance on the test split', better: 'lower', column: 'lsd_bel', value: (r) => finite(r.metrics.lsd) },
  { key: 'mcd', name: 'MCD', unit: 'dB', about: 'mel-cepstral distortion on the test split', better: 'lower', column: 'mcd_db', value: (r) => finite(r.metrics.mcdDb) },
];

/**
 * The y axis: SI-SDR, SNR, LSD, MCD, every loss some run was scored in, and the MUSHRA mean when
 * any run has one (`mushra`: run id -> its mean score over the included ratings).
 */
export function qualityMeasures(runs: readonly ScoredRun[], mushra: ReadonlyMap<string, number>): Measure[] {
  const losses = LOSS_NAMES.filter((l) => runs.some((r) => finite(r.metrics.lossesDb?.[l]) !== null));
  const out = [...FIXED_QUALITIES, ...losses.map(lossMeasure)];
  if (runs.some((r) => mushra.has(r.id))) {
    out.push({
      key: 'mushra',
      name: 'MUSHRA mean',
      unit: 'score 0–100',
      about: 'listening tests, over the included ratings; only the runs rated',
      better: 'higher',
      column: 'mushra_mean',
      value: (r) => finite(mushra.get(r.id)),
    });
  }
  return out;
}

export interface RatePoint {
  runId: string;
  /** The run's title, or its short id. */
  name: string;
  x: number;
  y: number;
  /** The x measure's slowest–fastest range, when it has one. */
  spread: [number, number] | null;
  onFront: boolean;
}

/**
 * One point per run that has both figures, each marked on the front or not; and how many runs were
 * left out for lacking one of them (said under the plot, so a missing run is not a mystery).
 */
export function ratePoints(runs: readonly ScoredRun[], x: Measure, y: Measure, nameOf: (r: ScoredRun) => string): { points: RatePoint[]; missing: number } {
  const placed = runs.map((r) => ({ r, x: x.value(r), y: y.value(r) })).filter((p): p is { r: ScoredRun; x: number; y: number } => p.x !== null && p.y !== null);
  const front = paretoFront(placed, x.better, y.better);
  const points = placed
    .map((p, i) => ({ runId: p.r.id, name: nameOf(p.r), x: p.x, y: p.y, spread: x.spread?.(p.r) ?? null, onFront: front[i] }))
    .sort((a, b) => a.x - b.x || a.y - b.y);
  return { points, missing: runs.length - placed.length };
}

/** The points as CSV: run id, name, x, y, on front; one row per point, lines ending in CRLF (RFC 4180). */
export function pointsCsv(points: readonly RatePoint[], x: Measure, y: Measure): string {
  const rows = [['run', 'name', x.column, y.column, 'on_front'], ...points.map((p) => [p.runId, p.name, p.x, p.y, p.onFront])];
  return csvText(rows);
}

/** A figure with its unit, as the tooltip and the front's list say it: "7.3 kbit/s", "−12.40 dB", "120×". */
export function formatMeasure(m: Measure, v: number): string {
  const minus = (s: string) => s.replace('-', '−');
  if (m.unit === '× real time') return `${v.toFixed(0)}×`;
  if (m.unit === 'kbit/s') return `${v.toFixed(1)} kbit/s`;
  if (m.key === 'mushra') return v.toFixed(1);
  return `${minus(v.toFixed(2))} ${m.unit}`;
}
