// A MUSHRA test through the lab's one door (LabService behind the dispatch): started on a reference
// and two runs, the anchors made from the reference, each slot heard as an opaque reference whose
// audio is the condition the stored order says, nothing on the page telling which is which before
// the end, the draft saved, submit refused until every slot is heard and scored, then the result
// with each condition's objective measures, the CSV, the list and the results together.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabService } from '../../src/api/service.js';
import { createDispatch, type LabDispatch } from '../../src/api/dispatch.js';
import type { AudioRef, ListeningResults, ListeningSummary, MushraTestView } from '../../src/api/contract.js';
import { encodeWav } from '../../src/audio/wav-write.js';
import { decodeModelMono } from '../../src/audio/model-mono.js';
import { lowPassAnchor } from '../../src/listening/lowpass-anchor.js';
import { maxAbsDiff, rms, sine, tempDir } from '../helpers.js';

const N = 9000; // more than one loss block (8192 samples), so the losses are measured too
const mix = (gain: number) => {
  const low = sine(440, 24000, N, 0.3 * gain);
  const high = sine(5000, 24000, N, 0.2 * gain);
  return low.map((v, i) => v + high[i]);
};
const REFERENCE: AudioRef = { kind: 'run', runId: 'run-a', file: 'test_original' };
const RUN_A: AudioRef = { kind: 'run', runId: 'run-a', file: 'test_reconstruction' };
const RUN_B: AudioRef = { kind: 'run', runId: 'run-b', file: 'test_reconstruction' };
const ANCHOR_3K5: AudioRef = { kind: 'anchor', of: { runId: 'run-a', file: 'test_original' }, cutoffHz: 3500 };

function writeRun(runs: string, id: string, reconGain: number): void {
  const dir = path.join(runs, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), '{}');
  writeFileSync(path.join(dir, 'test_original.wav'), encodeWav([mix(1)], 24000, 'float32'));
  writeFileSync(path.join(dir, 'test_reconstruction.wav'), encodeWav([mix(reconGain)], 24000, 'float32'));
}

function door(d: LabDispatch) {
  const call = async <T>(method: string, ...args: unknown[]): Promise<T> => {
    const r = await d.call(method, args);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as T;
  };
  const samples = async (ref: AudioRef) => (await decodeModelMono(new Uint8Array(await call<ArrayBuffer>('audio', ref)), (n) => new Float32Array(n))).mono;
  return { call, samples };
}

async function withLab(test: (d: ReturnType<typeof door>, runs: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir('codec-lab-mushra-');
  const runs = path.join(dir, 'runs');
  mkdirSync(runs);
  writeRun(runs, 'run-a', 0.9);
  writeRun(runs, 'run-b', 0.5);
  const lab = new LabService({ runsDir: runs, withBundledClip: false });
  try {
    await test(door(createDispatch(lab, { runsDir: runs })), runs);
  } finally {
    await lab.shutdown();
    cleanup();
  }
}

const stored = (runs: string, id: string) => JSON.parse(readFileSync(path.join(runs, 'listening', `${id}.json`), 'utf8'));

describe('a MUSHRA test through the dispatch', () => {
  it('plays each slot as its stored condition, hides which is which until the end, and scores every condition on submit', () =>
    withLab(async ({ call, samples }, runs) => {
      const start = { reference: REFERENCE, referenceLabel: 'original', runs: [{ audio: RUN_A, label: 'alpha' }, { audio: RUN_B, label: 'beta' }], anchors: [3500, 7000], listener: 'Jo' };
      const { testId, conditions } = await call<{ testId: string; conditions: number }>('startMushra', start);
      expect(conditions).toBe(5);
      const file = stored(runs, testId);
      expect(file.compared.conditions.map((c: { label: string }) => c.label)).toEqual(['hidden reference', 'anchor 3.5 kHz', 'anchor 7 kHz', 'alpha', 'beta']);

      // Before the end the page learns nothing of what a slot is.
      const view = await call<MushraTestView>('listeningTest', testId);
      const text = JSON.stringify(view);
      for (const secret of ['alpha', 'beta', 'anchor', 'hidden', 'run-b', 'seed', 'order']) expect(text).not.toContain(secret);
      expect(view.slots.map((s) => s.audio)).toEqual([1, 2, 3, 4, 5].map((slot) => ({ kind: 'mushra-slot', testId, slot })));

      // Each slot plays its condition's audio, as the stored order says.
      const reference = await samples(REFERENCE);
      const expected = [reference, lowPassAnchor(reference, 24000, 3500), lowPassAnchor(reference, 24000, 7000), await samples(RUN_A), await samples(RUN_B)];
      for (let s = 0; s < 5; s++) expect(maxAbsDiff(await samples({ kind: 'mushra-slot', testId, slot: s + 1 }), expected[file.order[s]])).toBeLessThan(1e-6);
      // The 3.5 kHz anchor keeps the 440 Hz tone and drops the 5 kHz one; the 7 kHz anchor keeps both.
      expect(rms(expected[1])).toBeCloseTo(rms(sine(440, 24000, N, 0.3)), 2);
      expect(rms(expected[2])).toBeCloseTo(rms(reference), 2);
      // A slot is heard, never viewed or exported, before the end.
      await expect(call('spectralView', { kind: 'mushra-slot', testId, slot: 1 }, REFERENCE, 'mel-db')).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/only heard until its test is submitted/) });
      await expect(call('audio', { kind: 'mushra-slot', testId, slot: 1 }, { sampleFormat: 'pcm16', rate: 'model' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });

      // The scores each condition should get, put on the slots through the stored order.
      const byCondition = [100, 12, 40, 80, 55];
      const scores = file.order.map((c: number) => byCondition[c]);
      const draft = await call<MushraTestView>('rateMushra', testId, { scores: [scores[0], null, null, null, null], heardMs: [1200, 0, 0, 0, 0] });
      expect(draft.slots[0]).toMatchObject({ score: scores[0], heardMs: 1200 });
      expect(stored(runs, testId).scores).toEqual([scores[0], null, null, null, null]);
      // Submitting with a slot never heard is refused and loses nothing.
      await expect(call('submitMushra', testId, { scores, heardMs: [1200, 300, 300, 300, 0] })).rejects.toMatchObject({ code: 'MUSHRA_INCOMPLETE', message: expect.stringMatching(/#5 not heard yet/) });
      expect(stored(runs, testId).scores).toEqual(scores);
      expect(stored(runs, testId)).not.toHaveProperty('result');

      const done = await call<MushraTestView>('submitMushra', testId, { scores, heardMs: [1200, 300, 300, 300, 300] });
      expect(done.result!.scores).toEqual(byCondition);
      expect(done.slots.map((s) => s.revealed!.condition)).toEqual(file.order);
      expect(done.slots.map((s) => s.revealed!.label)).toEqual(file.order.map((c: number) => ['hidden reference', 'anchor 3.5 kHz', 'anchor 7 kHz', 'alpha', 'beta'][c]));
      const [hidden, anchor, , alpha, beta] = done.result!.measures;
      expect(hidden).toBeNull();
      // run-a's reconstruction is the reference at 0.9 of its level: SNR 20 log10(1/0.1) = 20 dB; run-b's at 0.5: 6.02 dB.
      expect(alpha!.snrDb).toBeCloseTo(20, 1);
      expect(beta!.snrDb).toBeCloseTo(6.02, 1);
      expect(alpha!.lossesDb).not.toBeNull();
      expect(anchor!.lsd).toBeGreaterThan(alpha!.lsd);
      expect(stored(runs, testId)).toMatchObject({ finishedAt: expect.any(String), result: { scores: byCondition, hiddenReferenceScore: 100 } });

      // Finished: final, and now a slot may be viewed like any audio.
      await expect(call('rateMushra', testId, { scores, heardMs: [1, 1, 1, 1, 1] })).rejects.toMatchObject({ code: 'MUSHRA_DONE' });
      await expect(call('submitMushra', testId, { scores, heardMs: [1, 1, 1, 1, 1] })).rejects.toMatchObject({ code: 'MUSHRA_DONE' });
      await expect(call('spectralView', { kind: 'mushra-slot', testId, slot: 1 }, REFERENCE, 'mel-db')).resolves.toMatchObject({ space: 'mel-db' });
      const csv = await call<string>('listeningCsv', testId);
      expect(csv.split('\r\n')[0]).toBe('slot,role,condition,cutoff_hz,score,heard_ms,si_sdr_db,snr_db,lsd_bels,mcd_db');

      const list = await call<ListeningSummary[]>('listeningTests');
      expect(list).toEqual([expect.objectContaining({ id: testId, kind: 'mushra', finished: true, listener: 'Jo', conditions: 5, runs: 2, scored: 5 })]);
      const results = await call<ListeningResults>('listeningResults');
      expect(results.mushra.conditions.map((c) => [c.key, c.mean])).toEqual([
        ['hidden-reference', 100],
        ['run:run-a', 80],
        ['run:run-b', 55],
        ['anchor:7000', 40],
        ['anchor:3500', 12],
      ]);
      expect(results.agreement).toMatchObject({ runs: 2, note: expect.stringMatching(/at least 4/) });
    }));

  it('refuses a test it could not run: a reference that is no original, no runs, the 7 kHz anchor alone, a slot as a run', () =>
    withLab(async ({ call }) => {
      const runs = [{ audio: RUN_A, label: 'alpha' }];
      await expect(call('startMushra', { reference: RUN_B, referenceLabel: 'x', runs })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/the reference is an original/) });
      await expect(call('startMushra', { reference: REFERENCE, referenceLabel: 'x', runs: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(call('startMushra', { reference: REFERENCE, referenceLabel: 'x', runs, anchors: [7000] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/3\.5 kHz anchor/) });
      await expect(call('startMushra', { reference: REFERENCE, referenceLabel: 'x', runs, anchors: [5000] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(call('startMushra', { reference: REFERENCE, referenceLabel: 'x', runs: [{ audio: { kind: 'mushra-slot', testId: 't', slot: 1 }, label: 'y' }] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(call('startMushra', { reference: REFERENCE, referenceLabel: 'x', runs: [{ audio: REFERENCE, label: 'y' }] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/is the reference itself/) });
      await expect(call('startMushra', { reference: REFERENCE, referenceLabel: 'x', runs: [{ audio: { kind: 'run', runId: 'nope', file: 'test_reconstruction' }, label: 'y' }] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no run nope' });
      // An ABX call on a MUSHRA test says so.
      const { testId } = await call<{ testId: string }>('startMushra', { reference: REFERENCE, referenceLabel: 'x', runs });
      await expect(call('abxTrial', testId)).rejects.toMatchObject({ code: 'LISTENING_WRONG_KIND' });
      await expect(call('audio', ANCHOR_3K5)).resolves.toBeInstanceOf(ArrayBuffer);
    }));
});
