// A stored ABX file read back, checked field by field. A file copied from elsewhere, edited by hand
// or written by a later version may hold anything; what it holds is accepted only if it is a test
// this engine could have written: the right shape, the plan its seed gives, answers in order that
// agree with the plan, and a verdict only when every trial is answered. Anything else is
// LISTENING_DAMAGED with the reason, and the list shows it as damaged (never breaking).
import { describeValue } from '../util/describe-value.js';
import { abxPlan, type Side } from './abx-plan.js';
import { SEED_PATTERN } from './seed.js';
import { ABX_MAX_TRIALS, LISTENING_FORMAT, LISTENING_VERSION, type AbxAnswer, type AbxRecord } from './abx-record.js';
import { asDamaged, bool, clip, Damage, date, header, label, num, object, ref, region, str, type RefCheck } from './parse-fields.js';

export type { RefCheck };

function side(v: unknown, where: string): Side {
  if (v !== 'A' && v !== 'B') throw new Damage(`${where} should be 'A' or 'B', not ${describeValue(v)}`);
  return v;
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

/** The ABX test in a file's parsed JSON (the file named `<id>.json`); throws Damage if it is none. */
export function abxFromJson<Ref>(v: unknown, id: string, checkRef: RefCheck<Ref>): AbxRecord<Ref> {
  const { o } = header(v, id, ['abx']);
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
  return asDamaged(id, () => abxFromJson(value, id, checkRef));
}
