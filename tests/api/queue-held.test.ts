// Two processes on one runs folder (the app, and `codec-lab sweep` in a terminal): only the one that
// holds the queue lock runs and changes the queue. The lab started while another holds it shows the
// queue as that one writes it and refuses changes with QUEUE_HELD naming the holder; once the other
// ends, its changes go through, and it holds the queue only while the queue has work.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LabService } from '../../src/api/service.js';
import { dispatchCaller } from './dispatch-caller.js';
import { QUEUE_WATCH_MS, type QueueView } from '../../src/api/queue-runner.js';
import { QueueStore } from '../../src/runs/run-queue.js';
import { QUEUE_LOCK_FILE } from '../../src/runs/queue-lock.js';
import { resolveConfig, type TrainConfig } from '../../src/train/config.js';
import { tempDir } from '../helpers.js';
import { holdQueueLock } from '../runs/queue-lock-holder.js';

describe('a runs folder whose queue another process runs', () => {
  it('is shown, not changed, until that process ends; then this lab runs it', async () => {
    const { dir, cleanup } = tempDir('codec-lab-queue-held-');
    const runs = path.join(dir, 'runs');
    const holder = await holdQueueLock(runs, 'codec-lab sweep');
    // What the holder's queue holds: one paused item (so neither side trains it here).
    const store = new QueueStore<TrainConfig>(runs, (v) => resolveConfig(v as Partial<TrainConfig>));
    const config = resolveConfig({ preset: 'tiny', steps: 2 });
    const item = { id: 'q-1', config, clips: [{ name: 'x.wav', sha256: 'ab' }], status: 'queued' as const, addedAt: '2026-11-28T00:00:00.000Z' };
    store.write({ paused: true, items: [item] });
    const lab = new LabService({ runsDir: runs, withBundledClip: true });
    let shut = false;
    try {
      const call = dispatchCaller(lab, runs);
      let q = await call<QueueView>('runQueue');
      expect(q.heldElsewhere).toMatch(new RegExp(`^codec-lab sweep \\(process ${holder.pid} on this machine, since `));
      expect(q.items.map((i) => [i.id, i.status])).toEqual([['q-1', 'queued']]);
      const [clip] = await lab.listLibrary();
      await expect(call('startRace', [clip.id], { preset: 'tiny', steps: 2 }, { vary: 'lr', values: [1e-3, 2e-3] })).rejects.toMatchObject({ code: 'QUEUE_HELD', message: expect.stringContaining('codec-lab sweep') });
      await expect(call('setQueuePaused', false)).rejects.toMatchObject({ code: 'QUEUE_HELD' });
      await expect(call('cancelQueued', 'q-1')).rejects.toMatchObject({ code: 'QUEUE_HELD' });
      // The holder starts its item: this lab shows it on its next look.
      store.write({ paused: true, items: [{ ...item, status: 'running', runId: 'tiny-wave-l1-x' }] });
      const start = Date.now();
      const until = async (done: (v: QueueView) => boolean) => {
        while (!done(await call<QueueView>('runQueue')) && Date.now() - start < 10 * QUEUE_WATCH_MS) await new Promise((r) => setTimeout(r, 100));
        return call<QueueView>('runQueue');
      };
      q = await until((v) => v.items[0]?.status === 'running');
      expect(q.items[0]).toMatchObject({ status: 'running', runId: 'tiny-wave-l1-x' });

      // It ends with its item unfinished: this lab goes on with the queue, the item queued again.
      await holder.end();
      q = await until((v) => !v.heldElsewhere);
      expect(q.heldElsewhere).toBeUndefined();
      expect(q.items[0]).toMatchObject({ id: 'q-1', status: 'queued', message: expect.stringMatching(/^interrupted when the app stopped \(its run tiny-wave-l1-x is kept, incomplete\)/) });
      expect(JSON.parse(readFileSync(path.join(runs, QUEUE_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
      // Changes go through now. An idle queue is handed back at once (so a sweep may run while the app
      // is open and idle); one with work is held while it has work.
      q = await call<QueueView>('cancelQueued', 'q-1');
      expect(q.items[0].status).toBe('cancelled');
      expect(existsSync(path.join(runs, QUEUE_LOCK_FILE))).toBe(false);
      await call('startRace', [clip.id], { preset: 'tiny', steps: 2 }, { vary: 'lr', values: [1e-3, 2e-3] });
      expect((await call<QueueView>('runQueue')).items.map((i) => i.status)).toEqual(['cancelled', 'queued', 'queued']);
      expect(JSON.parse(readFileSync(path.join(runs, QUEUE_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, what: 'the Codec Lab app' });
      // The lab hands the queue on when it shuts down.
      await lab.shutdown();
      shut = true;
      expect(existsSync(path.join(runs, QUEUE_LOCK_FILE))).toBe(false);
    } finally {
      if (!shut) await lab.shutdown();
      await holder.end();
      cleanup();
    }
  }, 60_000);
});
