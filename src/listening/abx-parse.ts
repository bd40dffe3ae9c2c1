// A stored ABX file read back, checked field by field. A file copied from elsewhere, edited by hand
// or written by a later version may hold anything; what it holds is accepted only if it is a test
// this engine could have written: the right shape, the plan its seed gives, answers in order that
// agree with the plan, and a verdict only when every trial is answered. Anything else is
// LISTENING_DAMAGED with the reason, and the list shows it as damaged (never breaking).
import { describeValue } from '../util/describe-value.js';
import { abxPlan, SEED_PATTERN, type Side } from './abx-plan.js';
import { ABX_MAX_TRIALS, labelProblem, LISTENING_FORMAT, LISTENING_VERSION, regionProblem, type AbxAnswer, type AbxRecord, type ClipIdentity, type Region } from './abx-record.js';
import { ListeningError } from './errors.js';

/** Checks a stored audio reference; returns it (or a clean copy) or throws with what is wrong. */
export type RefCheck<Ref> = (value: unknown, where: string) => Ref;

class Damage extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function object(v: unknown, where: string): Record<string, unknown> {
  if (!isObject(v)) throw new Damage(`${where} should be an object, not ${describeValue(v)}`);
  return v;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new Damage(`${where} should be a string, not ${describeValue(v)}`);
  return v;
}

function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Damage(`${where} should be a finite number, not ${describeValue(v)}`);
  return v;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new Damage(`${where} should be true or false, not ${describeValue(v)}`);
  return v;
}

function side(v: unknown, where: string): Side {
  if (v !== 'A' && v !== 'B') throw new Damage(`${where} should be 'A' or 'B', not ${describeValue(v)}`);
  return v;
}

function date(v: unknown, where: string): string {
  const s = str(v, where);
  if (Number.isNaN(Date.parse(s))) throw new Damage(`${where} is not a date: ${JSON.stringify(s.slice(0, 40))}`);
  return s;
}

function label(v: unknown, where: string): string {
  const s = str(v, where);
  const problem = labelProblem(where, s);
  if (problem) throw new Damage(problem);
  return s;
}

function region(v: unknown, where: string): Region {
  const o = object(v, where);
  const r = { start: num(o.start, `${where}.start`), end: num(o.end, `${where}.end`) };
  const problem = regionProblem(r);
  if (problem) throw new Damage(`${where}: ${problem}`);
  return r;
}

function clip(v: unknown, where: string): ClipIdentity | null {
  if (v === null) return null;
  const o = object(v, where);
  const sha256 = str(o.sha256, `${where}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Damage(`${where}.sha256 is not a SHA-256 in hex`);
  return { name: str(o.name, `${where}.name`), sha256 };
}

function answer(v: unknown, where: string, trial: number, plan: readonly Side[]): AbxAnswer {
  const o = object(v, where);
  const a: AbxAnswer = {
    trial: num(o.trial, `${where}.trial`),
    x: side(o.x, `${where}.x`),
    answer: side(o.answer, `${where}.answer`),
    correct: bool(o.correct, `${where}.correct`),
    ms: num(o.ms, `${where}.ms`),
    region: o.region === null ? null : region(o.region, `${where}.region`),
  };
  if (a.trial !== trial) throw new Damage(`${where} answers trial ${a.trial}, not ${trial}: answers must be in order`);
  if (a.x !== plan[trial - 1]) throw new Damage(`${where} says X was ${a.x}, but the plan says ${plan[trial - 1]}`);
  if (a.correct !== (a.answer === a.x)) throw new Damage(`${where}.correct disagrees with its answer and X`);
  if (a.ms < 0) throw new Damage(`${where}.ms is negative`);
  return a;
}

/** The verdict as stored: its counts must be the answers' own. */
function verdict(v: unknown, where: string, answers: readonly AbxAnswer[]): NonNullable<AbxRecord['result']> {
  const o = object(v, where);
  const r = {
    correct: num(o.correct, `${where}.correct`),
    trials: num(o.trials, `${where}.trials`),
    pValue: num(o.pValue, `${where}.pValue`),
    distinguished: bool(o.distinguished, `${where}.distinguished`),
    sentence: str(o.sentence, `${where}.sentence`),
  };
  const correct = answers.filter((a) => a.correct).length;
  if (r.correct !== correct || r.trials !== answers.length) throw new Damage(`${where} says ${r.correct} of ${r.trials}, but the answers are ${correct} of ${answers.length}`);
  return r;
}

/** A side's audio reference, as `checkRef` judges it; whatever it refuses is damage. */
function ref<Ref>(checkRef: RefCheck<Ref>, v: unknown, where: string): Ref {
  try {
    return checkRef(v, where);
  } catch (e) {
    throw new Damage(e instanceof Error ? e.message : `${where} is not an audio reference`);
  }
}

function parse<Ref>(v: unknown, id: string, checkRef: RefCheck<Ref>): AbxRecord<Ref> {
  const o = object(v, 'the file');
  if (o.format !== LISTENING_FORMAT) throw new Damage(`it is not a listening test (format ${describeValue(o.format)}, not '${LISTENING_FORMAT}')`);
  if (o.version !== LISTENING_VERSION) throw new Damage(`its version ${describeValue(o.version)} is not one this Codec Lab reads (${LISTENING_VERSION})`);
  if (o.kind !== 'abx') throw new Damage(`its kind ${describeValue(o.kind)} is not one this Codec Lab reads ('abx')`);
  if (str(o.id, 'id') !== id) throw new Damage(`its id '${String(o.id).slice(0, 60)}' is not its file's name`);
  const trials = num(o.trials, 'trials');
  if (!Number.isInteger(trials) || trials < 1 || trials > ABX_MAX_TRIALS) throw new Damage(`trials should be a whole number from 1 to ${ABX_MAX_TRIALS}, not ${trials}`);
  const seed = str(o.seed, 'seed');
  if (!SEED_PATTERN.test(seed)) throw new Damage('seed is not 64 hex digits');
  const plan = abxPlan(seed, trials);
  if (!Array.isArray(o.plan) || o.plan.length !== trials || o.plan.some((x, i) => x !== plan[i])) throw new Damage('plan is not the one its seed gives');
  const compared = object(o.compared, 'compared');
  const labels = object(compared.labels, 'compared.labels');
  if (!Array.isArray(o.answers)) throw new Damage(`answers should be a list, not ${describeValue(o.answers)}`);
  if (o.answers.length > trials) throw new Damage(`it has ${o.answers.length} answers for ${trials} trials`);
  const answers = o.answers.map((a, i) => answer(a, `answers[${i}]`, i + 1, plan));
  const finished = answers.length === trials;
  if (finished !== (o.result !== undefined) || finished !== (o.finishedAt !== undefined)) {
    throw new Damage(finished ? 'every trial is answered, but it has no result or no finishedAt' : `only ${answers.length} of ${trials} trials are answered, but it has a result or a finishedAt`);
  }
  return {
    format: LISTENING_FORMAT,
    version: LISTENING_VERSION,
    kind: 'abx',
    id,
    ...(o.listener !== undefined ? { listener: label(o.listener, 'listener') } : {}),
    createdAt: date(o.createdAt, 'createdAt'),
    ...(finished ? { finishedAt: date(o.finishedAt, 'finishedAt') } : {}),
    compared: {
      a: ref(checkRef, compared.a, 'compared.a'),
      b: ref(checkRef, compared.b, 'compared.b'),
      labels: { A: label(labels.A, 'compared.labels.A'), B: label(labels.B, 'compared.labels.B') },
      clip: clip(compared.clip, 'compared.clip'),
    },
    ...(o.region !== undefined ? { region: region(o.region, 'region') } : {}),
    trials,
    practice: bool(o.practice, 'practice'),
    seed,
    plan,
    answers,
    ...(finished ? { result: verdict(o.result, 'result', answers) } : {}),
  };
}

/**
 * The ABX test `value` holds (a file's parsed JSON, the file named `<id>.json`), rebuilt from the
 * known fields only; LISTENING_DAMAGED with the reason if it is not one. `checkRef` judges the sides'
 * audio references (whatever it throws, its message becomes the reason).
 */
export function parseAbxRecord<Ref>(value: unknown, id: string, checkRef: RefCheck<Ref>): AbxRecord<Ref> {
  try {
    return parse(value, id, checkRef);
  } catch (e) {
    if (e instanceof Damage) throw new ListeningError('LISTENING_DAMAGED', `listening test ${id}: ${e.message}`);
    throw e;
  }
}
