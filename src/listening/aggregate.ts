// What the finished MUSHRA tests say together: each run's mean score with its 95% confidence
// interval over every rating it got (BS.1534-3 §9, across listeners and excerpts), the hidden
// reference's and the anchors', each listener's post-screening (§4.1.2; a flagged listener's tests
// are left out of the means, as the recommendation asks), and which objective measure ranks the
// runs the way the ears did (Spearman's rank correlation between each run's mean score and its
// mean measure on the same excerpts).
import { LOSS_NAMES, lossDbMeaning, type LossName } from '../common/loss-scale.js';
import { mushraInterval, mushraPostScreen, spearman } from '../common/listening-stats.js';
import type { ConditionMeasures, MushraRecord, MushraRole } from './mushra-record.js';
import { sideSource } from './summary.js';

/** An objective measure the agreement panel ranks: a loss in dB, or a quality metric. */
export type MeasureName = LossName | 'si-sdr' | 'snr' | 'lsd' | 'mcd';

interface MeasureInfo {
  label: string;
  unit: string;
  /** A better codec scores lower (every loss, LSD, MCD) or higher (SI-SDR, SNR). */
  lowerIsBetter: boolean;
  of: (m: ConditionMeasures) => number | null;
}

export const MEASURES: Readonly<Record<MeasureName, MeasureInfo>> = {
  ...(Object.fromEntries(
    LOSS_NAMES.map((name) => [name, { label: name, unit: `dB, ${lossDbMeaning(name)}`, lowerIsBetter: true, of: (m: ConditionMeasures) => m.lossesDb?.[name] ?? null }]),
  ) as Record<LossName, MeasureInfo>),
  'si-sdr': { label: 'SI-SDR', unit: 'dB', lowerIsBetter: false, of: (m) => m.siSdrDb },
  snr: { label: 'SNR', unit: 'dB', lowerIsBetter: false, of: (m) => m.snrDb },
  lsd: { label: 'LSD', unit: 'B (bels)', lowerIsBetter: true, of: (m) => m.lsd },
  mcd: { label: 'MCD', unit: 'dB', lowerIsBetter: true, of: (m) => m.mcdDb },
};
export const MEASURE_NAMES = Object.keys(MEASURES) as MeasureName[];

/** Fewer rated runs than this and a rank correlation says nothing (with 3, ρ = 1 happens by chance one time in 6). */
export const AGREEMENT_MIN_RUNS = 4;

export interface ConditionAggregate {
  /** `run:<id>`, `hidden-reference`, `anchor:<Hz>`, or `other:<label>` for audio that is no run's. */
  key: string;
  role: MushraRole;
  runId: string | null;
  cutoffHz: number | null;
  label: string;
  /** Scores from the included tests: their number, mean and 95% interval (null below 2 scores). */
  n: number;
  mean: number;
  low: number | null;
  high: number | null;
  /** Each measure's mean over the same ratings' excerpts; null for the hidden reference. */
  measures: Partial<Record<MeasureName, number>> | null;
}

export interface ListenerScreen {
  /** As typed when the test started; null when none was. */
  listener: string | null;
  tests: number;
  below90: number;
  flagged: boolean;
}

export interface AgreementRow {
  measure: MeasureName;
  label: string;
  unit: string;
  lowerIsBetter: boolean;
  /** Spearman's ρ between the runs' mean scores and their mean measure; null when undefined (a constant column). */
  rho: number | null;
  /** ρ with its sign turned so that +1 means the measure ranks the runs exactly as the ears did. */
  agreement: number | null;
}

export interface ListeningResults {
  mushra: {
    /** Finished MUSHRA tests, and how many of them count (not a flagged listener's). */
    tests: number;
    included: number;
    conditions: ConditionAggregate[];
    listeners: ListenerScreen[];
  };
  agreement: {
    /** Runs with a mean score and every measure. */
    runs: number;
    /** Said when there are fewer than AGREEMENT_MIN_RUNS runs. */
    note: string | null;
    /** Best agreement first; undefined ones last. */
    rows: AgreementRow[];
  };
}

function conditionKey(c: { role: MushraRole; audio: unknown; label: string; cutoffHz?: number }): { key: string; runId: string | null } {
  if (c.role === 'hidden-reference') return { key: 'hidden-reference', runId: null };
  if (c.role === 'anchor') return { key: `anchor:${c.cutoffHz}`, runId: null };
  const source = sideSource(c.audio);
  return 'run' in source ? { key: `run:${source.run}`, runId: source.run } : { key: `other:${c.label}`, runId: null };
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export function aggregateMushra(records: readonly MushraRecord<unknown>[]): ListeningResults {
  const finished = records.filter((r) => r.result !== undefined);
  const byListener = new Map<string | null, MushraRecord<unknown>[]>();
  for (const r of finished) byListener.set(r.listener ?? null, [...(byListener.get(r.listener ?? null) ?? []), r]);
  const listeners: ListenerScreen[] = [...byListener].map(([listener, tests]) => ({ listener, tests: tests.length, ...pick(mushraPostScreen(tests.map((t) => t.result!.hiddenReferenceScore))) }));
  const flagged = new Set(listeners.filter((l) => l.flagged).map((l) => l.listener));
  const included = finished.filter((r) => !flagged.has(r.listener ?? null));

  const groups = new Map<string, { first: ConditionAggregate; scores: number[]; measures: ConditionMeasures[] }>();
  for (const r of included) {
    r.compared.conditions.forEach((c, i) => {
      const { key, runId } = conditionKey(c);
      let g = groups.get(key);
      if (!g) {
        const first = { key, role: c.role, runId, cutoffHz: c.cutoffHz ?? null, label: c.label, n: 0, mean: 0, low: null, high: null, measures: null };
        groups.set(key, (g = { first, scores: [], measures: [] }));
      }
      g.first.label = c.label; // the latest title a run was rated under
      g.scores.push(r.result!.scores[i]);
      const m = r.result!.measures[i];
      if (m) g.measures.push(m);
    });
  }
  const roleOrder: Record<MushraRole, number> = { 'hidden-reference': 0, run: 1, anchor: 2 };
  const conditions = [...groups.values()].map(({ first, scores, measures }): ConditionAggregate => ({
    ...first,
    ...mushraInterval(scores),
    measures: measures.length ? meanMeasures(measures) : null,
  }));
  conditions.sort((a, b) => roleOrder[a.role] - roleOrder[b.role] || b.mean - a.mean || a.key.localeCompare(b.key));
  return { mushra: { tests: finished.length, included: included.length, conditions, listeners }, agreement: agreement(conditions.filter((c) => c.role === 'run')) };
}

const pick = ({ below90, flagged }: { below90: number; flagged: boolean }) => ({ below90, flagged });

/** Each measure's mean over the ratings that have it (a loss is missing on an excerpt shorter than one block). */
function meanMeasures(ms: readonly ConditionMeasures[]): Partial<Record<MeasureName, number>> {
  const out: Partial<Record<MeasureName, number>> = {};
  for (const name of MEASURE_NAMES) {
    const values = ms.map(MEASURES[name].of).filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length === ms.length) out[name] = mean(values);
  }
  return out;
}

function agreement(runs: readonly ConditionAggregate[]): ListeningResults['agreement'] {
  const rows = MEASURE_NAMES.map((name): AgreementRow => {
    const info = MEASURES[name];
    const rated = runs.filter((r) => r.measures?.[name] !== undefined);
    const rho = rated.length === runs.length && runs.length >= 2 ? spearman(runs.map((r) => r.mean), runs.map((r) => r.measures![name]!)) : null;
    return { measure: name, label: info.label, unit: info.unit, lowerIsBetter: info.lowerIsBetter, rho, agreement: rho === null ? null : info.lowerIsBetter ? -rho : rho };
  });
  rows.sort((a, b) => (b.agreement ?? -Infinity) - (a.agreement ?? -Infinity) || a.measure.localeCompare(b.measure));
  const n = runs.length;
  const note =
    n < AGREEMENT_MIN_RUNS
      ? `${n} rated run${n === 1 ? '' : 's'}: a rank correlation needs at least ${AGREEMENT_MIN_RUNS} to say anything (with 3, a perfect ρ happens by chance one time in 6). Rate more runs.`
      : null;
  return { runs: n, note, rows };
}
