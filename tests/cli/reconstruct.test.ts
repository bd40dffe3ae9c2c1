// codec-lab reconstruct, run in-process on a tiny real run: whole files back as 24 kHz float WAVs,
// a broken file refused by its code while the others are still written, and no silent overwrite.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import { main } from '../../src/cli/main.js';
import type { CommandContext } from '../../src/cli/context.js';
import { readWav } from '../../src/audio/wav-read.js';
import { inspectWav } from '../../src/audio/inspect.js';
import { loadClips } from '../../src/data/load.js';
import { EDGE_DIR, MUSIC_DIR, tempDir } from '../helpers.js';
import { makeRun } from '../runs/make-run.js';

function capture(): CommandContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const PIANO = path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav');
const BROKEN = path.join(EDGE_DIR, 'bad_truncated_data.wav');

describe('codec-lab reconstruct', () => {
  it('writes each good file whole at 24 kHz, refuses a broken one by its code, exits 1, and never overwrites silently', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { runDir } = await makeRun(path.join(dir, 'runs'));
      const outDir = path.join(dir, 'out'); // not there yet: made by the command

      const ctx = capture();
      const code = await main(['reconstruct', '--run', runDir, PIANO, BROKEN, '--out', outDir], ctx);
      expect(code).toBe(1);
      expect(ctx.stderr.join('\n')).toMatch(/bad_truncated_data\.wav: refused \(TRUNCATED_DATA\)/);
      const out = path.join(outDir, 'piano_openmsx_slow_and_easy.recon.wav');
      expect(ctx.stdout.join('\n')).toContain(out);

      const wav = await readWav(out);
      expect(wav).toMatchObject({ sampleRate: 24000, channels: 1, format: 'float32' });
      // The whole file, at the model's rate: as long as the input brought to 24 kHz, i.e. its duration.
      const input = await inspectWav(PIANO);
      const { clips } = await loadClips([PIANO]);
      expect(wav.samples[0].length).toBe(clips[0].audio.length);
      expect(Math.abs(wav.durationSec - input.durationSec)).toBeLessThan(1 / 24000 + 1e-9);
      expect(wav.samples[0].some((s) => s !== 0)).toBe(true);
      expect(wav.samples[0].every(Number.isFinite)).toBe(true);

      // Again: the output is there, so the file is refused and left as it was; --force replaces it.
      const before = readFileSync(out);
      const mtime = statSync(out).mtimeMs;
      const again = capture();
      expect(await main(['reconstruct', '--run', runDir, PIANO, '--out', outDir], again)).toBe(1);
      expect(again.stderr.join('\n')).toMatch(/refused \(FILE_EXISTS\).*--force/);
      expect(statSync(out).mtimeMs).toBe(mtime);
      const forced = capture();
      expect(await main(['reconstruct', '--run', runDir, PIANO, '--out', outDir, '--weights', 'last', '--force'], forced)).toBe(0);
      expect(forced.stderr).toEqual([]);
      expect(readFileSync(out).length).toBe(before.length);
    } finally {
      cleanup();
    }
  });

  it('refuses bad arguments before any work, and lists itself in the help', async () => {
    const ctx = capture();
    expect(await main(['reconstruct', PIANO], ctx)).toBe(1);
    expect(ctx.stderr.join('\n')).toMatch(/--run DIR is required/);
    const help = capture();
    expect(await main(['--help'], help)).toBe(0);
    expect(help.stdout.join('\n')).toMatch(/reconstruct --run DIR FILE\.\.\./);
    const own = capture();
    expect(await main(['reconstruct', '--help'], own)).toBe(0);
    expect(own.stdout.join('\n')).toMatch(/--force/);
  });
});
