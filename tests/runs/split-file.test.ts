// split.json: a run records every segment of its train, validation and test splits (clip name and
// content hash, start, length) when it starts, and evaluation reads its test split from there.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSplit, readTestSplit, SPLIT_NAMES, type SplitRecord } from '../../src/runs/split-file.js';
import { RunError } from '../../src/runs/errors.js';
import { tempDir } from '../helpers.js';
import { makeRun, musicClip } from './make-run.js';

describe('split.json', () => {
  it('lists every whole segment of every clip once, in one split, with the hash of the samples the model saw', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const clips = [await musicClip(), await musicClip('drums_hydrogen_gmrockkit_demo1.wav'), { name: 'blip', audio: new Float32Array(1000).fill(0.25) }];
      const { runDir } = await makeRun(dir, { clips });
      const split = JSON.parse(readFileSync(path.join(runDir, 'split.json'), 'utf8')) as SplitRecord;
      expect(split).toMatchObject({ format: 'codec-lab-split', sampleRate: 24000, segment: 4096, hash: 'sha256-f32le-mono-24k' });
      // The hash is SHA-256 over the clip's float32 samples, little-endian (this machine's order on x86 and ARM).
      expect(split.clips).toEqual(clips.map((c) => ({ name: c.name, samples: c.audio.length, sha256: createHash('sha256').update(Buffer.from(c.audio.buffer, c.audio.byteOffset, c.audio.byteLength)).digest('hex') })));
      expect(split.skipped).toEqual([{ name: 'blip', reason: expect.stringMatching(/shorter than one 4096-sample segment/) }]);

      const all = SPLIT_NAMES.flatMap((name) => split[name].map((s) => ({ ...s, name })));
      for (const name of SPLIT_NAMES) expect(split[name].length, name).toBeGreaterThan(0);
      expect(all.every((s) => s.length === 4096)).toBe(true);
      // The union is exactly the grid of whole segments of each clip: nothing missing, nothing twice, so no overlap.
      const expected = clips.flatMap((c, k) => Array.from({ length: Math.floor(c.audio.length / 4096) }, (_, i) => `${k}:${i * 4096}`));
      const listed = all.map((s) => `${s.clip}:${s.start}`);
      expect(new Set(listed).size).toBe(listed.length);
      expect(listed.sort()).toEqual(expected.sort());

      // The test split read back is those segments' audio, in split.json's order.
      const test = readTestSplit(runDir);
      expect(test.segment).toBe(4096);
      expect(test.clips.map((c) => c.name)).toEqual(split.test.map((s) => `${clips[s.clip].name}@${s.start}`));
      split.test.forEach((s, i) => expect(test.clips[i].audio).toEqual(clips[s.clip].audio.subarray(s.start, s.start + s.length)));
    } finally {
      cleanup();
    }
  });

  it('is the only record of the test split: without it, or with an empty test list, evaluation says NO_TEST_SPLIT', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runDir } = await makeRun(dir);
      const file = path.join(runDir, 'split.json');
      const record = readSplit(runDir);
      writeFileSync(file, JSON.stringify({ ...record, test: [] }));
      expect(() => readTestSplit(runDir)).toThrow(RunError);
      expect(() => readTestSplit(runDir)).toThrow(expect.objectContaining({ code: 'NO_TEST_SPLIT' }));
      rmSync(file);
      // test_original.wav is still there, but nothing says which segments it holds.
      expect(() => readTestSplit(runDir)).toThrow(expect.objectContaining({ code: 'NO_TEST_SPLIT', message: expect.stringMatching(/no split\.json/) }));
    } finally {
      cleanup();
    }
  });

  it('refuses a split.json that does not match its run, as RUN_DAMAGED', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runDir } = await makeRun(dir);
      const file = path.join(runDir, 'split.json');
      const record = readSplit(runDir);
      const damaged = (r: unknown) => {
        writeFileSync(file, typeof r === 'string' ? r : JSON.stringify(r));
        return () => readTestSplit(runDir);
      };
      expect(damaged('{"format": "codec-lab-split",')).toThrow(expect.objectContaining({ code: 'RUN_DAMAGED', message: expect.stringMatching(/not JSON/) }));
      expect(damaged({ ...record, test: [{ clip: 7, start: 0, length: 4096 }] })).toThrow(expect.objectContaining({ code: 'RUN_DAMAGED', message: expect.stringMatching(/outside its clip/) }));
      // One segment more than test_original.wav holds.
      expect(damaged({ ...record, test: [...record.test, record.train[0]] })).toThrow(expect.objectContaining({ code: 'RUN_DAMAGED', message: expect.stringMatching(/test_original\.wav holds/) }));
    } finally {
      cleanup();
    }
  });
});
