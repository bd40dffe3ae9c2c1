// Continuing from a run: a new run starts from another run's best weights when the shapes agree
// (whatever its loss), is refused with the first tensor that differs when they do not, and records
// where it started in config.json; the same through the command line.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../../src/train/config.js';
import { TrainingSession } from '../../src/train/session.js';
import { loadInitWeights } from '../../src/train/init-weights.js';
import { loadRunWeights } from '../../src/runs/run-dir.js';
import { REPO, tempDir } from '../helpers.js';

const BIN = path.join(REPO, 'bin', 'codec-lab.js');
const QUICK = ['--preset', 'tiny', '--steps', '4', '--batch', '2', '--segment', '4096', '--val-every', '2'];

describe('continuing from a run', () => {
  it('starts from the run’s best weights with another loss, refuses another shape, and records where it started', () => {
    const { dir, cleanup } = tempDir('codec-lab-init-');
    try {
      const first = spawnSync(process.execPath, [BIN, 'train', ...QUICK, '--loss', 'wave-l1', '--out', dir, '--json'], { encoding: 'utf8', timeout: 120_000 });
      expect(first.status, first.stderr).toBe(0);
      const runA = JSON.parse(first.stdout).runDir as string;
      const best = loadRunWeights(runA, 'best');

      // In process: the session holds exactly those weights before its first step.
      const config = resolveConfig({ preset: 'tiny', loss: 'mel-db-l1', segment: 4096, batch: 2 });
      const init = loadInitWeights(runA, config);
      expect(init.step).toBe(best.meta.step);
      const s = new TrainingSession([{ name: 'x', audio: new Float32Array(4096 * 6).map((_, i) => Math.sin(i / 7)) }], config, init.params);
      expect(s.params()).toEqual(best.params);
      s.close();
      expect(() => loadInitWeights(runA, resolveConfig({ preset: 'small', loss: 'mel-db-l1' }))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/do not fit this network \(encoder\.0\[/) }));
      expect(() => loadInitWeights(runA, resolveConfig({ preset: 'tiny', hop: 128 }))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));

      // Through the command line: continue with mel-db-l1; another preset is refused, nothing made.
      const second = spawnSync(process.execPath, [BIN, 'train', ...QUICK, '--loss', 'mel-db-l1', '--init-from', runA, '--out', dir, '--json'], { encoding: 'utf8', timeout: 120_000 });
      expect(second.status, second.stderr).toBe(0);
      const configB = JSON.parse(readFileSync(path.join(JSON.parse(second.stdout).runDir, 'config.json'), 'utf8'));
      expect(configB).toMatchObject({ loss: 'mel-db-l1', initFrom: path.basename(runA), initFromStep: best.meta.step });
      const before = readdirSync(dir).length;
      const bad = spawnSync(process.execPath, [BIN, 'train', '--preset', 'small', '--steps', '2', '--init-from', runA, '--out', dir, '--json'], { encoding: 'utf8', timeout: 120_000 });
      expect(bad.status).not.toBe(0);
      expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'SHAPE_MISMATCH' } });
      expect(readdirSync(dir).length).toBe(before);
    } finally {
      cleanup();
    }
  }, 180_000);
});
