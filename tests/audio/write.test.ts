import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeWav } from '../../src/audio/wav-write.js';
import { readWav } from '../../src/audio/wav-read.js';
import { writeFileAtomicSync } from '../../src/util/atomic-file.js';
import { toCallError } from '../../src/api/call-error.js';
import { maxAbsDiff, sine, tempDir } from '../helpers.js';

describe('writing WAV', () => {
  it('round-trips 32-bit float exactly, including values beyond full scale', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const left = sine(440, 24000, 2400);
      const right = Float32Array.from(left, (v) => v * 2.5);
      const file = path.join(dir, 'f.wav');
      await writeWav(file, [left, right], 24000, 'float32');
      const back = await readWav(file);
      expect(back).toMatchObject({ format: 'float32', sampleRate: 24000, channels: 2, frames: 2400 });
      expect(maxAbsDiff(back.samples[0], left)).toBe(0);
      expect(maxAbsDiff(back.samples[1], right)).toBe(0);
    } finally {
      cleanup();
    }
  });

  it('round-trips 16-bit PCM within half a step, clipping at full scale', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const x = sine(1000, 24000, 24000, 0.9);
      x[0] = 1.5; // clips to 32767/32768
      x[1] = -3; // clips to -1
      const file = path.join(dir, 's16.wav');
      await writeWav(file, [x], 24000, 'pcm_s16');
      const back = await readWav(file);
      expect(back).toMatchObject({ format: 'pcm_s16', sampleRate: 24000, channels: 1, frames: 24000 });
      expect(back.samples[0][0]).toBe(32767 / 32768);
      expect(back.samples[0][1]).toBe(-1);
      expect(maxAbsDiff(back.samples[0].subarray(2), x.subarray(2))).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
    } finally {
      cleanup();
    }
  });

  it('replaces an existing file whole and leaves no temporary file behind', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'out.wav');
      writeFileSync(file, 'old contents');
      await writeWav(file, [sine(440, 8000, 800)], 8000);
      expect((await readWav(file)).frames).toBe(800);
      expect(readdirSync(dir)).toEqual(['out.wav']);
    } finally {
      cleanup();
    }
  });

  it('refuses NaN and leaves the old file untouched', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'keep.wav');
      writeFileSync(file, 'precious');
      const x = sine(440, 8000, 100);
      x[50] = NaN;
      await expect(writeWav(file, [x], 8000)).rejects.toMatchObject({ code: 'WRITE_FAILED', message: /sample 50/ });
      expect(readFileSync(file, 'utf8')).toBe('precious');
      expect(readdirSync(dir)).toEqual(['keep.wav']);
    } finally {
      cleanup();
    }
  });

  // A condition of the machine reaches the user as one (the API maps Node's system errors: a missing
  // folder is FILE_NOT_FOUND, a full disk NO_SPACE), so it must leave here as Node's error, naming the file.
  it('reports a missing folder as the system error ENOENT naming the file, and creates nothing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'missing-folder', 'x.wav');
      const e = await writeWav(file, [sine(440, 8000, 100)], 8000).then(() => null, (err: unknown) => err);
      expect(e).toMatchObject({ code: 'ENOENT', errno: expect.any(Number), syscall: 'open', path: file });
      expect(toCallError(e, (m) => m)).toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining(file), internal: false });
      expect(existsSync(path.dirname(file))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('reports a file on the way as the write\'s own ENOTDIR, not the clean-up\'s, naming the file it could not write', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(path.join(dir, 'a-file'), 'not a folder');
      const file = path.join(dir, 'a-file', 'x.wav');
      const e = await writeWav(file, [sine(440, 8000, 100)], 8000).then(() => null, (err: unknown) => err);
      // The clean-up's rm of the temporary fails with ENOTDIR too, but its error names the temporary, from rm.
      expect(e).toMatchObject({ code: 'ENOTDIR', errno: expect.any(Number), syscall: 'open', path: file });
      expect((e as Error).message.endsWith(`(writing ${file})`)).toBe(true);
      expect(readdirSync(dir)).toEqual(['a-file']);
    } finally {
      cleanup();
    }
  });

  it('does the same for the synchronous atomic write (weights, JSON files)', () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(path.join(dir, 'a-file'), 'not a folder');
      const file = path.join(dir, 'a-file', 'x.json');
      expect(() => writeFileAtomicSync(file, '{}')).toThrow(expect.objectContaining({ code: 'ENOTDIR', syscall: 'open', path: file }));
    } finally {
      cleanup();
    }
  });
});
