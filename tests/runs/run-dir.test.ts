import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRunDir, newRunName, removeStaleTemporaries } from '../../src/runs/run-dir.js';
import { tempDir } from '../helpers.js';

describe('run folders', () => {
  it('remove temporaries of dead writers only, never one being written by a live process', () => {
    const { dir, cleanup } = tempDir();
    try {
      const live = `.best.weights.${process.pid}-0a1b2c3d.tmp`;
      const dead = '.log.jsonl.2147483646-0a1b2c3d.tmp';
      for (const f of [live, dead, 'config.json', '.hidden-note']) writeFileSync(path.join(dir, f), 'x');
      expect(removeStaleTemporaries(dir)).toEqual([dead]);
      expect(readdirSync(dir).sort()).toEqual(['.best.weights.' + process.pid + '-0a1b2c3d.tmp', '.hidden-note', 'config.json'].sort());
    } finally {
      cleanup();
    }
  });
});

describe('making a run folder', () => {
  it('appears whole or not at all: nothing is left when filling it fails, and a taken exact name is refused', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const root = path.join(dir, 'runs');
      await expect(
        createRunDir(root, { label: 'tiny-wave-l1' }, async (d) => {
          writeFileSync(path.join(d, 'config.json'), '{}');
          throw new Error('disk gone');
        }),
      ).rejects.toThrow('disk gone');
      expect(readdirSync(root)).toEqual([]);

      const made = await createRunDir(root, { label: 'tiny-wave-l1' }, async (d) => writeFileSync(path.join(d, 'config.json'), '{}'));
      expect(readdirSync(made)).toEqual(['config.json']);
      const again = await createRunDir(root, { label: 'tiny-wave-l1' }, async (d) => writeFileSync(path.join(d, 'config.json'), '{}'));
      expect(again).not.toBe(made);
      await expect(createRunDir(root, path.basename(made), async () => {})).rejects.toMatchObject({ code: 'RUN_EXISTS' });
      expect(readdirSync(root).sort()).toEqual([path.basename(made), path.basename(again)].sort());
    } finally {
      cleanup();
    }
  });

  it('gives a name not on disk and not reserved by a run still starting', () => {
    const { dir, cleanup } = tempDir();
    try {
      const first = newRunName(dir, 'tiny-mrstft');
      mkdirSync(path.join(dir, first));
      const second = newRunName(dir, 'tiny-mrstft');
      expect(second).not.toBe(first);
      expect(newRunName(dir, 'tiny-mrstft', new Set([second]))).not.toBe(second);
    } finally {
      cleanup();
    }
  });
});
