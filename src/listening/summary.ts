// A stored test as the list of tests shows it: enough to pick one (when, what was compared, how far
// it got, the verdict), or why its file is damaged.
import type { AbxVerdict, Region, SideLabels } from './abx-record.js';
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
      region: Region | null;
      trials: number;
      answered: number;
      practice: boolean;
      /** The verdict once finished; null while it can still be resumed. */
      result: AbxVerdict | null;
      damaged?: undefined;
    }
  | { id: string; damaged: string };

export function summarizeTest(t: StoredTest<unknown>): ListeningSummary {
  if ('damaged' in t) return { id: t.id, damaged: t.damaged };
  const r = t.record;
  return {
    id: r.id,
    kind: r.kind,
    createdAt: r.createdAt,
    finished: r.result !== undefined,
    finishedAt: r.finishedAt ?? null,
    listener: r.listener ?? null,
    labels: r.compared.labels,
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
