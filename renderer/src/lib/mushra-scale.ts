// The MUSHRA page's scale and rules, as ITU-R BS.1534-3 sets them: the continuous quality scale
// from 0 to 100 with its five labelled bands (§5.2, Fig. 1), and "hear and score every condition
// before submitting" (the engine's submitProblem refuses a submission otherwise; the page says what
// is missing before the student tries).

/** Top to bottom, as drawn beside the sliders. */
export const MUSHRA_BANDS: readonly { label: string; from: number; to: number }[] = [
  { label: 'Excellent', from: 80, to: 100 },
  { label: 'Good', from: 60, to: 80 },
  { label: 'Fair', from: 40, to: 60 },
  { label: 'Poor', from: 20, to: 40 },
  { label: 'Bad', from: 0, to: 20 },
];

/** The band a score falls in (a boundary belongs to the band above: 80 is Excellent). */
export function bandOf(score: number): string {
  return (MUSHRA_BANDS.find((b) => score >= b.from) ?? MUSHRA_BANDS[MUSHRA_BANDS.length - 1]).label;
}

/** A score moved by `step` from `score` (null, not yet scored, moves from 0), kept on the scale's whole numbers. */
export function stepScore(score: number | null, step: number): number {
  return Math.max(0, Math.min(100, Math.round((score ?? 0) + step)));
}

const slotList = (slots: number[]) => slots.map((s) => `#${s}`).join(', ');

/**
 * What stops a submission, in words ("play #2, #3; score #1"), or null when every slot (counted
 * from 1 in what is said) has been heard and scored.
 */
export function missingForSubmit(scores: readonly (number | null)[], heardMs: readonly number[]): string | null {
  const unheard = heardMs.flatMap((ms, i) => (ms > 0 ? [] : [i + 1]));
  const unscored = scores.flatMap((s, i) => (s === null ? [i + 1] : []));
  const parts = [unheard.length ? `play ${slotList(unheard)}` : '', unscored.length ? `score ${slotList(unscored)}` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : null;
}

/**
 * A condition's mean score as Compare shows it: "MUSHRA 72 [65–79], n = 4", or "MUSHRA 72, n = 1,
 * no interval" (one rating has no spread). The interval is clipped to the scale for display only.
 */
export function fmtMushraMean(c: { mean: number; n: number; low: number | null; high: number | null }): string {
  const mean = Math.round(c.mean);
  if (c.low === null || c.high === null) return `MUSHRA ${mean}, n = ${c.n}, no interval`;
  return `MUSHRA ${mean} [${Math.round(Math.max(0, c.low))}–${Math.round(Math.min(100, c.high))}], n = ${c.n}`;
}
