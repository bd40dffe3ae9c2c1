// A run on disk: one folder per run.
//   config.json      the settings and the audio it was trained on
//   log.jsonl        one JSON object per logged step: {"step", "trainLoss", "lr"} (+ "valLoss" when validated)
//   metrics.json     the result: status, losses, and the evaluation of the best weights on the test split
//   best.weights     the weights with the lowest validation loss (format: src/nn/weights.ts)
//   last.weights     the weights at the last completed step
//   val_original.wav, val_reconstruction.wav, test_original.wav, test_reconstruction.wav (32-bit float,
//                    24 kHz mono: the segments of each split one after another, exactly as scored)
// Every file is written to a temporary name and renamed, so a run killed at any moment leaves
// whole files only; a leftover temporary file (hidden, `.name.pid-xxxx.tmp`) is removed when the run is read.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { decodeWav } from '../audio/wav-read.js';

export interface LogEntry {
  step: number;
  trainLoss: number;
  lr: number;
  valLoss?: number;
}

/** A folder name that sorts by time and says what the run was. */
export function newRunDir(root: string, label: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  mkdirSync(root, { recursive: true });
  for (let k = 0; ; k++) {
    const dir = path.join(root, `${stamp}-${label}${k ? `-${k + 1}` : ''}`);
    if (!existsSync(dir)) {
      mkdirSync(dir);
      return dir;
    }
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

  /** Merge a validation result into the entry of its step (adding one if that step was not logged). */
  addValidation(step: number, valLoss: number, trainLoss: number, lr: number): void {
    const last = this.entries[this.entries.length - 1];
    if (last && last.step === step) last.valLoss = valLoss;
    else this.entries.push({ step, trainLoss, lr, valLoss });
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

/** True if a process with this id is running (so a temporary file it owns may still be written). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else; only ESRCH means it is gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temporary files a killed writer left behind. Returns their names. A temporary file whose
 * writer (named by the pid in its name) is still running is left alone: it is being written now.
 */
export function removeStaleTemporaries(dir: string): string[] {
  const stale = readdirSync(dir).filter((f) => {
    const m = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/.exec(f);
    return m !== null && !processAlive(Number(m[1]));
  });
  for (const f of stale) rmSync(path.join(dir, f), { force: true });
  return stale;
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function readLog(dir: string): LogEntry[] {
  const file = path.join(dir, 'log.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogEntry);
}

/**
 * A run's test split as the run saved it: test_original.wav cut back into its segments (the
 * segment length is in config.json). Scoring these gives the figures the run reported.
 */
export function readTestSplit(dir: string): { clips: { name: string; audio: Float32Array }[]; segment: number } {
  const segment = readJson<{ segment?: number }>(path.join(dir, 'config.json')).segment ?? 8192;
  const test = decodeWav(new Uint8Array(readFileSync(path.join(dir, 'test_original.wav'))));
  const clips = [];
  for (let s = 0; s + segment <= test.frames; s += segment) clips.push({ name: `test ${clips.length}`, audio: test.samples[0].subarray(s, s + segment) });
  return { clips, segment };
}
