// One process at a time runs a runs folder's queue (src/runs/queue-lock.ts): a second process is told
// who holds it, this process may take it again, and a lock whose process is gone is taken over.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holdQueueLock } from './queue-lock-holder.js';
import { acquireQueueLock, describeHolder, QUEUE_LOCK_FILE, readQueueHolder, type QueueLock } from '../../src/runs/queue-lock.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'codec-lab-queue-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that ran and is gone: a child process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

const isLock = (v: QueueLock | { heldBy: unknown }): v is QueueLock => 'release' in v;

describe('queue lock', () => {
  it('is taken once, says who holds it, may be taken again by the same process, and is gone after release', () => {
    const dir = tmp();
    const lock = acquireQueueLock(dir, 'codec-lab sweep');
    expect(isLock(lock)).toBe(true);
    const holder = readQueueHolder(path.join(dir, QUEUE_LOCK_FILE))!;
    expect(holder).toMatchObject({ pid: process.pid, host: os.hostname(), what: 'codec-lab sweep' });
    expect(describeHolder(holder)).toMatch(/^codec-lab sweep \(process \d+ on this machine, since \d{4}-/);
    expect(isLock(acquireQueueLock(dir, 'the Codec Lab app'))).toBe(true);
    (lock as QueueLock).release();
    expect(existsSync(path.join(dir, QUEUE_LOCK_FILE))).toBe(false);
  });

  it('takes over a lock whose process is gone, or a file that is not a lock', () => {
    const dir = tmp();
    const file = path.join(dir, QUEUE_LOCK_FILE);
    writeFileSync(file, JSON.stringify({ pid: deadPid(), host: os.hostname(), what: 'codec-lab sweep', since: '2026-01-01T00:00:00.000Z' }));
    expect(isLock(acquireQueueLock(dir, 'the Codec Lab app'))).toBe(true);
    expect(readQueueHolder(file)).toMatchObject({ pid: process.pid, what: 'the Codec Lab app' });
    writeFileSync(file, 'not a lock');
    expect(isLock(acquireQueueLock(dir, 'the Codec Lab app'))).toBe(true);
    expect(readQueueHolder(file)?.pid).toBe(process.pid);
  });

  it('leaves alone a lock written on another host, whose process cannot be checked from here', () => {
    const dir = tmp();
    const other = { pid: deadPid(), host: `${os.hostname()}-elsewhere`, what: 'the Codec Lab app', since: '2026-01-01T00:00:00.000Z' };
    writeFileSync(path.join(dir, QUEUE_LOCK_FILE), JSON.stringify(other));
    expect(acquireQueueLock(dir, 'codec-lab sweep')).toEqual({ heldBy: other });
  });

  it('is refused to this process while another live process holds it, and taken once that one ends', async () => {
    const dir = tmp();
    const holder = await holdQueueLock(dir, 'codec-lab sweep');
    expect(acquireQueueLock(dir, 'the Codec Lab app')).toEqual({ heldBy: expect.objectContaining({ pid: holder.pid, what: 'codec-lab sweep' }) });
    await holder.end();
    expect(isLock(acquireQueueLock(dir, 'the Codec Lab app'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, QUEUE_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
  });
});
