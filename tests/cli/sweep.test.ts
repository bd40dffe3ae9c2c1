// codec-lab sweep: a grid expanded into runs (named settings only, each run resolved, the count
// capped), four tiny runs trained one after another through the output folder's queue.json, and a
// sweep killed halfway (SIGKILL: no chance to tidy up) that `--resume` finishes: every queued run
// ends with a whole run folder, and the one cut off is left as an incomplete run, never a broken one.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expandRace, expandSweep } from '../../src/train/sweep-grid.js';
import { summarizeRun } from '../../src/api/run-summary.js';
import { listRunDirs } from '../../src/runs/run-files.js';
import { REPO, tempDir } from '../helpers.js';
import { holdQueueLock } from '../runs/queue-lock-holder.js';

const BIN = path.join(REPO, 'bin', 'codec-lab.js');
const WHOLE = ['config.json', 'log.jsonl', 'metrics.json', 'best.weights', 'last.weights', 'split.json', 'test_reconstruction.wav'];

describe('sweeps', () => {
  it('expand a grid in nested-loop order, each run resolved; refuse unknown settings, bad values and too many runs', () => {
    const runs = expandSweep({ base: { preset: 'tiny', steps: 10 }, grid: { loss: ['wave-l1', 'mel-db-l1'], optimizer: ['sgd', 'adam'] } });
    expect(runs.map((r) => [r.config.loss, r.config.optimizer.name, r.config.steps])).toEqual([
      ['wave-l1', 'sgd', 10], ['wave-l1', 'adam', 10], ['mel-db-l1', 'sgd', 10], ['mel-db-l1', 'adam', 10],
    ]);
    expect(runs[3].values).toEqual({ loss: 'mel-db-l1', optimizer: 'adam' });
    expect(() => expandSweep({ grid: { lossy: ['wave-l1'] } })).toThrow(/grid.lossy is no setting of a run/);
    // The network's shape can be swept too: a rate-quality map.
    expect(expandSweep({ base: { preset: 'tiny' }, grid: { bits: [2, 4], hop: [64, 128] } }).map((r) => [r.config.bits, r.config.hop])).toEqual([[2, 64], [2, 128], [4, 64], [4, 128]]);
    expect(() => expandSweep({ grid: { lr: [1e-3, 50] } })).toThrow(/^lr 50: learning rate must be/);
    expect(() => expandSweep({ grid: { seed: Array.from({ length: 65 }, (_, i) => i) } })).toThrow(/makes 65 runs; a sweep makes at most 64/);
    expect(() => expandSweep({ grid: {} })).toThrow(/names no setting/);
  });

  it('make a race a sweep along one setting, named as a race', () => {
    const runs = expandRace({ preset: 'tiny', seed: 3 }, { vary: 'optimizer', values: ['sgd', 'adam'] });
    expect(runs.map((r) => [r.config.optimizer.name, r.config.seed, r.group.label, r.group.varied, r.group.value])).toEqual([
      ['sgd', 3, 'race: optimizer', 'optimizer', 'sgd'],
      ['adam', 3, 'race: optimizer', 'optimizer', 'adam'],
    ]);
    expect(runs[0].group.id).toBe(runs[1].group.id);
    expect(() => expandRace({}, { vary: 'lr', values: [1e-3] })).toThrow(/2 to 8 values/);
    expect(() => expandRace({}, { vary: 'lr', values: [1e-3, 1e-3] })).toThrow(/each value once/);
  });

  it('stops with QUEUE_HELD, naming the holder, while another process runs the folder\'s queue, and leaves its queue alone', async () => {
    const { dir, cleanup } = tempDir('codec-lab-sweep-held-');
    const out = path.join(dir, 'runs');
    const holder = await holdQueueLock(out, 'the Codec Lab app');
    try {
      const grid = path.join(dir, 'grid.json');
      writeFileSync(grid, JSON.stringify({ base: { preset: 'tiny', steps: 2 }, grid: { lr: [1e-3, 2e-3] } }));
      const r = spawnSync(process.execPath, [BIN, 'sweep', grid, '--out', out, '--json'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(1);
      const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      expect(error.code).toBe('QUEUE_HELD');
      expect(error.message).toMatch(new RegExp(`is run by the Codec Lab app \\(process ${holder.pid} on this machine, since .*\\): add the sweep there`));
      expect(existsSync(path.join(out, 'queue.json'))).toBe(false);
    } finally {
      await holder.end();
      cleanup();
    }
  });

  it('trains four tiny runs one after another; killed halfway, --resume finishes them, every run folder whole', async () => {
    const { dir, cleanup } = tempDir('codec-lab-sweep-');
    try {
      const grid = path.join(dir, 'grid.json');
      const out = path.join(dir, 'runs');
      // Long enough that the kill lands inside a run.
      writeFileSync(grid, JSON.stringify({ base: { preset: 'tiny', loss: 'wave-l1', steps: 60, batch: 2, segment: 4096, valEvery: 20 }, grid: { lr: [1e-3, 2e-3], seed: [1, 2] } }));
      const first = spawn(process.execPath, [BIN, 'sweep', grid, '--out', out], { stdio: 'ignore' });
      const queueFile = path.join(out, 'queue.json');
      const statuses = () => (existsSync(queueFile) ? JSON.parse(readFileSync(queueFile, 'utf8')).items.map((i: { status: string }) => i.status) : []);
      // Kill it once the second run is training.
      const deadline = Date.now() + 90_000;
      while (!(statuses()[0] === 'done' && statuses()[1] === 'running')) {
        if (Date.now() > deadline) throw new Error(`the sweep did not reach its second run: ${statuses()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(statuses()).toEqual(['done', 'running', 'queued', 'queued']);

      const resumed = spawnSync(process.execPath, [BIN, 'sweep', '--resume', '--out', out, '--json'], { encoding: 'utf8', timeout: 120_000 });
      expect(resumed.status, resumed.stderr).toBe(0);
      const listed = JSON.parse(resumed.stdout) as { runDir: string; values: string; status: string }[];
      expect(listed.map((r) => r.status)).toEqual(['done', 'done', 'done']);
      const queue = JSON.parse(readFileSync(queueFile, 'utf8')).items as { status: string; runId: string; message?: string }[];
      expect(queue.map((i) => i.status)).toEqual(['done', 'done', 'done', 'done']);
      expect(queue[1].message).toMatch(/interrupted when the app stopped/);
      for (const item of queue) for (const f of WHOLE) expect(existsSync(path.join(out, item.runId, f)), `${item.runId}/${f}`).toBe(true);
      // The run the kill cut off is still there, as an incomplete run (never a damaged one).
      const orphans = listRunDirs(out).filter((id) => !queue.some((i) => i.runId === id));
      expect(orphans.length).toBeLessThanOrEqual(1);
      for (const id of orphans) expect(summarizeRun(path.join(out, id), id, undefined)?.status).toBe('incomplete');
      const configs = queue.map((i) => JSON.parse(readFileSync(path.join(out, i.runId, 'config.json'), 'utf8')));
      expect(configs.map((c) => [c.lr, c.seed])).toEqual([[1e-3, 1], [1e-3, 2], [2e-3, 1], [2e-3, 2]]);
      expect(new Set(configs.map((c) => c.group.label))).toEqual(new Set(['sweep: lr × seed']));
    } finally {
      cleanup();
    }
  }, 240_000);
});
