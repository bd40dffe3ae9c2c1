// An ABX test as it is stored (one JSON file, src/listening/store.ts) and the steps it goes through:
// made with its plan drawn (src/listening/abx-plan.ts), answered one trial at a time in order, and
// finished with its verdict once the last trial is answered. Every step returns a new record; the
// service writes it. What the page may see of a record before the end is `abxView`'s to say.
//
// The sides are audio references of the lab's API (src/api/contract.ts AudioRef), which this layer
// of the engine does not know: they are a type parameter here, checked by whoever reads a file.
import { abxVerdict, type AbxVerdict } from '../common/listening-stats.js';
import { abxPlan, type Side } from './abx-plan.js';
import { ListeningError } from './errors.js';

export type { Side };

/** The file format's name and version, so a later format can tell an ABX file of this one. */
export const LISTENING_FORMAT = 'codec-lab-listening';
export const LISTENING_VERSION = 1;

export const ABX_DEFAULT_TRIALS = 16;
export const ABX_MAX_TRIALS = 100;
/** A side's label ("original", a run's title) and a listener's name: one line, this long at most. */
export const LABEL_MAX = 120;

/** A stretch of the clip, in seconds from its start. */
export interface Region {
  start: number;
  end: number;
}

/** The library clip both sides are heard on, by name and content (clip ids last one session only). */
export interface ClipIdentity {
  name: string;
  sha256: string;
}

export type { AbxVerdict };

/** What the listener sees for each side, by the side's letter (so `labels[answer]` names the answer). */
export type SideLabels = Record<Side, string>;

export interface AbxAnswer {
  trial: number;
  /** The side X was (the plan's). */
  x: Side;
  answer: Side;
  correct: boolean;
  /** How long the trial took, from its X being offered to the answer, in milliseconds (the page measures it). */
  ms: number;
  /** The region the listener was looping when answering; null for the whole clip. */
  region: Region | null;
}

export interface AbxRecord<Ref = unknown> {
  format: typeof LISTENING_FORMAT;
  version: typeof LISTENING_VERSION;
  kind: 'abx';
  id: string;
  listener?: string;
  createdAt: string;
  /** Only once every trial is answered. */
  finishedAt?: string;
  compared: { a: Ref; b: Ref; labels: SideLabels; clip: ClipIdentity | null };
  /** The region the test starts on (the listener may move it; each answer records its own). */
  region?: Region;
  trials: number;
  /** Per-trial feedback (practice); without it nothing is told until the end. */
  practice: boolean;
  /** 32 bytes, hex, from the cryptographic random source: the plan follows from it (abx-plan.ts). */
  seed: string;
  /** X of trial 1, 2, ... */
  plan: Side[];
  answers: AbxAnswer[];
  /** Only once every trial is answered. */
  result?: AbxVerdict;
}

/** Why a region cannot be used, or null. */
export function regionProblem(r: Region): string | null {
  if (!Number.isFinite(r.start) || !Number.isFinite(r.end)) return 'a region is { start, end } in seconds, both finite numbers';
  if (r.start < 0) return `a region cannot start before the clip (start ${r.start} s)`;
  if (r.end <= r.start) return `a region must end after it starts (start ${r.start} s, end ${r.end} s)`;
  return null;
}

/** Why a label or a listener's name cannot be used, or null. */
export function labelProblem(what: string, s: string): string | null {
  if (s.trim().length === 0) return `${what} is empty`;
  if (s.length > LABEL_MAX) return `${what} has more than ${LABEL_MAX} characters`;
  if (/[\r\n]/.test(s)) return `${what} must be one line`;
  return null;
}

export interface NewAbx<Ref> {
  id: string;
  a: Ref;
  b: Ref;
  labels: SideLabels;
  clip: ClipIdentity | null;
  region?: Region;
  trials: number;
  practice: boolean;
  listener?: string;
  seed: string;
  createdAt: string;
}

/** A new test, nothing answered; its plan drawn from `seed`. The caller has checked the arguments. */
export function newAbxRecord<Ref>(o: NewAbx<Ref>): AbxRecord<Ref> {
  return {
    format: LISTENING_FORMAT,
    version: LISTENING_VERSION,
    kind: 'abx',
    id: o.id,
    ...(o.listener !== undefined ? { listener: o.listener.trim() } : {}),
    createdAt: o.createdAt,
    compared: { a: o.a, b: o.b, labels: { A: o.labels.A.trim(), B: o.labels.B.trim() }, clip: o.clip },
    ...(o.region ? { region: { start: o.region.start, end: o.region.end } } : {}),
    trials: o.trials,
    practice: o.practice,
    seed: o.seed,
    plan: abxPlan(o.seed, o.trials),
    answers: [],
  };
}

/** The trial to answer next (counted from 1), or null once all are answered. */
export function currentTrial(r: AbxRecord<unknown>): number | null {
  return r.answers.length < r.trials ? r.answers.length + 1 : null;
}

/** The current trial, or ABX_DONE. */
export function requireCurrentTrial(r: AbxRecord<unknown>): number {
  const t = currentTrial(r);
  if (t === null) throw new ListeningError('ABX_DONE', `test ${r.id} is finished: all ${r.trials} trials are answered`);
  return t;
}

/**
 * The record with `trial` answered; finished, with its verdict, if it was the last. Answers come in
 * order, each once: any trial but the current one is ABX_OUT_OF_ORDER (ABX_DONE once all are in).
 */
export function answerAbxTrial<Ref>(r: AbxRecord<Ref>, trial: number, answer: Side, taken: { ms: number; region: Region | null }, now: string): AbxRecord<Ref> {
  const current = requireCurrentTrial(r);
  if (trial !== current) throw new ListeningError('ABX_OUT_OF_ORDER', `test ${r.id} is at trial ${current}; trial ${trial} ${trial < current ? 'is answered already' : 'comes later'}`);
  const x = r.plan[trial - 1];
  const answers = [...r.answers, { trial, x, answer, correct: answer === x, ms: taken.ms, region: taken.region }];
  if (answers.length < r.trials) return { ...r, answers };
  const correct = answers.filter((a) => a.correct).length;
  return { ...r, answers, finishedAt: now, result: abxVerdict(correct, r.trials) };
}

/** An answer as the page may see it before the end: without X and whether it was right, unless practising. */
export type AbxAnswerView = Omit<AbxAnswer, 'x' | 'correct'> & Partial<Pick<AbxAnswer, 'x' | 'correct'>>;

/** A record as the page may see it: the seed and plan only once finished (see abxView). */
export type AbxRecordView<Ref = unknown> = Omit<AbxRecord<Ref>, 'seed' | 'plan' | 'answers'> & { seed?: string; plan?: Side[]; answers: AbxAnswerView[] };

/**
 * What the page may see of a test. Until it is finished, the seed and the plan are left out (either
 * names every X to come); so are X and right-or-wrong of the answered trials unless it is a practice
 * test, since without practice nothing is told until the end. A finished test is shown whole.
 */
export function abxView<Ref>(r: AbxRecord<Ref>): AbxRecordView<Ref> {
  if (r.result !== undefined) return r;
  const { seed: _seed, plan: _plan, answers, ...rest } = r;
  return { ...rest, answers: r.practice ? answers : answers.map(({ x: _x, correct: _c, ...a }) => a) };
}
