// A FIFO (named pipe) in a run folder, under a name the engine reads (metrics.json, log.jsonl, a
// WAV file), must be refused at once as damaged: opened for reading like a file, it would wait for a
// writer for ever, and runs are listed on the host's main thread.
//
// Were the open to block again, this test would hang rather than fail (a blocked synchronous read
// cannot be timed out). So each FIFO gets a rescuer, a child process holding a gate: if this process
// does not open the gate within some seconds (it cannot while blocked), the rescuer opens the FIFO for
// writing, which ends the blocked read, and exits with RESCUED. A rescuer whose gate was opened in
// time exits with 0. So a read that blocked fails the test, after those seconds, instead of hanging it.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readRunFile } from '../../src/runs/run-files.js';
import { LabService } from '../../src/api/service.js';
import { tempDir } from '../helpers.js';
import { makeRun } from './make-run.js';

const RESCUE_AFTER_MS = 5000;
const RESCUED = 3;
const rescuers: ChildProcess[] = [];

/** Replace `file` with a FIFO, and start its rescuer. */
function fifoAt(file: string): void {
  rmSync(file, { force: true });
  execFileSync('mkfifo', [file]);
  const rescue = `
    const fs = require('node:fs');
    const timer = setTimeout(() => { fs.writeFileSync(${JSON.stringify(file)}, 'rescued'); process.exit(${RESCUED}); }, ${RESCUE_AFTER_MS});
    process.stdin.once('data', () => { clearTimeout(timer); process.exit(0); });
    process.stdin.once('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', rescue], { stdio: ['pipe', 'ignore', 'ignore'] });
  // A rescuer that already exited closes its end; writing the gate to it then fails, harmlessly.
  child.stdin!.on('error', () => undefined);
  rescuers.push(child);
}

/** Open every rescuer's gate; true if none had to rescue a blocked read. */
async function noneRescued(): Promise<boolean> {
  const ends = rescuers.splice(0).map((child) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.stdin!.end('open\n');
    }),
  );
  return (await Promise.all(ends)).every((code) => code === 0);
}

afterEach(async () => {
  await noneRescued();
});

describe.skipIf(process.platform === 'win32')('a FIFO in a run folder', () => {
  it('is refused by readRunFile at once, as damaged, naming the file and what it is', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runDir } = await makeRun(dir);
      for (const name of ['metrics.json', 'log.jsonl', 'test_original.wav', 'val_reconstruction.wav']) {
        const file = path.join(runDir, name);
        fifoAt(file);
        expect(() => readRunFile(file)).toThrow(expect.objectContaining({ code: 'RUN_DAMAGED', message: `${file} is a FIFO (named pipe), not a regular file` }));
      }
      expect(await noneRescued(), 'a read blocked on a FIFO until its rescuer opened it').toBe(true);
    } finally {
      cleanup();
    }
  });

  it('does not hold up the runs list: the run is listed as damaged, with the reason, beside the intact one', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runDir } = await makeRun(dir);
      const intact = path.basename(runDir);
      // A finished run whose metrics.json is a FIFO, and an unfinished one (no metrics.json) whose log is.
      const finished = path.join(dir, 'fifo-metrics');
      const unfinished = path.join(dir, 'fifo-log');
      cpSync(runDir, finished, { recursive: true });
      cpSync(runDir, unfinished, { recursive: true });
      fifoAt(path.join(finished, 'metrics.json'));
      rmSync(path.join(unfinished, 'metrics.json'));
      fifoAt(path.join(unfinished, 'log.jsonl'));

      const listed = await new LabService({ runsDir: dir, withBundledClip: false }).listRuns();
      expect(await noneRescued(), 'a read blocked on a FIFO until its rescuer opened it').toBe(true);
      // Listed by name: the intact run's name starts with its date, so it comes first.
      expect(listed.map((r) => [r.id, r.status, r.damaged])).toEqual([
        [intact, 'completed', undefined],
        ['fifo-log', 'damaged', 'log.jsonl is a FIFO (named pipe), not a regular file'],
        ['fifo-metrics', 'damaged', 'metrics.json is a FIFO (named pipe), not a regular file'],
      ]);
    } finally {
      cleanup();
    }
  });
});
