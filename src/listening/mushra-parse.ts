// A stored MUSHRA file read back, checked field by field (see parse-fields.ts): the right shape; one
// hidden reference, anchors with a known cut-off, 1 to 8 runs; the order its seed gives; scores by
// slot from 0 to 100; and a result only when every slot was heard and scored, its scores the slots'
// own. Anything else is damage, which the list shows (never breaking).
import { describeValue } from '../util/describe-value.js';
import { MUSHRA_SCREEN_SCORE } from '../common/listening-stats.js';
import { LOSS_NAMES, type LossName } from '../common/loss-scale.js';
import { LISTENING_FORMAT, LISTENING_VERSION } from './abx-record.js';
import { anchorLabel, HIDDEN_REFERENCE_LABEL, MUSHRA_MAX_RUNS, scoreProblem, scoresByCondition, submitProblem, type ConditionMeasures, type MushraCondition, type MushraRecord, type MushraResult } from './mushra-record.js';
import { mushraOrder } from './mushra-plan.js';
import { SEED_PATTERN } from './seed.js';
import { bool, clip, Damage, date, header, label, num, object, ref, region, str, type RefCheck } from './parse-fields.js';

/** The anchors' cut-offs a file may name (BS.1534-3: 3.5 kHz, and the optional 7 kHz). */
const ANCHOR_HZ = [3500, 7000];

function list(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new Damage(`${where} should be a list, not ${describeValue(v)}`);
  return v;
}

function condition<Ref>(v: unknown, where: string, checkRef: RefCheck<Ref>): MushraCondition<Ref> {
  const o = object(v, where);
  const role = o.role;
  if (role !== 'hidden-reference' && role !== 'anchor' && role !== 'run') throw new Damage(`${where}.role should be 'hidden-reference', 'anchor' or 'run', not ${describeValue(role)}`);
  const c: MushraCondition<Ref> = { role, audio: ref(checkRef, o.audio, `${where}.audio`), label: label(o.label, `${where}.label`) };
  if (role === 'anchor') {
    const hz = num(o.cutoffHz, `${where}.cutoffHz`);
    if (!ANCHOR_HZ.includes(hz)) throw new Damage(`${where}.cutoffHz should be ${ANCHOR_HZ.join(' or ')}, not ${hz}`);
    if (c.label !== anchorLabel(hz)) throw new Damage(`${where}.label should be '${anchorLabel(hz)}'`);
    c.cutoffHz = hz;
  } else if (o.cutoffHz !== undefined) throw new Damage(`${where} is no anchor but has a cutoffHz`);
  if (role === 'hidden-reference' && c.label !== HIDDEN_REFERENCE_LABEL) throw new Damage(`${where}.label should be '${HIDDEN_REFERENCE_LABEL}'`);
  return c;
}

function measures(v: unknown, where: string): ConditionMeasures | null {
  if (v === null) return null;
  const o = object(v, where);
  let lossesDb: Record<LossName, number> | null = null;
  if (o.lossesDb !== null) {
    const l = object(o.lossesDb, `${where}.lossesDb`);
    lossesDb = Object.fromEntries(LOSS_NAMES.map((n) => [n, num(l[n], `${where}.lossesDb.${n}`)])) as Record<LossName, number>;
  }
  return { lossesDb, siSdrDb: num(o.siSdrDb, `${where}.siSdrDb`), snrDb: num(o.snrDb, `${where}.snrDb`), lsd: num(o.lsd, `${where}.lsd`), mcdDb: num(o.mcdDb, `${where}.mcdDb`) };
}

function result<Ref>(v: unknown, where: string, r: MushraRecord<Ref>): MushraResult {
  const o = object(v, where);
  const scores = scoresByCondition(r);
  const stored = list(o.scores, `${where}.scores`).map((s, i) => num(s, `${where}.scores[${i}]`));
  if (stored.length !== scores.length || stored.some((s, i) => s !== scores[i])) throw new Damage(`${where}.scores are not the slots' scores in the conditions' order`);
  const hidden = scores[r.compared.conditions.findIndex((c) => c.role === 'hidden-reference')];
  if (num(o.hiddenReferenceScore, `${where}.hiddenReferenceScore`) !== hidden) throw new Damage(`${where}.hiddenReferenceScore is not the hidden reference's score`);
  if (bool(o.hiddenReferenceBelow90, `${where}.hiddenReferenceBelow90`) !== hidden < MUSHRA_SCREEN_SCORE) throw new Damage(`${where}.hiddenReferenceBelow90 disagrees with the score`);
  const ms = list(o.measures, `${where}.measures`).map((m, i) => measures(m, `${where}.measures[${i}]`));
  if (ms.length !== scores.length) throw new Damage(`${where}.measures should list one entry per condition`);
  return { scores, hiddenReferenceScore: hidden, hiddenReferenceBelow90: hidden < MUSHRA_SCREEN_SCORE, measures: ms };
}

/** The MUSHRA test in a file's parsed JSON (the file named `<id>.json`); throws Damage if it is none. */
export function mushraFromJson<Ref>(v: unknown, id: string, checkRef: RefCheck<Ref>): MushraRecord<Ref> {
  const { o } = header(v, id, ['mushra']);
  const compared = object(o.compared, 'compared');
  const conditions = list(compared.conditions, 'compared.conditions').map((c, i) => condition(c, `compared.conditions[${i}]`, checkRef));
  const count = (role: string) => conditions.filter((c) => c.role === role).length;
  if (count('hidden-reference') !== 1) throw new Damage('compared.conditions should hold exactly one hidden reference');
  if (count('run') < 1 || count('run') > MUSHRA_MAX_RUNS) throw new Damage(`compared.conditions should hold 1 to ${MUSHRA_MAX_RUNS} runs, not ${count('run')}`);
  const seed = str(o.seed, 'seed');
  if (!SEED_PATTERN.test(seed)) throw new Damage('seed is not 64 hex digits');
  const order = mushraOrder(seed, conditions.length);
  const storedOrder = list(o.order, 'order');
  if (storedOrder.length !== order.length || storedOrder.some((x, i) => x !== order[i])) throw new Damage('order is not the one its seed gives');
  const scores = list(o.scores, 'scores').map((s, i) => {
    if (scoreProblem(s, i + 1)) throw new Damage(`scores[${i}] should be a number from 0 to 100 or null, not ${describeValue(s)}`);
    return s as number | null;
  });
  const heardMs = list(o.heardMs, 'heardMs').map((ms, i) => {
    const n = num(ms, `heardMs[${i}]`);
    if (n < 0) throw new Damage(`heardMs[${i}] is negative`);
    return n;
  });
  if (scores.length !== order.length || heardMs.length !== order.length) throw new Damage(`scores and heardMs should list one entry per condition (${order.length})`);
  const record: MushraRecord<Ref> = {
    format: LISTENING_FORMAT,
    version: LISTENING_VERSION,
    kind: 'mushra',
    id,
    ...(o.listener !== undefined ? { listener: label(o.listener, 'listener') } : {}),
    createdAt: date(o.createdAt, 'createdAt'),
    compared: {
      reference: ref(checkRef, compared.reference, 'compared.reference'),
      referenceLabel: label(compared.referenceLabel, 'compared.referenceLabel'),
      clip: clip(compared.clip, 'compared.clip'),
      conditions,
    },
    ...(o.region !== undefined ? { region: region(o.region, 'region') } : {}),
    seed,
    order,
    scores,
    heardMs,
  };
  const finished = o.result !== undefined;
  if (finished !== (o.finishedAt !== undefined)) throw new Damage('it has a result without finishedAt, or the reverse');
  if (!finished) return record;
  const problem = submitProblem(record);
  if (problem) throw new Damage(`it has a result, but not every condition was heard and scored (${problem})`);
  return { ...record, finishedAt: date(o.finishedAt, 'finishedAt'), result: result(o.result, 'result', record) };
}
