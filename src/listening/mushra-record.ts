// A MUSHRA-style test (ITU-R BS.1534-3, "Method for the subjective assessment of intermediate
// quality level of audio systems") as it is stored, and the steps it goes through. One excerpt:
// the open reference, and the conditions rated against it on sliders from 0 to 100, presented in
// a random order (mushra-plan.ts) that the page does not learn until the end:
// - the hidden reference (the reference itself, unlabelled: §5.1; a listener who rates it below 90
//   too often is flagged by post-screening, §4.1.2);
// - the low-pass anchor at 3.5 kHz (§5.1, mandatory) and optionally the mid anchor at 7 kHz;
// - up to 8 runs' reconstructions of the same audio.
// The scores are saved as the listener moves the sliders, so a test survives a restart; it is
// finished (with its result) only when every condition has been heard and scored.
//
// The audio references are the API's (src/api/contract.ts AudioRef), a type parameter here.
import type { LossName } from '../common/loss-scale.js';
import { LISTENING_FORMAT, LISTENING_VERSION, type ClipIdentity, type Region } from './abx-record.js';
import { mushraOrder } from './mushra-plan.js';
import { MUSHRA_SCREEN_SCORE } from '../common/listening-stats.js';
import { ListeningError } from './errors.js';

/** At most this many runs in one test (BS.1534-3 §5.3 advises no more than about 12 conditions in all). */
export const MUSHRA_MAX_RUNS = 8;
/** The hidden reference, the two anchors at most, and the runs. */
export const MUSHRA_MAX_CONDITIONS = 1 + 2 + MUSHRA_MAX_RUNS;

/** What a condition is. */
export type MushraRole = 'hidden-reference' | 'anchor' | 'run';

export interface MushraCondition<Ref> {
  role: MushraRole;
  audio: Ref;
  /** What it is called once revealed: a run's title, "hidden reference", "anchor 3.5 kHz". */
  label: string;
  /** An anchor's low-pass cut-off, Hz. */
  cutoffHz?: number;
}

/** A condition scored against the reference on the rated excerpt, with the app's objective measures. */
export interface ConditionMeasures {
  /** Each loss in dB as src/common/loss-scale.ts reads it (lossInDb); null when the excerpt is shorter than one loss block. */
  lossesDb: Record<LossName, number> | null;
  siSdrDb: number;
  snrDb: number;
  /** Log-spectral distance, bels (src/eval/metrics.ts). */
  lsd: number;
  mcdDb: number;
}

export interface MushraResult {
  /** By condition, in the record's order (not the slots'). */
  scores: number[];
  hiddenReferenceScore: number;
  /** Below 90: BS.1534-3's post-screening counts this against the listener. */
  hiddenReferenceBelow90: boolean;
  /** By condition: its objective measures on the excerpt; null for the hidden reference (it is the reference). */
  measures: (ConditionMeasures | null)[];
}

export interface MushraRecord<Ref = unknown> {
  format: typeof LISTENING_FORMAT;
  version: typeof LISTENING_VERSION;
  kind: 'mushra';
  id: string;
  listener?: string;
  createdAt: string;
  /** Only once every condition is heard and scored. */
  finishedAt?: string;
  compared: { reference: Ref; referenceLabel: string; clip: ClipIdentity | null; conditions: MushraCondition<Ref>[] };
  /** The excerpt, seconds from the start of the audio; the whole of it without one. */
  region?: Region;
  /** 32 bytes, hex, from the cryptographic random source: the order follows from it. */
  seed: string;
  /** Slot s (from 0) presents conditions[order[s]]. */
  order: number[];
  /** By slot: the score so far (null: not yet scored). */
  scores: (number | null)[];
  /** By slot: how long it has been heard (audible, playing), milliseconds, as the page measured. */
  heardMs: number[];
  result?: MushraResult;
}

export interface NewMushra<Ref> {
  id: string;
  reference: Ref;
  referenceLabel: string;
  clip: ClipIdentity | null;
  /** The anchors' audio, each with its cut-off. */
  anchors: { audio: Ref; cutoffHz: number }[];
  runs: { audio: Ref; label: string }[];
  region?: Region;
  listener?: string;
  seed: string;
  createdAt: string;
}

/** "anchor 3.5 kHz" */
export const anchorLabel = (cutoffHz: number): string => `anchor ${cutoffHz / 1000} kHz`;
export const HIDDEN_REFERENCE_LABEL = 'hidden reference';

/** A new test, nothing scored; its order drawn from `seed`. The caller has checked the arguments. */
export function newMushraRecord<Ref>(o: NewMushra<Ref>): MushraRecord<Ref> {
  const conditions: MushraCondition<Ref>[] = [
    { role: 'hidden-reference', audio: o.reference, label: HIDDEN_REFERENCE_LABEL },
    ...o.anchors.map((a) => ({ role: 'anchor' as const, audio: a.audio, label: anchorLabel(a.cutoffHz), cutoffHz: a.cutoffHz })),
    ...o.runs.map((r) => ({ role: 'run' as const, audio: r.audio, label: r.label.trim() })),
  ];
  return {
    format: LISTENING_FORMAT,
    version: LISTENING_VERSION,
    kind: 'mushra',
    id: o.id,
    ...(o.listener !== undefined ? { listener: o.listener.trim() } : {}),
    createdAt: o.createdAt,
    compared: { reference: o.reference, referenceLabel: o.referenceLabel.trim(), clip: o.clip, conditions },
    ...(o.region ? { region: { start: o.region.start, end: o.region.end } } : {}),
    seed: o.seed,
    order: mushraOrder(o.seed, conditions.length),
    scores: conditions.map(() => null),
    heardMs: conditions.map(() => 0),
  };
}

/** Why a score cannot be stored, or null: a number from 0 to 100 (the slider's scale), or null for "not yet". */
export function scoreProblem(s: unknown, slot: number): string | null {
  if (s === null) return null;
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > 100) return `the score of slot ${slot} must be a number from 0 to 100 (or null, not yet scored)`;
  return null;
}

export interface MushraRatings {
  /** By slot: 0 to 100, or null while not scored. */
  scores: (number | null)[];
  /** By slot: milliseconds heard so far. Never decreases. */
  heardMs: number[];
}

/** Why `ratings` do not fit test `r`, or null. */
export function ratingsProblem(r: MushraRecord<unknown>, ratings: MushraRatings): string | null {
  const n = r.order.length;
  if (!Array.isArray(ratings.scores) || ratings.scores.length !== n) return `test ${r.id} has ${n} conditions: scores must list ${n} (a number or null each)`;
  if (!Array.isArray(ratings.heardMs) || ratings.heardMs.length !== n) return `test ${r.id} has ${n} conditions: heardMs must list ${n}`;
  for (let s = 0; s < n; s++) {
    const p = scoreProblem(ratings.scores[s], s + 1);
    if (p) return p;
    const ms = ratings.heardMs[s];
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return `heardMs of slot ${s + 1} must be a number of milliseconds, at least 0`;
  }
  return null;
}

/** The test with `ratings` saved (not finished). Heard times never go down: a stale page cannot undo listening. */
export function saveRatings<Ref>(r: MushraRecord<Ref>, ratings: MushraRatings): MushraRecord<Ref> {
  requireUnfinished(r);
  return { ...r, scores: [...ratings.scores], heardMs: ratings.heardMs.map((ms, s) => Math.max(ms, r.heardMs[s])) };
}

export function requireUnfinished(r: MushraRecord<unknown>): void {
  if (r.result !== undefined) throw new ListeningError('MUSHRA_DONE', `test ${r.id} is finished: its scores are final`);
}

/**
 * Why the test cannot be submitted yet, or null: BS.1534-3 asks the listener to hear every
 * condition and score it; a slot never heard, or not scored, is named (counted from 1).
 */
export function submitProblem(r: MushraRecord<unknown>): string | null {
  const unheard = r.heardMs.flatMap((ms, s) => (ms > 0 ? [] : [s + 1]));
  if (unheard.length) return `play every condition before submitting: ${unheard.map((s) => `#${s}`).join(', ')} not heard yet`;
  const unscored = r.scores.flatMap((v, s) => (v === null ? [s + 1] : []));
  if (unscored.length) return `score every condition before submitting: ${unscored.map((s) => `#${s}`).join(', ')} not scored yet`;
  return null;
}

/** The scores by condition (the record's order), from the scores by slot. */
export function scoresByCondition(r: MushraRecord<unknown>): number[] {
  const out = new Array<number>(r.order.length);
  r.order.forEach((condition, slot) => (out[condition] = r.scores[slot] as number));
  return out;
}

/** The finished test: its result, with each condition's measures (by condition) as the engine scored them. */
export function finishMushra<Ref>(r: MushraRecord<Ref>, measures: (ConditionMeasures | null)[], now: string): MushraRecord<Ref> {
  requireUnfinished(r);
  const problem = submitProblem(r);
  if (problem) throw new ListeningError('MUSHRA_INCOMPLETE', `test ${r.id}: ${problem}`);
  const scores = scoresByCondition(r);
  const hidden = r.compared.conditions.findIndex((c) => c.role === 'hidden-reference');
  const hiddenReferenceScore = scores[hidden];
  return { ...r, finishedAt: now, result: { scores, hiddenReferenceScore, hiddenReferenceBelow90: hiddenReferenceScore < MUSHRA_SCREEN_SCORE, measures } };
}

/** A slot as the page sees it: its audio (by slot, not by what it is), score and time heard; once finished, what it was. */
export interface MushraSlotView<SlotRef> {
  slot: number;
  audio: SlotRef;
  score: number | null;
  heardMs: number;
  /** Only once finished: what the slot was, and its index among the conditions (the result's scores and measures follow that order). */
  revealed?: { condition: number; role: MushraRole; label: string; cutoffHz?: number };
}

export interface MushraView<Ref, SlotRef> {
  id: string;
  kind: 'mushra';
  listener: string | null;
  createdAt: string;
  finishedAt: string | null;
  reference: Ref;
  referenceLabel: string;
  clip: ClipIdentity | null;
  region: Region | null;
  slots: MushraSlotView<SlotRef>[];
  result: MushraResult | null;
  /** Once finished: every condition, in the record's order (the result's scores and measures follow it). */
  conditions: MushraCondition<Ref>[] | null;
}

/**
 * What the page may see of a test. Until it is finished, each slot is only its number, its audio
 * (a reference that names the slot, `slotRef`) and its score: neither the order nor the seed, which
 * would say which slot is the hidden reference or a run. A finished test is shown whole.
 */
export function mushraView<Ref, SlotRef>(r: MushraRecord<Ref>, slotRef: (slot: number) => SlotRef): MushraView<Ref, SlotRef> {
  const done = r.result !== undefined;
  return {
    id: r.id,
    kind: 'mushra',
    listener: r.listener ?? null,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt ?? null,
    reference: r.compared.reference,
    referenceLabel: r.compared.referenceLabel,
    clip: r.compared.clip,
    region: r.region ?? null,
    slots: r.order.map((condition, s) => {
      const c = r.compared.conditions[condition];
      return {
        slot: s + 1,
        audio: slotRef(s + 1),
        score: r.scores[s],
        heardMs: r.heardMs[s],
        ...(done ? { revealed: { condition, role: c.role, label: c.label, ...(c.cutoffHz !== undefined ? { cutoffHz: c.cutoffHz } : {}) } } : {}),
      };
    }),
    result: r.result ?? null,
    conditions: done ? r.compared.conditions : null,
  };
}

/** The condition slot `slot` (counted from 1) presents. */
export function conditionOfSlot<Ref>(r: MushraRecord<Ref>, slot: number): MushraCondition<Ref> {
  if (!Number.isInteger(slot) || slot < 1 || slot > r.order.length) throw new ListeningError('LISTENING_NOT_FOUND', `test ${r.id} has ${r.order.length} conditions, not #${slot}`);
  return r.compared.conditions[r.order[slot - 1]];
}
