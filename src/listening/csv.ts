// A finished listening test as CSV, for a spreadsheet or a statistics package: ABX, one row per
// trial (regions in seconds; a trial heard on the whole clip has empty region cells); MUSHRA, one row per slot.
import type { AbxRecord } from './abx-record.js';
import { csvQuoted } from '../common/csv.js';
import type { MushraRecord } from './mushra-record.js';

export const ABX_CSV_HEADER = ['trial', 'x', 'answer', 'correct', 'ms', 'region_start', 'region_end'] as const;

/** The rows of the answered trials (every trial, for a finished test), with a header; lines end in CRLF (RFC 4180). */
export function abxCsv(r: AbxRecord<unknown>): string {
  const rows = r.answers.map((a) => [a.trial, a.x, a.answer, a.correct, Math.round(a.ms), a.region?.start ?? '', a.region?.end ?? ''].join(','));
  return [ABX_CSV_HEADER.join(','), ...rows].join('\r\n') + '\r\n';
}

export const MUSHRA_CSV_HEADER = ['slot', 'role', 'condition', 'cutoff_hz', 'score', 'heard_ms', 'si_sdr_db', 'snr_db', 'lsd_bels', 'mcd_db'] as const;

/**
 * A finished MUSHRA test as CSV: one row per slot, in the order presented, with what it was, its
 * score (0 to 100), how long it was heard, and its objective measures on the excerpt (empty for the
 * hidden reference, which is the reference). Labels are quoted (RFC 4180).
 */
export function mushraCsv(r: MushraRecord<unknown>): string {
  const rows = r.order.map((condition, slot) => {
    const c = r.compared.conditions[condition];
    const m = r.result?.measures[condition] ?? null;
    return [slot + 1, c.role, csvQuoted(c.label), c.cutoffHz ?? '', r.scores[slot] ?? '', Math.round(r.heardMs[slot]), m?.siSdrDb ?? '', m?.snrDb ?? '', m?.lsd ?? '', m?.mcdDb ?? ''].join(',');
  });
  return [MUSHRA_CSV_HEADER.join(','), ...rows].join('\r\n') + '\r\n';
}
