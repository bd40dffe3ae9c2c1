// The run queue's file and rules: written whole and read back, an interrupted item queued again
// after a restart, only queued items moved or cancelled, the next item the first whose clips are
// at hand (none while paused or while one trains), and a damaged file refused with the reason.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterRestart, cancelItem, moveItem, nextItem, QueueStore, type QueueItem, type QueueState } from '../../src/runs/run-queue.js';
import { tempDir } from '../helpers.js';

type Cfg = { lr: number };
const check = (v: unknown): Cfg => {
  const lr = (v as { lr?: unknown })?.lr;
  if (typeof lr !== 'number') throw new Error('lr must be a number');
  return { lr };
};
const item = (id: string, status: QueueItem<Cfg>['status'], sha = 'a'): QueueItem<Cfg> => ({ id, config: { lr: 1 }, clips: [{ name: `${sha}.wav`, sha256: sha }], status, addedAt: '2026-11-27T10:00:00.000Z' });
const state = (...items: QueueItem<Cfg>[]): QueueState<Cfg> => ({ paused: false, items });

describe('the run queue', () => {
  it('writes queue.json whole and reads it back; a missing file is an empty queue; a damaged one says why', () => {
    const { dir, cleanup } = tempDir();
    try {
      const store = new QueueStore<Cfg>(dir, check);
      expect(store.read()).toEqual({ paused: false, items: [] });
      const s: QueueState<Cfg> = { paused: true, items: [{ ...item('q-1', 'done'), runId: 'r1', group: { id: 'g', label: 'race: optimizer', varied: 'optimizer', value: 'adam' } }, item('q-2', 'queued')] };
      store.write(s);
      expect(store.read()).toEqual(s);
      writeFileSync(path.join(dir, 'queue.json'), JSON.stringify({ format: 'codec-lab-queue', paused: false, items: [{ ...item('q-3', 'queued'), config: { lr: 'x' } }] }));
      expect(() => store.read()).toThrow(expect.objectContaining({ code: 'QUEUE_DAMAGED', message: "queue.json: item 1's settings: lr must be a number" }));
      writeFileSync(path.join(dir, 'queue.json'), '{');
      expect(() => store.read()).toThrow(expect.objectContaining({ code: 'QUEUE_DAMAGED' }));
    } finally {
      cleanup();
    }
  });

  it('queues an item that was training when the app stopped again, naming the run it left incomplete', () => {
    const s = afterRestart(state(item('q-1', 'done'), { ...item('q-2', 'running'), runId: 'r2' }, item('q-3', 'queued')));
    expect(s.items.map((it) => it.status)).toEqual(['done', 'queued', 'queued']);
    expect(s.items[1].runId).toBeUndefined();
    expect(s.items[1].message).toMatch(/its run r2 is kept, incomplete/);
  });

  it('moves and cancels queued items only', () => {
    const s = state(item('q-1', 'running'), item('q-2', 'queued'), item('q-3', 'queued'));
    expect(moveItem(s, 'q-3', 0).items.map((it) => it.id)).toEqual(['q-3', 'q-1', 'q-2']);
    expect(() => moveItem(s, 'q-1', 2)).toThrow(expect.objectContaining({ code: 'QUEUE_ITEM_BUSY' }));
    expect(() => moveItem(s, 'q-9', 0)).toThrow(expect.objectContaining({ code: 'QUEUE_NOT_FOUND' }));
    expect(cancelItem(s, 'q-2').items[1].status).toBe('cancelled');
    expect(() => cancelItem(s, 'q-1')).toThrow(expect.objectContaining({ code: 'QUEUE_ITEM_BUSY' }));
  });

  it('starts the first queued item whose clips are at hand; none while paused or while one trains', () => {
    const s = state(item('q-1', 'done'), item('q-2', 'queued', 'missing'), item('q-3', 'queued'));
    const has = (sha: string) => sha !== 'missing';
    expect(nextItem(s, has)?.id).toBe('q-3');
    expect(nextItem({ ...s, paused: true }, has)).toBeNull();
    expect(nextItem(state(item('q-1', 'running'), item('q-2', 'queued')), has)).toBeNull();
    expect(nextItem(state(item('q-1', 'cancelled')), has)).toBeNull();
  });
});
