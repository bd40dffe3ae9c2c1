// The engine side of a MUSHRA test (src/listening): the order drawn from the secret seed, the record's
// steps (ratings saved, submit refused until every slot is heard and scored, the result by
// condition), what the page may see before the end, a stored file read back (and damaged ones
// refused with the reason), the CSV, and the results of several tests together: means with their
// 95% intervals, post-screening (BS.1534-3 §4.1.2) and which measure agrees with the ears.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mushraOrder } from '../../src/listening/mushra-plan.js';
import { seededInt } from '../../src/listening/seed.js';
import { finishMushra, mushraView, newMushraRecord, saveRatings, submitProblem, type ConditionMeasures, type MushraRecord } from '../../src/listening/mushra-record.js';
import { mushraFromJson } from '../../src/listening/mushra-parse.js';
import { parseListeningRecord } from '../../src/listening/record.js';
import { aggregateMushra } from '../../src/listening/aggregate.js';
import { mushraCsv } from '../../src/listening/csv.js';
import { summarizeTest } from '../../src/listening/summary.js';
import { LOSS_NAMES } from '../../src/common/loss-scale.js';
import { ListeningError } from '../../src/listening/errors.js';

type Ref = { kind: string; runId?: string; clipId?: string; cutoffHz?: number };
const checkRef = (v: unknown) => v as Ref;
const seedOf = (i: number) => createHash('sha256').update(`seed ${i}`).digest('hex');
const SEED = seedOf(0);
const REFERENCE: Ref = { kind: 'model-input', clipId: 'c1' };
const run = (id: string): Ref => ({ kind: 'reconstruction', runId: id, clipId: 'c1' });

function record(o: { runs?: string[]; listener?: string; seed?: string; sevenK?: boolean } = {}): MushraRecord<Ref> {
  return newMushraRecord<Ref>({
    id: 'm1',
    reference: REFERENCE,
    referenceLabel: 'original',
    clip: { name: 'piano.wav', sha256: 'a'.repeat(64) },
    anchors: (o.sevenK ? [3500, 7000] : [3500]).map((cutoffHz) => ({ audio: { kind: 'anchor', cutoffHz }, cutoffHz })),
    runs: (o.runs ?? ['r1', 'r2']).map((id) => ({ audio: run(id), label: `run ${id}` })),
    region: { start: 1, end: 5 },
    ...(o.listener !== undefined ? { listener: o.listener } : {}),
    seed: o.seed ?? SEED,
    createdAt: '2026-03-01T12:00:00.000Z',
  });
}

/** Scores by condition (hidden reference, anchors, runs in the record's order) put on the slots, every slot heard. */
function rated(r: MushraRecord<Ref>, byCondition: number[]): MushraRecord<Ref> {
  const scores = r.order.map((c) => byCondition[c]);
  return saveRatings(r, { scores, heardMs: r.order.map(() => 1000) });
}

const measures = (snr: number, melDb = 10 - snr / 10): ConditionMeasures => ({
  lossesDb: Object.fromEntries(LOSS_NAMES.map((n) => [n, n === 'mel-db-l1' ? melDb : 1])) as ConditionMeasures['lossesDb'],
  siSdrDb: snr,
  snrDb: snr,
  lsd: 0.5,
  mcdDb: 3,
});

function finished(o: { runs?: string[]; listener?: string; seed?: string }, byCondition: number[], m?: (ConditionMeasures | null)[]): MushraRecord<Ref> {
  const r = record(o);
  return finishMushra(rated(r, byCondition), m ?? r.compared.conditions.map((c) => (c.role === 'hidden-reference' ? null : measures(0))), '2026-03-01T12:10:00.000Z');
}

describe('the order of a MUSHRA test', () => {
  it('is a permutation that its seed reproduces, different for different seeds', () => {
    const order = mushraOrder(SEED, 11);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(11).keys()]);
    expect(mushraOrder(SEED, 11)).toEqual(order);
    const others = [1, 2, 3, 4].map((i) => mushraOrder(seedOf(i), 11).join());
    expect(new Set([order.join(), ...others]).size).toBe(5);
  });

  it('makes every order of 3 conditions about equally likely over 1200 seeds (chi-square, 5 degrees of freedom)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 1200; i++) {
      const k = mushraOrder(seedOf(i), 3).join();
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - 200) ** 2 / 200, 0);
    // The 0.999 quantile of chi-square with 5 degrees of freedom is 20.5: a biased shuffle (e.g. a
    // draw from all n at every step) gives far more at this size.
    expect(chi2).toBeLessThan(20.5);
  });

  it('draws whole numbers below n, rejecting the uneven top of the 32-bit range', () => {
    let counter = 0;
    for (let i = 0; i < 200; i++) {
      const d = seededInt(SEED, 'test', counter, 7);
      expect(Number.isInteger(d.value) && d.value >= 0 && d.value < 7).toBe(true);
      expect(d.next).toBeGreaterThan(counter);
      counter = d.next;
    }
    expect(() => seededInt(SEED, 'test', 0, 0)).toThrow(RangeError);
    expect(() => mushraOrder('xyz', 3)).toThrow(RangeError);
  });
});

describe('a MUSHRA record', () => {
  it('holds the hidden reference, the anchors and the runs, nothing scored, in the order its seed gives', () => {
    const r = record({ sevenK: true });
    expect(r.compared.conditions.map((c) => [c.role, c.label])).toEqual([
      ['hidden-reference', 'hidden reference'],
      ['anchor', 'anchor 3.5 kHz'],
      ['anchor', 'anchor 7 kHz'],
      ['run', 'run r1'],
      ['run', 'run r2'],
    ]);
    expect(r.compared.conditions[0].audio).toEqual(REFERENCE);
    expect(r.order).toEqual(mushraOrder(SEED, 5));
    expect(r.scores).toEqual([null, null, null, null, null]);
    expect(submitProblem(r)).toMatch(/play every condition before submitting: #1, #2, #3, #4, #5 not heard yet/);
  });

  it('refuses to finish until every slot is heard and scored, then gives the scores by condition', () => {
    const r = record();
    const heardButOne = saveRatings(r, { scores: [50, 60, null, 70], heardMs: [10, 10, 10, 10] });
    expect(submitProblem(heardButOne)).toBe('score every condition before submitting: #3 not scored yet');
    expect(() => finishMushra(heardButOne, [], 'now')).toThrow(ListeningError);
    // A stale page cannot lower the time heard.
    expect(saveRatings(heardButOne, { scores: [50, 60, 55, 70], heardMs: [0, 5, 20, 10] }).heardMs).toEqual([10, 10, 20, 10]);

    const byCondition = [100, 20, 71, 64]; // hidden reference, anchor, r1, r2
    const done = finishMushra(rated(r, byCondition), [null, measures(1), measures(2), measures(3)], '2026-03-01T12:10:00.000Z');
    expect(done.result).toMatchObject({ scores: byCondition, hiddenReferenceScore: 100, hiddenReferenceBelow90: false });
    expect(() => saveRatings(done, { scores: [1, 1, 1, 1], heardMs: [1, 1, 1, 1] })).toThrow(expect.objectContaining({ code: 'MUSHRA_DONE' }));
  });

  it('shows the page each slot by number only until it is finished, then what each was', () => {
    const r = record();
    const view = mushraView(r, (slot) => ({ kind: 'mushra-slot', slot }));
    const text = JSON.stringify(view);
    for (const secret of ['seed', 'order', 'hidden', 'anchor', 'run r1', 'r2', 'conditions":[']) expect(text).not.toContain(secret);
    expect(view.slots.map((s) => s.slot)).toEqual([1, 2, 3, 4]);

    const done = finished({}, [95, 10, 70, 40]);
    const revealed = mushraView(done, (slot) => ({ kind: 'mushra-slot', slot }));
    expect(revealed.slots.map((s) => [s.revealed!.label, s.score])).toEqual(done.order.map((c) => [done.compared.conditions[c].label, [95, 10, 70, 40][c]]));
  });
});

describe('a stored MUSHRA file', () => {
  const roundTrip = (r: MushraRecord<Ref>) => mushraFromJson(JSON.parse(JSON.stringify(r)), r.id, checkRef);

  it('reads back as it was written, unfinished or finished', () => {
    const open = saveRatings(record(), { scores: [50, null, null, 10], heardMs: [300, 0, 0, 20] });
    expect(roundTrip(open)).toEqual(open);
    const done = finished({ listener: 'Jo' }, [95, 10, 70, 40]);
    expect(roundTrip(done)).toEqual(done);
    expect(summarizeTest({ id: done.id, record: done })).toMatchObject({
      kind: 'mushra',
      finished: true,
      listener: 'Jo',
      conditions: 4,
      scored: 4,
      result: { scores: [{ role: 'hidden-reference', score: 95 }, { role: 'anchor', cutoffHz: 3500, score: 10 }, { role: 'run', run: 'r1', score: 70 }, { role: 'run', run: 'r2', score: 40 }], hiddenReferenceBelow90: false },
    });
  });

  it('is refused, with the reason, when it is not one this engine could have written', () => {
    const done = finished({}, [95, 10, 70, 40]);
    const damaged = (change: (o: Record<string, any>) => void): string => {
      const o = JSON.parse(JSON.stringify(done));
      change(o);
      try {
        parseListeningRecord(o, done.id, checkRef);
        return 'accepted';
      } catch (e) {
        expect(e).toMatchObject({ code: 'LISTENING_DAMAGED' });
        return (e as Error).message;
      }
    };
    expect(damaged(() => {})).toBe('accepted');
    expect(damaged((o) => (o.order = [...o.order].reverse()))).toMatch(/order is not the one its seed gives/);
    expect(damaged((o) => (o.scores[0] = 101))).toMatch(/scores\[0\] should be a number from 0 to 100/);
    expect(damaged((o) => (o.result.scores[2] = 1))).toMatch(/result\.scores are not the slots' scores/);
    expect(damaged((o) => (o.heardMs[1] = 0))).toMatch(/not every condition was heard/);
    expect(damaged((o) => (o.compared.conditions[1].role = 'hidden-reference'))).toMatch(/conditions\[1\] is no anchor but has a cutoffHz/);
    expect(damaged((o) => (o.compared.conditions[1] = { ...o.compared.conditions[0] }))).toMatch(/exactly one hidden reference/);
    expect(damaged((o) => (o.compared.conditions[1].cutoffHz = 5000))).toMatch(/cutoffHz should be 3500 or 7000/);
    expect(damaged((o) => delete o.finishedAt)).toMatch(/result without finishedAt/);
    expect(damaged((o) => (o.kind = 'mos'))).toMatch(/its kind the string "mos" is not one this Codec Lab reads \('abx', 'mushra'\)/);
  });

  it('gives one CSV row per slot, in the order presented, with what it was and its measures', () => {
    const done = finished({}, [95, 10, 70, 40], [null, measures(1), measures(12), measures(8)]);
    const lines = mushraCsv(done).trimEnd().split('\r\n');
    expect(lines[0]).toBe('slot,role,condition,cutoff_hz,score,heard_ms,si_sdr_db,snr_db,lsd_bels,mcd_db');
    expect(lines).toHaveLength(5);
    const hiddenSlot = done.order.indexOf(0) + 1;
    expect(lines[hiddenSlot]).toBe(`${hiddenSlot},hidden-reference,"hidden reference",,95,1000,,,,`);
    const r1Slot = done.order.indexOf(2) + 1;
    expect(lines[r1Slot]).toBe(`${r1Slot},run,"run r1",,70,1000,12,12,0.5,3`);
  });
});

describe('MUSHRA results across tests', () => {
  it('gives each condition its mean and 95% interval over the included tests, leaving out a flagged listener', () => {
    const tests = [
      finished({ listener: 'Ann', seed: seedOf(1) }, [100, 10, 80, 40]),
      finished({ listener: 'Ann', seed: seedOf(2) }, [95, 20, 70, 50]),
      finished({ listener: 'Ann', seed: seedOf(3) }, [90, 15, 75, 45]),
      // Bob rates the hidden reference below 90 in 1 of 1 tests: more than 15%, flagged and left out.
      finished({ listener: 'Bob', seed: seedOf(4) }, [60, 50, 20, 90]),
    ];
    const r = aggregateMushra(tests);
    expect(r.mushra).toMatchObject({ tests: 4, included: 3 });
    expect(r.mushra.listeners).toEqual([
      { listener: 'Ann', tests: 3, below90: 0, flagged: false },
      { listener: 'Bob', tests: 1, below90: 1, flagged: true },
    ]);
    const r1 = r.mushra.conditions.find((c) => c.key === 'run:r1')!;
    // Scores 80, 70, 75: mean 75, s = 5, t(0.975, 2) = 4.3027, half width 4.3027 * 5 / sqrt(3) = 12.42.
    expect(r1).toMatchObject({ role: 'run', runId: 'r1', label: 'run r1', n: 3, mean: 75 });
    expect(r1.high! - r1.mean).toBeCloseTo((4.302653 * 5) / Math.sqrt(3), 4);
    expect(r.mushra.conditions.map((c) => c.key)).toEqual(['hidden-reference', 'run:r1', 'run:r2', 'anchor:3500']);
    expect(r.mushra.conditions[0].measures).toBeNull();
  });

  it('ranks the measures by how well they order the runs as the ears did, and says when there are too few runs', () => {
    const runs = ['r1', 'r2', 'r3', 'r4'];
    // Ears: r1 > r2 > r3 > r4. SNR (higher better) agrees exactly; mel-db-l1 (lower better) too;
    // LSD and MCD are constant (no ranking at all).
    const scores = [100, 10, 90, 70, 50, 30];
    const snr = [null, 0, 20, 15, 10, 5];
    const m = snr.map((v) => (v === null ? null : measures(v, 5 - v / 10)));
    const r = aggregateMushra([finished({ runs }, scores, m)]);
    expect(r.agreement.runs).toBe(4);
    expect(r.agreement.note).toBeNull();
    const row = (name: string) => r.agreement.rows.find((x) => x.measure === name)!;
    expect(row('snr')).toMatchObject({ rho: 1, agreement: 1, lowerIsBetter: false, unit: 'dB' });
    expect(row('mel-db-l1')).toMatchObject({ rho: -1, agreement: 1, lowerIsBetter: true });
    expect(row('lsd')).toMatchObject({ rho: null, agreement: null });
    expect(r.agreement.rows.at(-1)!.agreement).toBeNull();
    expect(r.agreement.rows[0].agreement).toBe(1);

    const few = aggregateMushra([finished({}, [100, 10, 70, 40])]);
    expect(few.agreement.runs).toBe(2);
    expect(few.agreement.note).toMatch(/2 rated runs: a rank correlation needs at least 4/);
  });
});
