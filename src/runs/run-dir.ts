// A run on disk: one folder per run.
//   config.json      the settings and the audio it was trained on
//   split.json       every segment of the train, validation and test splits: clip (name, hash), start, length
//   val_original.wav, test_original.wav (32-bit float, 24 kHz mono: the segments of each split one after
//                    another, in split.json's order)
//   log.jsonl        one JSON object per logged step: {"step", "trainLoss", "lr"} (+ "valLoss" when validated)
//   best.weights     the weights with the lowest validation loss (format: src/nn/weights.ts)
//   last.weights     the weights at the last completed step (after a divergence: the last that passed)
//   val_reconstruction.wav, test_reconstruction.wav: the best weights' output on those splits
//   metrics.json     the result: status, losses, and the evaluation of the best weights on the test split
// The folder appears whole: the first four files are written into a hidden temporary folder beside it,
// which is renamed once they are all there, and only after the run has really started. Every later
// file is written to a temporary name and renamed, so a run killed at any moment leaves whole files
// only; a leftover temporary file (hidden, `.name.pid-xxxx.tmp`) is removed when the run is read.
import { mkdirSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { tempNameFor, writeFileAtomicSync } from '../util/atomic-file.js';
import { decodeWeights, type WeightsFile } from '../nn/weights.js';
import { RunError } from './errors.js';
import { entryExists, isRealDir, isRegularFile, readRunFile } from './run-files.js';
import type { Yardstick } from '../eval/yardstick.js';

export { readTestSplit } from './split-file.js';

export interface LogEntry {
  step: number;
  trainLoss: number;
  lr: number;
  /**
   * The training dynamics after this step (runs made before they were logged lack them):
   * gradNorm, the global L2 norm of the whole batch's gradient before clipping, ||g||_2 over every
   * parameter; weightNorm, ||theta||_2 after the update; updateRatio, ||theta_t - theta_{t-1}||_2 /
   * ||theta_t||_2, the relative size of the step (Karpathy's rule of thumb: around 1e-3 is healthy).
   */
  gradNorm?: number;
  weightNorm?: number;
  updateRatio?: number;
  /** Seconds of training up to this step (pauses left out; validations and saves counted), for a time axis. */
  elapsedSec?: number;
  valLoss?: number;
  /** With every valLoss: the validation reconstruction on the common yardstick (every loss space, SI-SDR, SNR). */
  valMetrics?: Yardstick;
}

/** A free name for a run folder in `root` that sorts by time and says what the run was; `reserved` names are taken too. */
export function newRunName(root: string, label: string, reserved: ReadonlySet<string> = new Set()): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  for (let k = 0; ; k++) {
    const name = `${stamp}-${label}${k ? `-${k + 1}` : ''}`;
    if (!reserved.has(name) && !entryExists(path.join(root, name))) return name;
  }
}

/**
 * Make a run folder in `root` holding the files `fill` writes, all at once: they go into a hidden
 * folder that is renamed when `fill` is done, so nobody ever sees the run half made, and a failure
 * leaves nothing behind. `name` is the folder's exact name (RunError RUN_EXISTS if taken), or a label
 * from which a free name is made. Returns the folder.
 */
export async function createRunDir(root: string, name: string | { label: string }, fill: (dir: string) => Promise<void>): Promise<string> {
  mkdirSync(root, { recursive: true });
  removeStaleStaging(root);
  // The same hidden, per-process name as a temporary file's, so removeStaleStaging knows a dead writer's.
  const staging = tempNameFor(path.join(root, typeof name === 'string' ? name : name.label));
  mkdirSync(staging);
  try {
    await fill(staging);
    for (;;) {
      const final = path.join(root, typeof name === 'string' ? name : newRunName(root, name.label));
      // rename() would quietly replace an empty folder of that name, so look first.
      if (entryExists(final)) {
        if (typeof name === 'string') throw new RunError('RUN_EXISTS', `a run folder ${final} already exists`);
        continue;
      }
      try {
        renameSync(staging, final);
        return final;
      } catch (e) {
        // Another process took the name between the look and the rename: take the next one.
        const taken = ['EEXIST', 'ENOTEMPTY', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');
        if (!taken || typeof name === 'string') throw e;
      }
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

export function writeJson(dir: string, name: string, value: unknown): void {
  writeFileAtomicSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
}

/** The log, kept in memory and rewritten whole (atomically) when flushed: small, and never half-written. */
export class RunLog {
  private readonly entries: LogEntry[] = [];
  private dirty = false;
  private lastFlush = 0;

  constructor(private readonly dir: string) {}

  add(entry: LogEntry): void {
    this.entries.push(entry);
    this.dirty = true;
  }

  /** Merge a validation result into the entry of its step (adding `step` and `base` if that step was not logged). */
  addValidation(step: number, valLoss: number, valMetrics: Yardstick | null, base: Omit<LogEntry, 'step' | 'valLoss' | 'valMetrics'>): void {
    const last = this.entries[this.entries.length - 1];
    const entry = last && last.step === step ? last : { step, ...base };
    entry.valLoss = valLoss;
    if (valMetrics) entry.valMetrics = valMetrics;
    if (entry !== last) this.entries.push(entry);
    this.dirty = true;
  }

  /** Write if anything changed and at least `minIntervalMs` passed since the last write. */
  flush(minIntervalMs = 0): void {
    const now = Date.now();
    if (!this.dirty || now - this.lastFlush < minIntervalMs) return;
    writeFileAtomicSync(path.join(this.dir, 'log.jsonl'), this.entries.map((e) => JSON.stringify(e)).join('\n') + (this.entries.length ? '\n' : ''));
    this.dirty = false;
    this.lastFlush = now;
  }
}

/** True if a process with this id is running on this machine (so a file it owns may still be written). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else; only ESRCH means it is gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True for a temporary name (`.name.PID-xxxxxxxx.tmp`) whose writer is no longer running. */
function isStale(name: string): boolean {
  const m = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/.exec(name);
  return m !== null && !processAlive(Number(m[1]));
}

/**
 * Remove temporary files a killed writer left in a run folder. Returns their names. Only a real run
 * folder is cleaned (not a link to one, not a folder without config.json), and only regular files in
 * it (a link or a folder with a temporary's name is not one this program made). A temporary file
 * whose writer (named by the pid in its name) is still running is left alone: it is being written now.
 */
export function removeStaleTemporaries(dir: string): string[] {
  if (!isRealDir(dir) || !isRegularFile(path.join(dir, 'config.json'))) return [];
  const stale = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && isStale(d.name))
    .map((d) => d.name);
  for (const f of stale) {
    try {
      // unlink never follows a link: had the name been swapped for one since, only the link would go.
      unlinkSync(path.join(dir, f));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return stale;
}

/**
 * Remove the hidden folders in which a killed process was making a run folder (see createRunDir).
 * Only real folders with a staging name whose process is gone; their contents are removed without
 * following links (a link inside is unlinked, its target untouched).
 */
export function removeStaleStaging(root: string): string[] {
  if (!isRealDir(root)) return [];
  const stale = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isStale(d.name))
    .map((d) => d.name);
  for (const d of stale) rmSync(path.join(root, d), { recursive: true, force: true });
  return stale;
}

/** A JSON file of a run folder (never read through a link). */
export function readJson<T>(file: string): T {
  const text = readRunFile(file).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new RunError('RUN_DAMAGED', `${file} is not JSON`);
  }
}

export function readLog(dir: string): LogEntry[] {
  const file = path.join(dir, 'log.jsonl');
  if (!entryExists(file)) return [];
  return readRunFile(file)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l, i) => {
      try {
        return JSON.parse(l) as LogEntry;
      } catch {
        throw new RunError('RUN_DAMAGED', `${file}: entry ${i + 1} is not JSON`);
      }
    });
}

/** A run's weights file, `best` or `last` (never read through a link). */
export function loadRunWeights(dir: string, which: 'best' | 'last'): WeightsFile {
  const file = path.join(dir, `${which}.weights`);
  return decodeWeights(new Uint8Array(readRunFile(file)), file);
}
