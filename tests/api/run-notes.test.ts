// Renaming, annotating and deleting runs (LabService.annotateRun / deleteRun): a title and a note in
// the run's notes.json, read back through listRuns; deleting moves the folder to `trash/` in the runs
// folder, whole, and the list no longer shows it. Run folders are written by hand (as the engine
// writes them), except for the one test that needs a run this app is training. The last block goes
// through the web host's HTTP door, where each code must come with its status.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabService } from '../../src/api/service.js';
import { DEFAULT_CONFIG } from '../../src/train/config.js';
import { startWebHost } from '../../src/web/host.js';
import { statusOf } from '../../src/web/status.js';
import { LabClient } from '../web/client.js';
import { MUSIC_DIR, tempDir } from '../helpers.js';

const CONFIG = { ...DEFAULT_CONFIG, clips: ['tone.wav'], createdAt: '2024-01-01T00:00:00.000Z' };
const RESULT = { runDir: 'x', status: 'completed', steps: 10, finalTrainLoss: 0.5, bestValLoss: 0.4, bestStep: 10, metrics: null };
const LOG = '{"step":1,"trainLoss":0.9,"lr":0.001}\n{"step":10,"trainLoss":0.5,"lr":0.001,"valLoss":0.4}\n';
const RUN_FILES = { 'config.json': JSON.stringify(CONFIG), 'metrics.json': JSON.stringify(RESULT), 'log.jsonl': LOG, 'best.weights': 'weights bytes' };

function writeRun(runs: string, id: string, files: Record<string, string> = RUN_FILES): string {
  const dir = path.join(runs, id);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Every file of a folder with its bytes. */
const contents = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));

/** A service on `<tmp>/runs`; `outside` is a folder beside the runs folder, removed with it. */
async function withLab(test: (lab: LabService, runs: string, outside: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir('codec-lab-notes-');
  const runs = path.join(dir, 'runs');
  const outside = path.join(dir, 'outside');
  mkdirSync(runs);
  mkdirSync(outside);
  const lab = new LabService({ runsDir: runs, withBundledClip: false });
  try {
    await test(lab, runs, outside);
  } finally {
    await lab.shutdown();
    cleanup();
  }
}

describe('annotateRun', () => {
  it('stores a title and a note in notes.json and listRuns reads them back; the id and folder stay', () =>
    withLab(async (lab, runs) => {
      writeRun(runs, 'run-a');
      expect(await lab.annotateRun('run-a', { title: '  mel, lr 1e-3 ', note: 'sounds metallic\nretry with a lower lr' })).toEqual({
        title: 'mel, lr 1e-3',
        note: 'sounds metallic\nretry with a lower lr',
      });
      const [listed] = await lab.listRuns();
      expect(listed).toMatchObject({ id: 'run-a', status: 'completed', steps: 10, title: 'mel, lr 1e-3', note: 'sounds metallic\nretry with a lower lr' });
      expect(JSON.parse(readFileSync(path.join(runs, 'run-a', 'notes.json'), 'utf8'))).toEqual({ title: 'mel, lr 1e-3', note: 'sounds metallic\nretry with a lower lr' });
      expect(readdirSync(runs)).toEqual(['run-a']);
      // Written whole: no temporary file is left beside it.
      expect(readdirSync(path.join(runs, 'run-a')).filter((f) => f.startsWith('.'))).toEqual([]);
    }));

  it('changes only the fields given; an empty one removes that field', () =>
    withLab(async (lab, runs) => {
      writeRun(runs, 'run-a');
      await lab.annotateRun('run-a', { title: 'first', note: 'keep me' });
      expect(await lab.annotateRun('run-a', { title: 'second' })).toEqual({ title: 'second', note: 'keep me' });
      expect(await lab.annotateRun('run-a', { note: '' })).toEqual({ title: 'second' });
      const [listed] = await lab.listRuns();
      expect(listed.title).toBe('second');
      expect(listed).not.toHaveProperty('note');
    }));

  it('refuses a title or note over its bound, a title of two lines, and a run that is not there', () =>
    withLab(async (lab, runs) => {
      writeRun(runs, 'run-a');
      expect(await lab.annotateRun('run-a', { title: 't'.repeat(120), note: 'n'.repeat(4000) })).toMatchObject({ title: 't'.repeat(120) });
      await expect(lab.annotateRun('run-a', { title: 't'.repeat(121) })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/at most 120 characters, not 121/) });
      await expect(lab.annotateRun('run-a', { note: 'n'.repeat(4001) })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/at most 4000/) });
      await expect(lab.annotateRun('run-a', { title: 'two\nlines' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/one line/) });
      await expect(lab.annotateRun('run-a', { title: 5 as never })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(lab.annotateRun('no-such-run', { title: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(lab.annotateRun('../run-a', { title: 'x' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      // The refused calls changed nothing.
      expect((await lab.listRuns())[0]).toMatchObject({ title: 't'.repeat(120), note: 'n'.repeat(4000) });
    }));

  it('treats a notes.json it cannot use as absent: the run keeps its figures, and the next save replaces the file', () =>
    withLab(async (lab, runs) => {
      const dir = writeRun(runs, 'run-a');
      for (const broken of ['{ "title": ', '[1, 2]', '{"title": 42, "note": ["x"]}']) {
        writeFileSync(path.join(dir, 'notes.json'), broken);
        const [listed] = await lab.listRuns();
        expect(listed, broken).toMatchObject({ id: 'run-a', status: 'completed', steps: 10, bestValLoss: 0.4 });
        expect(listed, broken).not.toHaveProperty('title');
        expect(listed, broken).not.toHaveProperty('note');
      }
      expect(await lab.annotateRun('run-a', { note: 'fixed' })).toEqual({ note: 'fixed' });
      expect((await lab.listRuns())[0].note).toBe('fixed');
    }));
});

describe('deleteRun', () => {
  it('moves the folder, every file intact, to trash/ in the runs folder; the list no longer shows it or the trash', () =>
    withLab(async (lab, runs) => {
      writeRun(runs, 'run-a');
      writeRun(runs, 'run-b');
      await lab.annotateRun('run-a', { title: 'the bad one' });
      const before = contents(path.join(runs, 'run-a'));
      expect(await lab.deleteRun('run-a')).toEqual({ movedTo: 'trash/run-a' });
      expect(existsSync(path.join(runs, 'run-a'))).toBe(false);
      expect(contents(path.join(runs, 'trash', 'run-a'))).toEqual(before);
      expect((await lab.listRuns()).map((r) => r.id)).toEqual(['run-b']);
      await expect(lab.runLog('run-a')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // Gone is gone: a second delete, and the trash itself, are not runs.
      await expect(lab.deleteRun('run-a')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(lab.deleteRun('trash')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(lab.annotateRun('trash', { title: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }));

  it('gives a suffix when a run of that name is already in the trash, and overwrites nothing', () =>
    withLab(async (lab, runs) => {
      writeRun(runs, 'run-a', { ...RUN_FILES, 'log.jsonl': 'first\n' });
      await lab.deleteRun('run-a');
      writeRun(runs, 'run-a', { ...RUN_FILES, 'log.jsonl': 'second\n' });
      expect(await lab.deleteRun('run-a')).toEqual({ movedTo: 'trash/run-a-2' });
      writeRun(runs, 'run-a', { ...RUN_FILES, 'log.jsonl': 'third\n' });
      expect(await lab.deleteRun('run-a')).toEqual({ movedTo: 'trash/run-a-3' });
      expect(readdirSync(path.join(runs, 'trash')).sort()).toEqual(['run-a', 'run-a-2', 'run-a-3']);
      expect(['run-a', 'run-a-2', 'run-a-3'].map((d) => readFileSync(path.join(runs, 'trash', d, 'log.jsonl'), 'utf8'))).toEqual(['first\n', 'second\n', 'third\n']);
    }));

  it('moves a damaged run too (bad config.json, or none), but not a folder that is no run, nor a link', () =>
    withLab(async (lab, runs, outside) => {
      writeRun(runs, 'bad-json-run', { 'config.json': '{ "preset": ' });
      writeRun(runs, 'orphan-run', { 'log.jsonl': LOG });
      writeRun(runs, 'not-a-run', { 'readme.txt': 'hello' });
      const elsewhere = writeRun(outside, 'real-run');
      symlinkSync(elsewhere, path.join(runs, 'linked-run'), 'dir');
      expect((await lab.listRuns()).map((r) => [r.id, r.status])).toEqual([['bad-json-run', 'damaged'], ['orphan-run', 'damaged']]);
      expect(await lab.deleteRun('bad-json-run')).toEqual({ movedTo: 'trash/bad-json-run' });
      expect(await lab.deleteRun('orphan-run')).toEqual({ movedTo: 'trash/orphan-run' });
      await expect(lab.deleteRun('not-a-run')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(lab.deleteRun('linked-run')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await lab.listRuns()).toEqual([]);
      expect(readdirSync(path.join(runs, 'trash')).sort()).toEqual(['bad-json-run', 'orphan-run']);
      expect(existsSync(path.join(elsewhere, 'config.json'))).toBe(true);
    }));

  it('refuses to use a trash that is a file or a link (TRASH_UNUSABLE), and moves nothing', () =>
    withLab(async (lab, runs, outside) => {
      writeRun(runs, 'run-a');
      writeFileSync(path.join(runs, 'trash'), 'not a folder');
      await expect(lab.deleteRun('run-a')).rejects.toMatchObject({ code: 'TRASH_UNUSABLE' });
      rmSync(path.join(runs, 'trash'));
      symlinkSync(outside, path.join(runs, 'trash'), 'dir');
      await expect(lab.deleteRun('run-a')).rejects.toMatchObject({ code: 'TRASH_UNUSABLE' });
      expect(readdirSync(outside)).toEqual([]);
      expect((await lab.listRuns()).map((r) => r.id)).toEqual(['run-a']);
    }));
});

describe('a run this app is training', () => {
  it('can be annotated, and is not deleted (RUN_ACTIVE) until it has stopped', { timeout: 120_000 }, () =>
    withLab(async (lab, runs) => {
      const [clip] = await lab.addFiles([path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav')]);
      const { runId } = await lab.startTraining([clip.id], { preset: 'tiny', loss: 'wave-l1', steps: 100_000, batch: 2, segment: 4096, valEvery: 1000 });
      await expect(lab.deleteRun(runId)).rejects.toMatchObject({ code: 'RUN_ACTIVE', message: expect.stringMatching(/stop it/) });
      // Its folder appears once the run has really started.
      while (!existsSync(path.join(runs, runId, 'config.json'))) await new Promise((r) => setTimeout(r, 50));
      expect(await lab.annotateRun(runId, { title: 'long one', note: 'started to see the trash refuse it' })).toEqual({ title: 'long one', note: 'started to see the trash refuse it' });
      expect((await lab.listRuns()).find((r) => r.id === runId)).toMatchObject({ status: 'running', title: 'long one' });
      await expect(lab.deleteRun(runId)).rejects.toMatchObject({ code: 'RUN_ACTIVE' });
      expect(existsSync(path.join(runs, runId))).toBe(true);
      await lab.stopTraining(runId);
      expect((await lab.waitForRun(runId))?.status).toBe('stopped');
      expect(await lab.deleteRun(runId)).toEqual({ movedTo: `trash/${runId}` });
      expect(JSON.parse(readFileSync(path.join(runs, 'trash', runId, 'notes.json'), 'utf8'))).toEqual({ title: 'long one', note: 'started to see the trash refuse it' });
    }));
});

describe('through the web host', () => {
  it('annotates and deletes over HTTP, each refusal with its code and status', async () => {
    const { dir, cleanup } = tempDir('codec-lab-notes-http-');
    const host = await startWebHost({ runsDir: dir, withBundledClip: false });
    try {
      writeRun(dir, 'run-a');
      const client = new LabClient(host.port, host.token);
      expect(await client.result('annotateRun', 'run-a', { title: 'over http', note: 'a note' })).toEqual({ title: 'over http', note: 'a note' });
      expect(await client.result('listRuns')).toMatchObject([{ id: 'run-a', title: 'over http', note: 'a note' }]);
      const tooLong = await client.call('annotateRun', ['run-a', { title: 'x'.repeat(121) }]);
      expect(tooLong).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
      const twoLines = await client.call('annotateRun', ['run-a', { title: 'a\nb' }]);
      expect(twoLines).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST', message: expect.stringMatching(/one line/) } } });
      expect(await client.result('deleteRun', 'run-a')).toEqual({ movedTo: 'trash/run-a' });
      expect(await client.result('listRuns')).toEqual([]);
      const again = await client.call('deleteRun', ['run-a']);
      expect(again).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
      expect(existsSync(path.join(dir, 'trash', 'run-a', 'config.json'))).toBe(true);
      expect(statusOf('RUN_ACTIVE')).toBe(409);
      expect(statusOf('TRASH_UNUSABLE')).toBe(409);
    } finally {
      await host.close();
      cleanup();
    }
  });
});
