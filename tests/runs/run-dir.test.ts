import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeStaleTemporaries } from '../../src/runs/run-dir.js';
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
