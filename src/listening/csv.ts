// A finished ABX test as CSV, for a spreadsheet or a statistics package: a header, then one row per
// trial. Regions are in seconds; a trial heard on the whole clip has empty region cells.
import type { AbxRecord } from './abx-record.js';

export const ABX_CSV_HEADER = ['trial', 'x', 'answer', 'correct', 'ms', 'region_start', 'region_end'] as const;

/** The rows of the answered trials (every trial, for a finished test), with a header; lines end in CRLF (RFC 4180). */
export function abxCsv(r: AbxRecord<unknown>): string {
  const rows = r.answers.map((a) => [a.trial, a.x, a.answer, a.correct, Math.round(a.ms), a.region?.start ?? '', a.region?.end ?? ''].join(','));
  return [ABX_CSV_HEADER.join(','), ...rows].join('\r\n') + '\r\n';
}
