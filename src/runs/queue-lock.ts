// One process at a time runs the queue of a runs folder. The app (its web host or Electron) and
// `codec-lab sweep` each keep the queue in memory and write queue.json whole at every change, and each
// takes an item it finds `running` at its start for one a crash interrupted: two of them on one
// folder would overwrite each other's changes and train the same items twice. So the one that runs
// the queue holds `<runs>/queue.lock`, a file that says who holds it, made whole or not at all (a
// hard link of a written temporary file, which fails if the name exists); the other sees who, and
// waits (the app) or stops with that name (the command line).
//
// A lock whose process is gone (a crash, a kill -9) is stale and taken over: its pid no longer
// answers signal 0 on this host. A lock written on another host (a runs folder on a network share) is
// never taken over: its process cannot be checked from here.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tempNameFor } from '../util/atomic-file.js';
import { processAlive } from './run-dir.js';

export const QUEUE_LOCK_FILE = 'queue.lock';

/** Who holds a queue, as the lock file says. */
export interface QueueHolder {
  pid: number;
  host: string;
  /** What the holder is, for the message: "the Codec Lab app", "codec-lab sweep". */
  what: string;
  /** When it took the lock (ISO 8601). */
  since: string;
}

export interface QueueLock {
  /** Remove the lock, if it is still this process's. */
  release(): void;
}

const isHolder = (v: unknown): v is QueueHolder =>
  v !== null && typeof v === 'object' && typeof (v as QueueHolder).pid === 'number' && typeof (v as QueueHolder).host === 'string'
  && typeof (v as QueueHolder).what === 'string' && typeof (v as QueueHolder).since === 'string';

/** The holder a lock file names, or null when the file is gone or not a lock (a write cut short). */
export function readQueueHolder(file: string): QueueHolder | null {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isHolder(v) ? v : null;
  } catch {
    return null;
  }
}

/** Whether a holder is this process. */
export function isThisProcess(h: QueueHolder): boolean {
  return h.pid === process.pid && h.host === os.hostname();
}

/** Whether the holder still holds: on another host it cannot be checked, so it does. */
export function holderAlive(h: QueueHolder): boolean {
  return h.host !== os.hostname() || processAlive(h.pid);
}

/** Another live process holding the queue of `runsDir`, or null (nobody, this process, or a stale lock). */
export function otherHolder(runsDir: string): QueueHolder | null {
  const h = readQueueHolder(path.join(runsDir, QUEUE_LOCK_FILE));
  return h && !isThisProcess(h) && holderAlive(h) ? h : null;
}

/** "the Codec Lab app (process 1234 on this machine, since 2026-11-28T00:30:00.000Z)" */
export function describeHolder(h: QueueHolder): string {
  return `${h.what} (process ${h.pid} ${h.host === os.hostname() ? 'on this machine' : `on ${h.host}`}, since ${h.since})`;
}

/**
 * Take the queue of `runsDir` for this process: the lock, or who holds it. This process may take it
 * again (two services on one folder in one process share it); a stale or unreadable lock is replaced.
 */
export function acquireQueueLock(runsDir: string, what: string): QueueLock | { heldBy: QueueHolder } {
  const file = path.join(runsDir, QUEUE_LOCK_FILE);
  mkdirSync(runsDir, { recursive: true });
  const me: QueueHolder = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createWhole(file, JSON.stringify(me) + '\n')) return ownLock(file);
    const holder = readQueueHolder(file);
    if (holder && isThisProcess(holder)) return ownLock(file);
    if (holder && holderAlive(holder)) return { heldBy: holder };
    // Stale, or not a lock (a file edited by hand): take its place.
    rmSync(file, { force: true });
  }
  // Another process kept replacing it: whoever is there holds it.
  const holder = readQueueHolder(file);
  if (holder) return { heldBy: holder };
  throw new Error(`cannot take the queue lock ${file}`);
}

/**
 * Create `file` holding `text`, or return false if it exists. Written to a temporary name and then
 * hard-linked to `file` (link fails if the name exists), so nobody ever reads a lock half-written.
 */
function createWhole(file: string, text: string): boolean {
  const tmp = tempNameFor(file);
  writeFileSync(tmp, text, { flag: 'wx' });
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function ownLock(file: string): QueueLock {
  return {
    release() {
      const holder = readQueueHolder(file);
      if (holder && isThisProcess(holder)) rmSync(file, { force: true });
    },
  };
}
