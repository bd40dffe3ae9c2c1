// The engine side of a blind ABX test (src/listening): the plan drawn from a recorded seed, the
// record as answers come in, its file in `<runs>/listening/`, read back after a "restart", resumed,
// discarded to `trash/`, listed as damaged when it is no test, and exported as CSV.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { abxPlan, xOfTrial, type Side } from '../../src/listening/abx-plan.js';
import { requireKind } from '../../src/listening/record.js';
import { newSeed as newAbxSeed } from '../../src/listening/seed.js';
import { abxView, answerAbxTrial, currentTrial, newAbxRecord, type AbxRecord } from '../../src/listening/abx-record.js';
import { ListeningStore } from '../../src/listening/store.js';
import { abxCsv } from '../../src/listening/csv.js';
import { oldestFirst, summarizeTest } from '../../src/listening/summary.js';
import { listRunDirs } from '../../src/runs/run-files.js';
import { tempDir } from '../helpers.js';

type Ref = { kind: string; clipId: string; runId?: string };
const A: Ref = { kind: 'model-input', clipId: 'clip-1' };
const B: Ref = { kind: 'reconstruction', runId: 'run-1', clipId: 'clip-1' };
const SEED = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

/** What the service gives the store: a reference is an object with a string kind. */
const checkRef = (v: unknown, where: string): Ref => {
  if (v === null || typeof v !== 'object' || typeof (v as Ref).kind !== 'string') throw new Error(`${where} is not an audio reference`);
  return v as Ref;
};

function record(o: { id?: string; trials?: number; practice?: boolean; seed?: string; createdAt?: string } = {}): AbxRecord<Ref> {
  return newAbxRecord<Ref>({
    id: o.id ?? '20260301-120000-abx-aaaaaa',
    a: A,
    b: B,
    labels: { A: 'original', B: 'tiny mel run' },
    clip: { name: 'piano.wav', sha256: 'ab'.repeat(32) },
    region: { start: 1, end: 3 },
    trials: o.trials ?? 4,
    practice: o.practice ?? false,
    listener: 'Jo',
    seed: o.seed ?? SEED,
    createdAt: o.createdAt ?? '2026-03-01T12:00:00.000Z',
  });
}

const other = (s: Side): Side => (s === 'A' ? 'B' : 'A');

/** Answer trials in order: `right[i]` says whether trial i+1 is answered with X's own side. */
function answer(r: AbxRecord<Ref>, right: boolean[]): AbxRecord<Ref> {
  return right.reduce((rec, ok, i) => answerAbxTrial(rec, i + 1, ok ? rec.plan[i] : other(rec.plan[i]), { ms: 1000 + i, region: i === 1 ? null : { start: 1, end: 3 } }, '2026-03-01T12:05:00.000Z'), r);
}

function withStore(test: (store: ListeningStore<Ref>, runs: string) => void): void {
  const { dir, cleanup } = tempDir('codec-lab-listening-');
  try {
    const runs = path.join(dir, 'runs');
    mkdirSync(runs);
    test(new ListeningStore(runs, checkRef), runs);
  } finally {
    cleanup();
  }
}

describe('the ABX plan', () => {
  it('is the low bit of SHA-256(seed || trial) for each trial, so the seed reproduces it', () => {
    const plan = abxPlan(SEED, 64);
    expect(abxPlan(SEED, 64)).toEqual(plan);
    for (let t = 1; t <= 64; t++) {
      const index = Buffer.alloc(4);
      index.writeUInt32BE(t);
      const bit = createHash('sha256').update(Buffer.concat([Buffer.from(SEED, 'hex'), index])).digest()[0] & 1;
      expect(plan[t - 1], `trial ${t}`).toBe(bit ? 'B' : 'A');
      expect(xOfTrial(SEED, t)).toBe(plan[t - 1]);
    }
    // Both sides, in about equal measure (64 fair draws: 32 +- 4 is one standard deviation).
    const bs = plan.filter((x) => x === 'B').length;
    expect(bs).toBeGreaterThan(16);
    expect(bs).toBeLessThan(48);
    // A longer plan begins with the shorter one: trial t depends on the seed and t only.
    expect(abxPlan(SEED, 100).slice(0, 64)).toEqual(plan);
  });

  it('draws a fresh 32-byte seed each time, and different seeds give different plans', () => {
    const [s1, s2] = [newAbxSeed(), newAbxSeed()];
    expect(s1).toMatch(/^[0-9a-f]{64}$/);
    expect(s1).not.toBe(s2);
    // Equal 64-trial plans from two random seeds: a chance of 2^-64.
    expect(abxPlan(s1, 64)).not.toEqual(abxPlan(s2, 64));
    expect(() => xOfTrial('abc', 1)).toThrow(RangeError);
    expect(() => xOfTrial(SEED, 0)).toThrow(RangeError);
  });
});

describe('an ABX record', () => {
  it('logs each answer against the plan and, after the last, the verdict', () => {
    const start = record();
    expect(start.plan).toEqual(abxPlan(SEED, 4));
    expect(currentTrial(start)).toBe(1);
    const two = answer(start, [true, false]);
    expect(two.answers).toEqual([
      { trial: 1, x: start.plan[0], answer: start.plan[0], correct: true, ms: 1000, region: { start: 1, end: 3 } },
      { trial: 2, x: start.plan[1], answer: other(start.plan[1]), correct: false, ms: 1001, region: null },
    ]);
    expect(two.result).toBeUndefined();
    expect(two.finishedAt).toBeUndefined();
    expect(start.answers).toEqual([]); // each step makes a new record
    expect(() => answerAbxTrial(two, 2, 'A', { ms: 1, region: null }, 'now')).toThrow(expect.objectContaining({ code: 'ABX_OUT_OF_ORDER', message: expect.stringMatching(/at trial 3; trial 2 is answered already/) }));
    expect(() => answerAbxTrial(two, 4, 'A', { ms: 1, region: null }, 'now')).toThrow(expect.objectContaining({ code: 'ABX_OUT_OF_ORDER', message: expect.stringMatching(/trial 4 comes later/) }));

    const done = answer(start, [true, false, true, true]);
    expect(done.finishedAt).toBe('2026-03-01T12:05:00.000Z');
    expect(done.result).toMatchObject({ correct: 3, trials: 4, pValue: 5 / 16, distinguished: false });
    expect(done.result!.sentence).toMatch(/^No evidence that you hear a difference \(3 of 4, p = 0\.31\)$/);
    expect(currentTrial(done)).toBeNull();
    expect(() => answerAbxTrial(done, 5, 'A', { ms: 1, region: null }, 'now')).toThrow(expect.objectContaining({ code: 'ABX_DONE' }));
  });

  it('shows the page neither seed nor plan before the end, nor X of answered trials unless practising', () => {
    const blind = abxView(answer(record(), [true]));
    expect(blind).not.toHaveProperty('seed');
    expect(blind).not.toHaveProperty('plan');
    expect(blind.answers).toEqual([{ trial: 1, answer: expect.any(String), ms: 1000, region: { start: 1, end: 3 } }]);
    expect(JSON.stringify(blind)).not.toContain(SEED);

    const practice = abxView(answer(record({ practice: true }), [true]));
    expect(practice).not.toHaveProperty('plan');
    expect(practice.answers[0]).toMatchObject({ x: expect.any(String), correct: true });

    const finished = answer(record(), [true, true, true, true]);
    expect(abxView(finished)).toEqual(finished);
  });
});

describe('the listening folder', () => {
  it('writes a test as one JSON file, whole, and reads the same test back', () =>
    withStore((store, runs) => {
      const r = answer(record(), [true, false]);
      store.write(r);
      const file = path.join(runs, 'listening', `${r.id}.json`);
      // Written by rename from a temporary: nothing but the file is left in the folder.
      expect(readdirSync(path.join(runs, 'listening'))).toEqual([`${r.id}.json`]);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(r);
      expect(new ListeningStore(runs, checkRef).read(r.id)).toEqual(r);
      // The runs list does not take the folder for a run.
      mkdirSync(path.join(runs, 'some-run'));
      expect(listRunDirs(runs)).toEqual(['some-run']);
    }));

  it('lists an unfinished test after a restart, and it can be resumed to the end', () =>
    withStore((store, runs) => {
      const id = store.newId('abx');
      expect(id).toMatch(/^\d{8}-\d{6}-abx-[0-9a-f]{6}$/);
      store.write(answer(record({ id }), [true, true]));
      // A writer killed mid-write leaves a hidden temporary: never listed.
      writeFileSync(path.join(runs, 'listening', `.${id}.json.99999-0123abcd.tmp`), '{"half');

      const restarted = new ListeningStore(runs, checkRef);
      const listed = restarted.list();
      expect(listed.map(summarizeTest)).toEqual([
        { id, kind: 'abx', createdAt: '2026-03-01T12:00:00.000Z', finished: false, finishedAt: null, listener: 'Jo', labels: { A: 'original', B: 'tiny mel run' }, sides: { A: { original: true }, B: { run: 'run-1' } }, region: { start: 1, end: 3 }, trials: 4, answered: 2, practice: false, result: null },
      ]);
      let r = requireKind(restarted.read(id), 'abx');
      expect(currentTrial(r)).toBe(3);
      for (const t of [3, 4]) {
        r = answerAbxTrial(r, t, r.plan[t - 1], { ms: 500, region: null }, '2026-03-01T13:00:00.000Z');
        restarted.write(r);
      }
      expect(summarizeTest(new ListeningStore(runs, checkRef).list()[0])).toMatchObject({ answered: 4, finished: true, finishedAt: '2026-03-01T13:00:00.000Z', result: { correct: 4, trials: 4, pValue: 1 / 16 } });
    }));

  it('discards a test by moving its file to trash/, never erasing it', () =>
    withStore((store, runs) => {
      const r = record();
      store.write(r);
      const bytes = readFileSync(path.join(runs, 'listening', `${r.id}.json`));
      expect(store.discard(r.id)).toBe(`trash/${r.id}.json`);
      expect(readFileSync(path.join(runs, 'trash', `${r.id}.json`))).toEqual(bytes);
      expect(readdirSync(path.join(runs, 'listening'))).toEqual([]);
      expect(store.list()).toEqual([]);
      expect(() => store.read(r.id)).toThrow(expect.objectContaining({ code: 'LISTENING_NOT_FOUND' }));
      expect(() => store.discard(r.id)).toThrow(expect.objectContaining({ code: 'LISTENING_NOT_FOUND' }));
      // The same name again goes beside the first, which stays.
      store.write(r);
      expect(store.discard(r.id)).toBe(`trash/${r.id}-2.json`);
      expect(readdirSync(path.join(runs, 'trash')).sort()).toEqual([`${r.id}-2.json`, `${r.id}.json`]);
    }));

  it('lists a damaged file as damaged, with the reason, beside the good ones', () =>
    withStore((store, runs) => {
      const good = record({ id: 'good', createdAt: '2026-03-02T00:00:00.000Z' });
      store.write(good);
      const dir = path.join(runs, 'listening');
      writeFileSync(path.join(dir, 'not-json.json'), '{"format": "codec-lab-listening", ');
      const tampered = { ...record({ id: 'tampered' }), plan: ['A', 'A', 'A', 'A'].map((_, i) => other(record().plan[i])) };
      writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(tampered));
      writeFileSync(path.join(dir, 'renamed.json'), JSON.stringify(record({ id: 'something-else' })));
      const badAnswer = { ...answer(record({ id: 'bad-answer' }), [true]) };
      badAnswer.answers = [{ ...badAnswer.answers[0], correct: false }];
      writeFileSync(path.join(dir, 'bad-answer.json'), JSON.stringify(badAnswer));
      const noResult = { ...answer(record({ id: 'no-result' }), [true, true, true, true]), result: undefined };
      writeFileSync(path.join(dir, 'no-result.json'), JSON.stringify(noResult));
      writeFileSync(path.join(dir, 'bad-ref.json'), JSON.stringify({ ...record({ id: 'bad-ref' }), compared: { ...record().compared, b: 'piano.wav' } }));
      writeFileSync(path.join(dir, 'notes.txt'), 'not a test file: not listed');

      const listed = Object.fromEntries(store.list().map((t) => [t.id, 'damaged' in t ? t.damaged : 'ok']));
      expect(listed).toEqual({
        'bad-answer': expect.stringMatching(/answers\[0\]\.correct disagrees with its answer and X/),
        'bad-ref': expect.stringMatching(/compared\.b is not an audio reference/),
        good: 'ok',
        'no-result': expect.stringMatching(/every trial is answered, but it has no result/),
        'not-json': expect.stringMatching(/not-json\.json is not JSON/),
        renamed: expect.stringMatching(/its id 'something-else' is not its file's name/),
        tampered: expect.stringMatching(/plan is not the one its seed gives/),
      });
      expect(() => store.read('tampered')).toThrow(expect.objectContaining({ code: 'LISTENING_DAMAGED' }));
      // Oldest first: the damaged files by when they were written (now), after the good test of March 2026.
      expect(oldestFirst(store.list())[0].id).toBe('good');
    }));

  it('refuses a `listening` that is a file rather than a folder', () =>
    withStore((store, runs) => {
      writeFileSync(path.join(runs, 'listening'), 'x');
      expect(() => store.list()).toThrow(expect.objectContaining({ code: 'LISTENING_UNUSABLE' }));
      expect(() => store.write(record())).toThrow(expect.objectContaining({ code: 'LISTENING_UNUSABLE' }));
    }));
});

describe('CSV', () => {
  it('has a header and one row per trial', () => {
    const r = answer(record(), [true, false, true, true]);
    const lines = abxCsv(r).split('\r\n');
    expect(lines[0]).toBe('trial,x,answer,correct,ms,region_start,region_end');
    expect(lines.slice(1, -1)).toEqual([
      `1,${r.plan[0]},${r.plan[0]},true,1000,1,3`,
      `2,${r.plan[1]},${other(r.plan[1])},false,1001,,`,
      `3,${r.plan[2]},${r.plan[2]},true,1002,1,3`,
      `4,${r.plan[3]},${r.plan[3]},true,1003,1,3`,
    ]);
    expect(lines.at(-1)).toBe('');
  });
});
