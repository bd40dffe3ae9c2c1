// A race through the lab's one door: the same configuration queued once per optimizer, trained one
// after another (never two at once), each run's config.json naming its group, and the same data:
// same split, and the same first batch (their step-1 losses, computed before any update, are
// equal). The queue survives a restart: a run cut off by shutdown is trained again by the next
// service on the same runs folder. And the learning-rate range test, in an engine worker.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LabService } from '../../src/api/service.js';
import { dispatchCaller } from './dispatch-caller.js';
import type { LabEvent, LrRangeResult, QueueView, TrainConfig } from '../../src/api/contract.js';
import { readLog } from '../../src/runs/run-dir.js';
import { tempDir } from '../helpers.js';

const BASE: Partial<TrainConfig> = { preset: 'tiny', loss: 'wave-l1', steps: 6, batch: 2, segment: 4096, valEvery: 3, seed: 5 };

async function until(lab: LabService, done: (q: QueueView) => boolean, ms = 60_000): Promise<QueueView> {
  const start = Date.now();
  for (;;) {
    const q = await lab.runQueue();
    if (done(q)) return q;
    if (Date.now() - start > ms) throw new Error(`queue not done in time: ${JSON.stringify(q.items.map((i) => i.status))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a race of optimizers', () => {
  it('trains one run per optimizer (three), one after another, on the same data; a run cut off by a restart is trained again', async () => {
    const { dir, cleanup } = tempDir('codec-lab-race-');
    const runs = path.join(dir, 'runs');
    let lab = new LabService({ runsDir: runs, withBundledClip: true });
    try {
      const call = dispatchCaller(lab, runs);
      const [clip] = await lab.listLibrary();
      await expect(call('startRace', [clip.id], BASE, { vary: 'optimizer', values: ['sgd'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(call('startRace', [clip.id], BASE, { vary: 'lr', values: [1e-3, 50] })).rejects.toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(/^lr 50: learning rate must be/) });

      // Paused first, so the queue can be seen whole before anything starts.
      await call('setQueuePaused', true);
      const running: number[] = [];
      lab.subscribe((e: LabEvent) => {
        if (e.type === 'queue') running.push(e.queue.items.filter((i) => i.status === 'running').length);
      });
      const { groupId, items } = await call<{ groupId: string; items: string[] }>('startRace', [clip.id], BASE, { vary: 'optimizer', values: ['sgd', 'adam', 'rmsprop'] });
      expect(items).toHaveLength(3);
      let q = await call<QueueView>('runQueue');
      expect(q.items.map((i) => [i.status, i.group?.value])).toEqual([['queued', 'sgd'], ['queued', 'adam'], ['queued', 'rmsprop']]);
      // The last one moved first; a fourth, queued and cancelled, never trains.
      q = await call<QueueView>('moveQueued', items[2], 0);
      expect(q.items.map((i) => i.id)).toEqual([items[2], items[0], items[1]]);
      const extra = await call<{ items: string[] }>('startRace', [clip.id], BASE, { vary: 'lr', values: [1e-3, 2e-3] });
      for (const id of extra.items) await call('cancelQueued', id);
      await call('setQueuePaused', false);
      q = await until(lab, (v) => v.items.every((i) => i.status !== 'queued' && i.status !== 'running'));
      expect(q.items.map((i) => i.status)).toEqual(['done', 'done', 'done', 'cancelled', 'cancelled']);
      expect(Math.max(...running)).toBe(1);

      const dirs = q.items.filter((i) => i.runId).map((i) => path.join(runs, i.runId!));
      const configs = dirs.map((x) => JSON.parse(readFileSync(path.join(x, 'config.json'), 'utf8')));
      expect(configs.map((c) => [c.optimizer.name, c.seed, c.group.id, c.group.label])).toEqual([
        ['rmsprop', 5, groupId, 'race: optimizer'],
        ['sgd', 5, groupId, 'race: optimizer'],
        ['adam', 5, groupId, 'race: optimizer'],
      ]);
      const splits = dirs.map((x) => readFileSync(path.join(x, 'split.json'), 'utf8'));
      expect(new Set(splits).size).toBe(1);
      // The batches are drawn from the seed alone (BatchSampler), so all three see them in one order;
      // the first losses, computed before any update, show it: one number.
      const firsts = dirs.map((x) => readLog(x)[0]);
      expect(firsts.every((e) => e.step === 1 && e.trainLoss === firsts[0].trainLoss)).toBe(true);

      // A restart in the middle of a run: the next service trains it again.
      await call('startRace', [clip.id], { ...BASE, steps: 400 }, { vary: 'lr', values: [1e-3, 2e-3] });
      await until(lab, (v) => v.items.some((i) => i.status === 'running'));
      await lab.shutdown();
      lab = new LabService({ runsDir: runs, withBundledClip: true });
      q = await until(lab, (v) => v.items.filter((i) => i.group?.varied === 'lr').some((i) => i.status === 'running'));
      const again = q.items.find((i) => i.group?.varied === 'lr' && i.message?.includes('interrupted'));
      expect(again).toBeDefined();
      // Stop them rather than wait 400 steps: stopping is the run's own business, the queue moves on.
      await call('setQueuePaused', true);
      for (const it of q.items.filter((i) => i.status === 'running')) await lab.stopTraining(it.runId!);
    } finally {
      await lab.shutdown();
      cleanup();
    }
  }, 120_000);

  it('runs the learning-rate range test in an engine worker and suggests a rate', async () => {
    const { dir, cleanup } = tempDir('codec-lab-lrfind-');
    const lab = new LabService({ runsDir: path.join(dir, 'runs'), withBundledClip: true });
    try {
      const [clip] = await lab.listLibrary();
      const r: LrRangeResult = await lab.lrRangeTest([clip.id], BASE, { minLr: 1e-5, maxLr: 1, steps: 20 });
      expect(r.points.length).toBeGreaterThan(2);
      expect(r.points[0].lr).toBeCloseTo(1e-5, 12);
      expect(r.suggestedLr).toBeGreaterThan(0);
      await expect(lab.lrRangeTest([clip.id], BASE, { steps: 3 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    } finally {
      await lab.shutdown();
      cleanup();
    }
  });
});
