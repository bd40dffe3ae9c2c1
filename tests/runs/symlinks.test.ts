// Nothing in the runs folder is followed through a symbolic link: a run folder copied from someone
// else could hold links to any file on the machine, and the web host serves run files to a browser.
// Listing skips linked run folders, reading refuses linked files, and the clean-up of temporary files
// never touches anything outside a run folder.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listRunDirs, readRunFile } from '../../src/runs/run-files.js';
import { loadRunWeights, readJson, readLog, readTestSplit, removeStaleStaging, removeStaleTemporaries } from '../../src/runs/run-dir.js';
import { LabService } from '../../src/api/service.js';
import { tempDir } from '../helpers.js';
import { makeRun } from './make-run.js';

const DEAD_PID = 2147483646;

/** A runs folder with one real run, and a folder outside it holding a copy of that run and a secret. */
async function layout(dir: string) {
  const runs = path.join(dir, 'runs');
  const outside = path.join(dir, 'outside');
  const { runDir } = await makeRun(runs);
  const id = path.basename(runDir);
  mkdirSync(outside);
  cpSync(runDir, path.join(outside, 'other-run'), { recursive: true });
  const secret = path.join(outside, 'secret.txt');
  writeFileSync(secret, 'not for the browser');
  return { runs, outside, runDir, id, secret };
}

describe('the runs folder and symbolic links', () => {
  it('does not list or open a run folder that is a link, even to a real run', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runs, outside, id } = await layout(dir);
      const linked = path.join(runs, 'linked-run');
      symlinkSync(path.join(outside, 'other-run'), linked, 'dir');
      expect(listRunDirs(runs)).toEqual([id]);
      expect(() => readTestSplit(linked)).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
      expect(() => loadRunWeights(linked, 'best')).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));

      const lab = new LabService({ runsDir: runs, withBundledClip: false });
      expect((await lab.listRuns()).map((r) => r.id)).toEqual([id]);
      await expect(lab.runLog('linked-run')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(lab.crossEvaluate(['linked-run'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(lab.audio({ kind: 'run', runId: 'linked-run', file: 'test_original' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      cleanup();
    }
  });

  it('refuses a file inside a run that is a link (to a file outside or to one in the same run), naming it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runs, runDir, id, secret, outside } = await layout(dir);
      const swap = (name: string, target: string) => {
        rmSync(path.join(runDir, name));
        symlinkSync(target, path.join(runDir, name));
      };
      swap('test_original.wav', secret);
      swap('best.weights', path.join(outside, 'other-run', 'best.weights'));
      swap('log.jsonl', path.join(runDir, 'config.json'));
      swap('split.json', path.join(outside, 'other-run', 'split.json'));
      const damaged = (file: string) => expect.objectContaining({ code: 'RUN_DAMAGED', message: expect.stringContaining(`${file} is a symbolic link`) });
      expect(() => readRunFile(path.join(runDir, 'test_original.wav'))).toThrow(damaged('test_original.wav'));
      expect(() => loadRunWeights(runDir, 'best')).toThrow(damaged('best.weights'));
      expect(() => readLog(runDir)).toThrow(damaged('log.jsonl'));
      expect(() => readTestSplit(runDir)).toThrow(damaged('split.json'));
      // A file that is not a link still reads.
      expect(readJson<{ preset: string }>(path.join(runDir, 'config.json')).preset).toBe('tiny');

      const lab = new LabService({ runsDir: runs, withBundledClip: false });
      await expect(lab.audio({ kind: 'run', runId: id, file: 'test_original' })).rejects.toMatchObject({ code: 'RUN_DAMAGED' });
      await expect(lab.crossEvaluate([id])).rejects.toMatchObject({ code: 'RUN_DAMAGED' });
      expect(readFileSync(secret, 'utf8')).toBe('not for the browser');
    } finally {
      cleanup();
    }
  });

  it('never removes through a link: a temporary name that is a link, a linked run folder, or a folder without config.json', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runs, runDir, outside, secret } = await layout(dir);
      // A stale temporary's name on a link to a file outside: the link is not ours, and stays; so does its target.
      const linkTmp = `.secret.txt.${DEAD_PID}-0a1b2c3d.tmp`;
      symlinkSync(secret, path.join(runDir, linkTmp));
      // A stale temporary's name on a folder: not one this program makes, left alone.
      mkdirSync(path.join(runDir, `.folder.${DEAD_PID}-0a1b2c3d.tmp`));
      const realTmp = `.best.weights.${DEAD_PID}-0a1b2c3d.tmp`;
      writeFileSync(path.join(runDir, realTmp), 'x');
      expect(removeStaleTemporaries(runDir)).toEqual([realTmp]);
      expect(readdirSync(runDir).filter((f) => f.startsWith('.')).sort()).toEqual([linkTmp, `.folder.${DEAD_PID}-0a1b2c3d.tmp`].sort());
      expect(readFileSync(secret, 'utf8')).toBe('not for the browser');

      // A run folder that is a link: the stale temporary in the folder it points to stays.
      const outsideTmp = path.join(outside, 'other-run', realTmp);
      writeFileSync(outsideTmp, 'x');
      symlinkSync(path.join(outside, 'other-run'), path.join(runs, 'linked-run'), 'dir');
      expect(removeStaleTemporaries(path.join(runs, 'linked-run'))).toEqual([]);
      await new LabService({ runsDir: runs, withBundledClip: false }).listRuns();
      expect(readFileSync(outsideTmp, 'utf8')).toBe('x');

      // A folder that is not a run (no config.json), such as the runs folder itself.
      const rootTmp = path.join(runs, `.stray.${DEAD_PID}-0a1b2c3d.tmp`);
      writeFileSync(rootTmp, 'x');
      expect(removeStaleTemporaries(runs)).toEqual([]);
      expect(readFileSync(rootTmp, 'utf8')).toBe('x');
    } finally {
      cleanup();
    }
  });

  it('removes a stale half-made run folder without following the links inside it, and never a link with such a name', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runs, outside, secret } = await layout(dir);
      const staging = path.join(runs, `.20261127-120000-tiny-wave-l1.${DEAD_PID}-0a1b2c3d.tmp`);
      mkdirSync(staging);
      writeFileSync(path.join(staging, 'config.json'), '{}');
      symlinkSync(outside, path.join(staging, 'outside-link'), 'dir');
      symlinkSync(secret, path.join(staging, 'secret-link'));
      const linkedStaging = `.x.${DEAD_PID}-0b1b2c3d.tmp`;
      symlinkSync(outside, path.join(runs, linkedStaging), 'dir');
      const live = path.join(runs, `.y.${process.pid}-0c1b2c3d.tmp`);
      mkdirSync(live);
      expect(removeStaleStaging(runs)).toEqual([path.basename(staging)]);
      expect(readdirSync(runs).filter((f) => f.startsWith('.')).sort()).toEqual([linkedStaging, path.basename(live)].sort());
      expect(readFileSync(secret, 'utf8')).toBe('not for the browser');
      expect(readdirSync(path.join(outside, 'other-run'))).toContain('best.weights');
    } finally {
      cleanup();
    }
  });
});
