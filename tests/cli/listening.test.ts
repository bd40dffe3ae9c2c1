// codec-lab listening, run in-process on a runs folder holding stored tests: one JSON array, oldest
// first, each test as {kind, createdAt, clip, conditions, result}; a damaged file listed with why.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CommandContext } from '../../src/cli/context.js';
import { ListeningStore } from '../../src/listening/store.js';
import { answerAbxTrial, newAbxRecord, type AbxRecord } from '../../src/listening/abx-record.js';
import { finishMushra, newMushraRecord, saveRatings } from '../../src/listening/mushra-record.js';
import { audioRef } from '../../src/api/validate.js';
import type { AudioRef } from '../../src/api/contract.js';
import { tempDir } from '../helpers.js';

function capture(): CommandContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const ORIGINAL: AudioRef = { kind: 'run', runId: 'run-a', file: 'test_original' };
const RECON: AudioRef = { kind: 'run', runId: 'run-a', file: 'test_reconstruction' };
const SEED = 'ff'.repeat(32);

function abx(id: string, createdAt: string, trials: number): AbxRecord<AudioRef> {
  return newAbxRecord<AudioRef>({
    id, a: ORIGINAL, b: RECON, labels: { A: 'original', B: 'run-a' }, clip: null, region: { start: 0.5, end: 2 },
    trials, practice: false, seed: SEED, createdAt,
  });
}

describe('codec-lab listening', () => {
  it('prints one JSON array, oldest first, of {kind, createdAt, clip, conditions, result}', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const runs = path.join(dir, 'runs');
      mkdirSync(runs);
      const store = new ListeningStore(runs, audioRef);
      // Written newest first, to show the order is by time, not by file.
      store.write(abx('later', '2026-03-02T09:00:00.000Z', 3));
      let done = abx('earlier', '2026-03-01T09:00:00.000Z', 2);
      for (const t of [1, 2]) done = answerAbxTrial(done, t, done.plan[t - 1], { ms: 900, region: null }, '2026-03-01T09:05:00.000Z');
      store.write(done);
      writeFileSync(path.join(runs, 'listening', 'zz-broken.json'), '[');

      const ctx = capture();
      expect(await main(['listening', '--runs', runs, '--json'], ctx)).toBe(0);
      const listed = JSON.parse(ctx.stdout.join('\n'));
      expect(Array.isArray(listed)).toBe(true);
      expect(listed).toEqual([
        {
          id: 'earlier', kind: 'abx', createdAt: '2026-03-01T09:00:00.000Z', finishedAt: '2026-03-01T09:05:00.000Z', listener: null,
          clip: { name: null, sha256: null, region: { start: 0.5, end: 2 } },
          conditions: [{ side: 'A', label: 'original', audio: ORIGINAL }, { side: 'B', label: 'run-a', audio: RECON }],
          trials: 2, answered: 2,
          result: { correct: 2, trials: 2, pValue: 0.25, distinguished: false, sentence: expect.stringMatching(/^No evidence that you hear a difference \(2 of 2, p = 0\.25\)$/) },
        },
        expect.objectContaining({ id: 'later', kind: 'abx', createdAt: '2026-03-02T09:00:00.000Z', finishedAt: null, trials: 3, answered: 0, result: null }),
        expect.objectContaining({ id: 'zz-broken', kind: null, conditions: [], result: null, damaged: expect.stringMatching(/zz-broken\.json is not JSON/) }),
      ]);

      const plain = capture();
      expect(await main(['listening', '--runs', runs], plain)).toBe(0);
      expect(plain.stdout.join('\n').split('\n')).toEqual([
        '2026-03-01T09:00:00.000Z ABX original vs run-a (0.5-2 s): No evidence that you hear a difference (2 of 2, p = 0.25)',
        '2026-03-02T09:00:00.000Z ABX original vs run-a (0.5-2 s): unfinished, 0 of 3 trials answered',
        expect.stringMatching(/^zz-broken: damaged: listening test zz-broken: .*zz-broken\.json is not JSON$/),
      ]);
    } finally {
      cleanup();
    }
  });

  it('lists a MUSHRA test with its conditions and, once finished, its scores by condition', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const runs = path.join(dir, 'runs');
      mkdirSync(runs);
      const anchor: AudioRef = { kind: 'anchor', of: { runId: 'run-a', file: 'test_original' }, cutoffHz: 3500 };
      const r = newMushraRecord<AudioRef>({
        id: 'm', reference: ORIGINAL, referenceLabel: 'original', clip: null, anchors: [{ audio: anchor, cutoffHz: 3500 }],
        runs: [{ audio: RECON, label: 'run-a' }], listener: 'Jo', seed: SEED, createdAt: '2026-03-03T09:00:00.000Z',
      });
      const byCondition = [98, 15, 62];
      const done = finishMushra(saveRatings(r, { scores: r.order.map((c) => byCondition[c]), heardMs: [900, 900, 900] }), [null, null, null], '2026-03-03T09:04:00.000Z');
      new ListeningStore(runs, audioRef).write(done);

      const ctx = capture();
      expect(await main(['listening', '--runs', runs, '--json'], ctx)).toBe(0);
      expect(JSON.parse(ctx.stdout.join('\n'))).toEqual([
        {
          id: 'm', kind: 'mushra', createdAt: '2026-03-03T09:00:00.000Z', finishedAt: '2026-03-03T09:04:00.000Z', listener: 'Jo',
          clip: { name: null, sha256: null, region: null },
          conditions: [
            { role: 'hidden-reference', label: 'hidden reference', audio: ORIGINAL, cutoffHz: null },
            { role: 'anchor', label: 'anchor 3.5 kHz', audio: anchor, cutoffHz: 3500 },
            { role: 'run', label: 'run-a', audio: RECON, cutoffHz: null },
          ],
          trials: 3, answered: 3,
          result: { scores: byCondition, hiddenReferenceScore: 98, hiddenReferenceBelow90: false, measures: [null, null, null] },
        },
      ]);
      const plain = capture();
      expect(await main(['listening', '--runs', runs], plain)).toBe(0);
      expect(plain.stdout.join('\n')).toBe('2026-03-03T09:00:00.000Z MUSHRA, Jo: hidden reference 98, anchor 3.5 kHz 15, run-a 62');
    } finally {
      cleanup();
    }
  });

  it('prints an empty array for a runs folder without tests, and says how ABX fills the keys in --help', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const ctx = capture();
      expect(await main(['listening', '--runs', dir, '--json'], ctx)).toBe(0);
      expect(JSON.parse(ctx.stdout.join('\n'))).toEqual([]);
      const help = capture();
      expect(await main(['listening', '--help'], help)).toBe(0);
      expect(help.stdout.join('\n')).toMatch(/"conditions" is \[\{"side": "A", "label", "audio"\}/);
    } finally {
      cleanup();
    }
  });
});
