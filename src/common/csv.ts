// CSV as RFC 4180 writes it: a field quoted when it holds a comma, a quote or a line break (its
// quotes doubled), lines ending in CRLF. Shared by the engine's listening-test exports and the
// page's own tables.

/** A text in quotes, its own quotes doubled (always allowed; needed with a comma, quote or line break). */
export const csvQuoted = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** A field, quoted only when it must be. */
export function csvField(v: string | number | boolean): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? csvQuoted(s) : s;
}

/** Rows of fields as one CSV text, a CRLF after every line. */
export function csvText(rows: readonly (readonly (string | number | boolean)[])[]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
