// A blind ABX test through the lab's one door (LabService behind the dispatch, as the desktop shell
// and the web host call it): started on two sides, each trial's X heard as an opaque reference whose
// bytes are A's or B's as the plan on disk says, answers in order only, feedback only when
// practising, the verdict and the plan at the end, the CSV, the list and the discard to trash/.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabService } from '../../src/api/service.js';
import { createDispatch, type LabDispatch } from '../../src/api/dispatch.js';
import type { AbxTrial, AudioRef, ListeningSummary, ListeningTestView } from '../../src/api/contract.js';
import { abxPlan } from '../../src/listening/abx-plan.js';
import { encodeWav } from '../../src/audio/wav-write.js';
import { BUNDLED_CLIP } from '../../src/assets.js';
import { sine, tempDir } from '../helpers.js';

type AbxTestView = Extract<ListeningTestView, { kind: 'abx' }>;

const ORIGINAL: AudioRef = { kind: 'run', runId: 'run-a', file: 'test_original' };
const RECON: AudioRef = { kind: 'run', runId: 'run-a', file: 'test_reconstruction' };

/** A run folder holding two short, different WAV files (a tone and the tone a little quieter). */
function writeRun(runs: string): void {
  const dir = path.join(runs, 'run-a');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), '{}');
  writeFileSync(path.join(dir, 'test_original.wav'), encodeWav([sine(440, 24000, 2400)], 24000, 'float32'));
  writeFileSync(path.join(dir, 'test_reconstruction.wav'), encodeWav([sine(440, 24000, 2400, 0.4)], 24000, 'float32'));
}

async function withLab(test: (door: Door, runs: string, lab: LabService) => Promise<void>, o: { bundledClip?: boolean } = {}): Promise<void> {
  const { dir, cleanup } = tempDir('codec-lab-abx-');
  const runs = path.join(dir, 'runs');
  mkdirSync(runs);
  writeRun(runs);
  const lab = new LabService({ runsDir: runs, withBundledClip: o.bundledClip === true });
  try {
    await test(door(createDispatch(lab, { runsDir: runs })), runs, lab);
  } finally {
    await lab.shutdown();
    cleanup();
  }
}

type Door = ReturnType<typeof door>;

/** Calls through the dispatch: the value, or the error's code and message thrown. */
function door(d: LabDispatch) {
  const call = async <T>(method: string, ...args: unknown[]): Promise<T> => {
    const r = await d.call(method, args);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as T;
  };
  const bytes = async (ref: AudioRef) => Buffer.from(await call<ArrayBuffer>('audio', ref));
  return { call, bytes };
}

/** The test's file as stored: the plan the service drew, read behind its back. */
const storedPlan = (runs: string, id: string): ('A' | 'B')[] => JSON.parse(readFileSync(path.join(runs, 'listening', `${id}.json`), 'utf8')).plan;
const flip = (s: 'A' | 'B') => (s === 'A' ? 'B' : 'A');

describe('an ABX test through the dispatch', () => {
  it('runs 4 trials: X is A or B as the plan says, answers only in order, all correct gives p = 1/16', () =>
    withLab(async ({ call, bytes }, runs) => {
      const original = await bytes(ORIGINAL);
      const recon = await bytes(RECON);
      expect(original.equals(recon)).toBe(false);

      const { testId, trials } = await call<{ testId: string; trials: number }>('startAbx', { a: ORIGINAL, b: RECON, labelA: 'original', labelB: 'run-a', trials: 4, listener: 'Jo' });
      expect(trials).toBe(4);
      const plan = storedPlan(runs, testId);
      expect(plan).toHaveLength(4);

      for (let t = 1; t <= 4; t++) {
        const trial = await call<AbxTrial>('abxTrial', testId);
        // Nothing in the reply says which side X is: it names the trial, not the side.
        expect(trial).toEqual({ trial: t, of: 4, a: ORIGINAL, b: RECON, x: { kind: 'abx-x', testId, trial: t }, labels: { A: 'original', B: 'run-a' }, region: null, practice: false });
        expect((await bytes(trial.x)).equals(plan[t - 1] === 'A' ? original : recon)).toBe(true);
        // Only the current trial's X is served, and X is never viewed or exported.
        if (t < 4) await expect(bytes({ kind: 'abx-x', testId, trial: t + 1 })).rejects.toMatchObject({ code: 'ABX_OUT_OF_ORDER' });
        await expect(call('spectralView', trial.x, ORIGINAL, 'mel-db')).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/only heard, never viewed/) });
        await expect(call('audio', trial.x, { sampleFormat: 'pcm16', rate: 'model' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
        // Out of order, ahead or behind, is refused and changes nothing.
        await expect(call('answerAbx', testId, t + 1, 'A', { ms: 10 })).rejects.toMatchObject({ code: 'ABX_OUT_OF_ORDER' });
        if (t > 1) await expect(call('answerAbx', testId, t - 1, 'A', { ms: 10 })).rejects.toMatchObject({ code: 'ABX_OUT_OF_ORDER', message: expect.stringMatching(/answered already/) });
        // Before the end, the page sees neither the plan, nor the seed, nor X of the answered trials.
        const view = await call<AbxTestView>('listeningTest', testId);
        expect(view).not.toHaveProperty('plan');
        expect(view).not.toHaveProperty('seed');
        expect(view.answers.every((a) => a.x === undefined && a.correct === undefined)).toBe(true);
        await expect(call('listeningCsv', testId)).rejects.toMatchObject({ code: 'LISTENING_UNFINISHED' });

        const reply = await call<{ done: boolean; feedback?: unknown; result?: { correct: number; trials: number; pValue: number } }>('answerAbx', testId, t, plan[t - 1], { ms: 1500 + t });
        expect(reply).not.toHaveProperty('feedback');
        expect(reply.done).toBe(t === 4);
        if (t < 4) expect(reply).not.toHaveProperty('result');
        else expect(reply.result).toMatchObject({ correct: 4, trials: 4, pValue: 1 / 16, distinguished: false, sentence: expect.stringMatching(/^No evidence that you hear a difference \(4 of 4, p = 0\.06/) });
      }

      await expect(call('abxTrial', testId)).rejects.toMatchObject({ code: 'ABX_DONE' });
      await expect(call('answerAbx', testId, 5, 'A', { ms: 1 })).rejects.toMatchObject({ code: 'ABX_DONE' });
      await expect(call('answerAbx', testId, 4, 'A', { ms: 1 })).rejects.toMatchObject({ code: 'ABX_DONE' });
      // After the end the record is whole: its plan is the one its seed gives, read back from disk.
      const finished = await call<AbxTestView>('listeningTest', testId);
      expect(finished.plan).toEqual(abxPlan(finished.seed!, 4));
      expect(finished.plan).toEqual(plan);
      expect(finished.answers.map((a) => [a.trial, a.x, a.answer, a.correct, a.ms])).toEqual(plan.map((x, i) => [i + 1, x, x, true, 1501 + i]));
      expect(finished).toMatchObject({ listener: 'Jo', result: { pValue: 1 / 16 }, finishedAt: expect.any(String) });
      // Every X may be heard again once the sides are known.
      expect((await bytes({ kind: 'abx-x', testId, trial: 1 })).equals(plan[0] === 'A' ? original : recon)).toBe(true);

      const csv = await call<string>('listeningCsv', testId);
      expect(csv.split('\r\n').slice(0, 2)).toEqual(['trial,x,answer,correct,ms,region_start,region_end', `1,${plan[0]},${plan[0]},true,1501,,`]);
    }));

  it('tells right or wrong after each trial only in a practice test', () =>
    withLab(async ({ call }, runs) => {
      const practice = await call<{ testId: string }>('startAbx', { a: ORIGINAL, b: RECON, labelA: 'original', labelB: 'run-a', trials: 2, practice: true, region: { start: 0.01, end: 0.09 } });
      const plan = storedPlan(runs, practice.testId);
      expect(await call('answerAbx', practice.testId, 1, flip(plan[0]), { ms: 800 })).toEqual({ done: false, feedback: { correct: false } });
      expect(await call('answerAbx', practice.testId, 2, plan[1], { ms: 700, region: { start: 0.02, end: 0.05 } })).toMatchObject({ done: true, feedback: { correct: true }, result: { correct: 1, trials: 2 } });
      const view = await call<AbxTestView>('listeningTest', practice.testId);
      expect(view.answers.map((a) => a.region)).toEqual([{ start: 0.01, end: 0.09 }, { start: 0.02, end: 0.05 }]);

      const blind = await call<{ testId: string }>('startAbx', { a: ORIGINAL, b: RECON, labelA: 'original', labelB: 'run-a', trials: 2 });
      const blindPlan = storedPlan(runs, blind.testId);
      expect(await call('answerAbx', blind.testId, 1, flip(blindPlan[0]), { ms: 800 })).toEqual({ done: false });
    }));

  it('refuses sides that are the same, missing, or another test’s X', () =>
    withLab(async ({ call }) => {
      const start = (a: unknown, b: unknown) => call('startAbx', { a, b, labelA: 'a', labelB: 'b' });
      await expect(start(ORIGINAL, { ...ORIGINAL })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/same audio/) });
      await expect(start(ORIGINAL, { kind: 'run', runId: 'no-run', file: 'test_original' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(start(ORIGINAL, { kind: 'model-input', clipId: 'clip-nothere' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(start(ORIGINAL, { kind: 'abx-x', testId: 't', trial: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/argument 1\.b must be audio of the lab, not a test's hidden audio \(an ABX trial's X, a MUSHRA slot\)/) });
      await expect(call('startAbx', { a: ORIGINAL, b: RECON, labelA: 'two\nlines', labelB: 'b' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/one line/) });
      await expect(call('startAbx', { a: ORIGINAL, b: RECON, labelA: 'a', labelB: 'b', region: { start: 2, end: 1 } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/must end after it starts/) });
      await expect(call('abxTrial', 'no-such-test')).rejects.toMatchObject({ code: 'LISTENING_NOT_FOUND' });
      await expect(call('audio', { kind: 'abx-x', testId: 'no-such-test', trial: 1 })).rejects.toMatchObject({ code: 'LISTENING_NOT_FOUND' });
    }));

  it('lists every test (an unfinished one resumable, a damaged one with the reason and no server path) and discards to trash/', () =>
    withLab(async ({ call }, runs) => {
      const first = await call<{ testId: string }>('startAbx', { a: ORIGINAL, b: RECON, labelA: 'original', labelB: 'run-a', trials: 1 });
      await call('answerAbx', first.testId, 1, 'A', { ms: 1 });
      const second = await call<{ testId: string }>('startAbx', { a: RECON, b: ORIGINAL, labelA: 'run-a', labelB: 'original', trials: 3 });
      await call('answerAbx', second.testId, 1, 'B', { ms: 1 });
      writeFileSync(path.join(runs, 'listening', 'broken.json'), 'not json');
      // A test whose side is its own X would be resolved through itself for ever: damaged, never heard.
      const looped = JSON.parse(readFileSync(path.join(runs, 'listening', `${second.testId}.json`), 'utf8'));
      writeFileSync(path.join(runs, 'listening', 'looped.json'), JSON.stringify({ ...looped, id: 'looped', compared: { ...looped.compared, a: { kind: 'abx-x', testId: 'looped', trial: 2 } } }));

      const list = await call<ListeningSummary[]>('listeningTests');
      expect(list).toEqual([
        expect.objectContaining({ id: first.testId, answered: 1, trials: 1, result: expect.objectContaining({ trials: 1 }), finished: true, finishedAt: expect.any(String) }),
        expect.objectContaining({ id: second.testId, answered: 1, trials: 3, result: null, finished: false, finishedAt: null, labels: { A: 'run-a', B: 'original' } }),
        { id: 'broken', damaged: expect.stringMatching(/^listening test broken: runs\/listening\/broken\.json is not JSON$/) },
        { id: 'looped', damaged: expect.stringMatching(/compared\.a must be audio of the lab, not a test's hidden audio \(an ABX trial's X, a MUSHRA slot\)/) },
      ]);
      await expect(call('audio', { kind: 'abx-x', testId: 'looped', trial: 2 })).rejects.toMatchObject({ code: 'LISTENING_DAMAGED' });
      // The run list is untouched by the listening folder.
      expect((await call<{ id: string }[]>('listRuns')).map((r) => r.id)).toEqual(['run-a']);

      // The unfinished one resumes where it stopped (a new service: a restart).
      const restarted = new LabService({ runsDir: runs, withBundledClip: false });
      try {
        expect(await restarted.abxTrial(second.testId)).toMatchObject({ trial: 2, of: 3 });
      } finally {
        await restarted.shutdown();
      }

      expect(await call('discardListeningTest', second.testId)).toEqual({ movedTo: `trash/${second.testId}.json` });
      expect(await call('discardListeningTest', 'broken')).toEqual({ movedTo: 'trash/broken.json' });
      expect(await call('discardListeningTest', 'looped')).toEqual({ movedTo: 'trash/looped.json' });
      expect(readdirSync(path.join(runs, 'trash')).sort()).toEqual(['broken.json', 'looped.json', `${second.testId}.json`].sort());
      expect((await call<ListeningSummary[]>('listeningTests')).map((t) => t.id)).toEqual([first.testId]);
      await expect(call('abxTrial', second.testId)).rejects.toMatchObject({ code: 'LISTENING_NOT_FOUND' });
    }));

  it('names the library clip both sides play by name and content, so the record outlives the session’s clip ids', () =>
    withLab(
      async ({ call, bytes }, runs, lab) => {
        const [clip] = await lab.listLibrary();
        if (!clip.ok) throw new Error('the bundled clip did not load');
        const a: AudioRef = { kind: 'clip', clipId: clip.id };
        const b: AudioRef = { kind: 'model-input', clipId: clip.id };
        const { testId } = await call<{ testId: string }>('startAbx', { a, b, labelA: 'file', labelB: 'model input', trials: 1 });
        const stored = JSON.parse(readFileSync(path.join(runs, 'listening', `${testId}.json`), 'utf8'));
        expect(stored.compared.clip).toEqual({ name: path.basename(BUNDLED_CLIP), sha256: clip.sha256 });
        const x = await bytes({ kind: 'abx-x', testId, trial: 1 });
        expect(x.equals(await bytes(stored.plan[0] === 'A' ? a : b))).toBe(true);
      },
      { bundledClip: true },
    ));
});
