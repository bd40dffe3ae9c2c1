// The trainer as the CLI and the app use it: a real worker thread, events, pause/resume/stop, the
// run folder on disk, and a real training process killed at random moments.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startTraining, type TrainerEvent } from '../../src/train/trainer.js';
import { loadWeights } from '../../src/nn/weights.js';
import { readWav } from '../../src/audio/wav-read.js';
import { readLog, removeStaleStaging, removeStaleTemporaries } from '../../src/runs/run-dir.js';
import { loadClips } from '../../src/data/load.js';
import { BUNDLED_CLIP } from '../../src/assets.js';
import { REPO, tempDir } from '../helpers.js';

const quick = { preset: 'tiny' as const, batch: 4, segment: 4096, loss: 'wave-l1' as const };

/** Every visible file in a run folder is whole: JSON parses, weights load, WAVs decode. */
async function expectWholeRun(dir: string): Promise<string[]> {
  const files = readdirSync(dir).filter((f) => !f.startsWith('.'));
  for (const f of files) {
    const full = path.join(dir, f);
    if (f.endsWith('.json')) expect(() => JSON.parse(readFileSync(full, 'utf8')), f).not.toThrow();
    else if (f === 'log.jsonl') expect(() => readLog(dir), f).not.toThrow();
    else if (f.endsWith('.weights')) expect(() => loadWeights(full), f).not.toThrow();
    else if (f.endsWith('.wav')) await expect(readWav(full), f).resolves.toBeTruthy();
    else throw new Error(`unexpected file in a run folder: ${f}`);
  }
  return files;
}

const visibleFiles = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('.'));

describe('trainer (worker thread)', () => {
  it('streams events and writes a complete run folder', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { clips } = await loadClips([BUNDLED_CLIP]);
      const handle = startTraining({ clips, config: { ...quick, steps: 30, valEvery: 10 }, outDir: dir });
      const events: TrainerEvent[] = [];
      handle.onEvent((e) => events.push(e));
      const result = await handle.done;
      const types = new Set(events.map((e) => e.type));
      for (const t of ['started', 'progress', 'validation', 'evaluating', 'done']) expect(types.has(t as TrainerEvent['type'])).toBe(true);
      expect(result).toMatchObject({ status: 'completed', steps: 30 });
      expect(result.bestValLoss).toBeGreaterThan(0);
      expect(result.metrics?.losses).toHaveProperty('mel-db-l1');
      const files = await expectWholeRun(result.runDir);
      expect(files.sort()).toEqual([
        'best.weights', 'config.json', 'last.weights', 'log.jsonl', 'metrics.json', 'split.json',
        'test_original.wav', 'test_reconstruction.wav', 'val_original.wav', 'val_reconstruction.wav',
      ]);
      const log = readLog(result.runDir);
      expect(log[0]).toMatchObject({ step: 1, trainLoss: expect.any(Number), lr: 0.001 });
      // Every line has the step's dynamics: the gradient's and the weights' norms, the update's relative size.
      for (const e of log) {
        expect(e.gradNorm, `step ${e.step}`).toBeGreaterThan(0);
        expect(e.weightNorm, `step ${e.step}`).toBeGreaterThan(0);
        expect(e.updateRatio! > 0 && e.updateRatio! < 1, `step ${e.step}`).toBe(true);
        expect(e.elapsedSec, `step ${e.step}`).toBeGreaterThan(0);
      }
      expect(log.filter((e) => e.valLoss !== undefined).map((e) => e.step)).toEqual([10, 20, 30]);
      log.slice(1).forEach((e, i) => expect(e.elapsedSec!).toBeGreaterThanOrEqual(log[i].elapsedSec!));
      const config = JSON.parse(readFileSync(path.join(result.runDir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({ preset: 'tiny', loss: 'wave-l1', steps: 30, clips: [path.basename(BUNDLED_CLIP)] });
      const progress = events.filter((e) => e.type === 'progress').at(-1);
      expect(progress).toMatchObject({ step: 30, steps: 30 });
    } finally {
      cleanup();
    }
  });

  it('pauses, resumes and stops on request, and still keeps the run', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { clips } = await loadClips([BUNDLED_CLIP]);
      const handle = startTraining({ clips, config: { ...quick, steps: 100000, valEvery: 1000 }, outDir: dir });
      const events: TrainerEvent[] = [];
      const next = (type: TrainerEvent['type']) =>
        new Promise<TrainerEvent>((resolve) => {
          const off = handle.onEvent((e) => {
            if (e.type === type) {
              off();
              resolve(e);
            }
          });
        });
      handle.onEvent((e) => events.push(e));
      await next('progress');
      handle.pause();
      const paused = (await next('paused')) as { step: number };
      const countAtPause = events.length;
      await new Promise((r) => setTimeout(r, 600));
      expect(events.length).toBe(countAtPause);
      handle.resume();
      const resumed = (await next('resumed')) as { step: number };
      expect(resumed.step).toBe(paused.step);
      await next('progress');
      handle.stop();
      const result = await handle.done;
      expect(result.status).toBe('stopped');
      expect(result.steps).toBeGreaterThan(paused.step);
      expect(result.steps).toBeLessThan(100000);
      const files = await expectWholeRun(result.runDir);
      expect(files).toContain('best.weights');
      expect(loadWeights(path.join(result.runDir, 'last.weights')).meta).toMatchObject({ step: result.steps });
    } finally {
      cleanup();
    }
  });

  it('makes no folder when the run is refused after the worker started (too little audio)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const clips = [{ name: 'short', audio: new Float32Array(2 * 4096).fill(0.1) }];
      const named = startTraining({ clips, config: quick, outDir: path.join(dir, 'runs') });
      await expect(named.done).rejects.toMatchObject({ code: 'NOT_ENOUGH_AUDIO' });
      const exact = startTraining({ clips, config: quick, outDir: path.join(dir, 'runs', 'exact-run'), exactDir: true });
      await expect(exact.done).rejects.toMatchObject({ code: 'NOT_ENOUGH_AUDIO' });
      expect(existsSync(path.join(dir, 'runs'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('reports bad settings before starting', () => {
    expect(() => startTraining({ clips: [], config: { loss: 'wave-l3' as never }, outDir: '/tmp' })).toThrow(/unknown loss 'wave-l3'/);
    expect(() => startTraining({ clips: [], config: { segment: 5000 }, outDir: '/tmp' })).toThrow(/multiple of 64/);
  });
});

describe('a training process killed at any moment', () => {
  it('leaves only whole files behind (kill -9 at several moments)', { timeout: 120_000 }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      // Kill at moments spread over start-up, training with frequent saves, and the final write-out.
      const delays = [700, 1500, 2300, 3100, 3900];
      let sawWeights = false;
      for (const [k, delay] of delays.entries()) {
        const out = path.join(dir, `k${k}`);
        const child = spawn(process.execPath, [
          path.join(REPO, 'bin', 'codec-lab.js'), 'train', '--preset', 'tiny', '--loss', 'wave-l1', '--steps', '40', '--batch', '2',
          '--segment', '4096', '--val-every', '2', '--out', out,
        ], { stdio: 'ignore' });
        const exited = new Promise((r) => child.on('exit', r));
        await new Promise((r) => setTimeout(r, delay));
        child.kill('SIGKILL');
        await exited;
        if (!existsSync(out)) continue;
        // A run folder killed while being made is a hidden staging folder, removed when the next run is made there.
        const staging = readdirSync(out).filter((f) => f.startsWith('.'));
        expect(removeStaleStaging(out).sort()).toEqual(staging.sort());
        for (const run of readdirSync(out)) {
          const runDir = path.join(out, run);
          // A run folder appears with its settings and its data, or not at all.
          expect(visibleFiles(runDir)).toEqual(expect.arrayContaining(['config.json', 'split.json', 'test_original.wav', 'val_original.wav']));
          const files = await expectWholeRun(runDir);
          if (files.includes('best.weights')) sawWeights = true;
          // A temporary file a killed writer left is hidden and removed when the run is read.
          removeStaleTemporaries(runDir);
          expect(readdirSync(runDir).filter((f) => f.startsWith('.'))).toEqual([]);
        }
      }
      expect(sawWeights).toBe(true);
    } finally {
      cleanup();
    }
  });
});
