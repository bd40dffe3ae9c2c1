// A stored test as the list of tests shows it: enough to pick one (when, what was compared, how far
// it got, the verdict), or why its file is damaged.
import type { AbxVerdict, ClipIdentity, Region, SideLabels } from './abx-record.js';
import type { MushraRole } from './mushra-record.js';
import type { StoredTest } from './store.js';

export type ListeningSummary =
  | {
      id: string;
      kind: 'abx';
      createdAt: string;
      /** Every trial answered; an unfinished test can be resumed or discarded. */
      finished: boolean;
      finishedAt: string | null;
      listener: string | null;
      labels: SideLabels;
      /** What each side is: a run's reconstruction (its id), the original, or other audio. */
      sides: { A: SideSource; B: SideSource };
      region: Region | null;
      trials: number;
      answered: number;
      practice: boolean;
      /** The verdict once finished; null while it can still be resumed. */
      result: AbxVerdict | null;
      damaged?: undefined;
    }
  | {
      id: string;
      kind: 'mushra';
      createdAt: string;
      /** Every condition heard and scored, and submitted; an unfinished test can be resumed or discarded. */
      finished: boolean;
      finishedAt: string | null;
      listener: string | null;
      referenceLabel: string;
      clip: ClipIdentity | null;
      region: Region | null;
      /** The conditions' number (the hidden reference and the anchors included), how many are runs, and how many are scored so far. */
      conditions: number;
      runs: number;
      scored: number;
      /** Once finished: each condition (the record's order) with what it was and its score. */
      result: { scores: { role: MushraRole; label: string; run: string | null; cutoffHz: number | null; score: number }[]; hiddenReferenceBelow90: boolean } | null;
      damaged?: undefined;
    }
  | { id: string; damaged: string };

/** What a side of a test played, read from its audio reference (this layer does not know the API's types). */
export type SideSource = { run: string } | { original: true } | { other: true };

export function sideSource(ref: unknown): SideSource {
  const r = ref as { kind?: unknown; runId?: unknown; file?: unknown } | null;
  if (r && r.kind === 'reconstruction' && typeof r.runId === 'string') return { run: r.runId };
  // A run's own held-out reconstruction is that run's too.
  if (r && r.kind === 'run' && typeof r.runId === 'string' && typeof r.file === 'string' && r.file.endsWith('_reconstruction')) return { run: r.runId };
  if (r && (r.kind === 'model-input' || (r.kind === 'run' && typeof r.file === 'string' && r.file.endsWith('_original')))) return { original: true };
  return { other: true };
}

export function summarizeTest(t: StoredTest<unknown>): ListeningSummary {
  if ('damaged' in t) return { id: t.id, damaged: t.damaged };
  const r = t.record;
  if (r.kind === 'mushra') {
    return {
      id: r.id,
      kind: 'mushra',
      createdAt: r.createdAt,
      finished: r.result !== undefined,
      finishedAt: r.finishedAt ?? null,
      listener: r.listener ?? null,
      referenceLabel: r.compared.referenceLabel,
      clip: r.compared.clip,
      region: r.region ?? null,
      conditions: r.order.length,
      runs: r.compared.conditions.filter((c) => c.role === 'run').length,
      scored: r.scores.filter((s) => s !== null).length,
      result: r.result
        ? {
            scores: r.compared.conditions.map((c, i) => {
              const source = sideSource(c.audio);
              return { role: c.role, label: c.label, run: c.role === 'run' && 'run' in source ? source.run : null, cutoffHz: c.cutoffHz ?? null, score: r.result!.scores[i] };
            }),
            hiddenReferenceBelow90: r.result.hiddenReferenceBelow90,
          }
        : null,
    };
  }
  return {
    id: r.id,
    kind: r.kind,
    createdAt: r.createdAt,
    finished: r.result !== undefined,
    finishedAt: r.finishedAt ?? null,
    listener: r.listener ?? null,
    labels: r.compared.labels,
    sides: { A: sideSource(r.compared.a), B: sideSource(r.compared.b) },
    region: r.region ?? null,
    trials: r.trials,
    answered: r.answers.length,
    practice: r.practice,
    result: r.result ?? null,
  };
}

/** When a stored test was made (a damaged one: when its file last changed), for listing oldest first. */
export const storedAt = (t: StoredTest<unknown>): string => ('damaged' in t ? t.modifiedAt : t.record.createdAt);

/** Oldest first; the same moment by id. */
export function oldestFirst<T extends StoredTest<unknown>>(tests: readonly T[]): T[] {
  return [...tests].sort((x, y) => Date.parse(storedAt(x)) - Date.parse(storedAt(y)) || x.id.localeCompare(y.id));
}
