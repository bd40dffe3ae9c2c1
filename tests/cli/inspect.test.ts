// `codec-lab inspect` as a user runs it: the installed bin, a real process, stdout and exit status.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { EDGE_DIR, REPO, tempDir } from '../helpers.js';

const run = promisify(execFile);
const BIN = path.join(REPO, 'bin', 'codec-lab.js');

async function codecLab(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: REPO });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

const edge = (f: string) => path.join(EDGE_DIR, f);

describe('codec-lab inspect', () => {
  it('--json prints one array, one object per file in order, good and bad alike; exit 1 if any is refused', async () => {
    const files = readdirSync(EDGE_DIR).filter((f) => f.endsWith('.wav')).sort().map(edge);
    const { stdout, code } = await codecLab('inspect', '--json', ...files);
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as Record<string, unknown>[];
    expect(results.map((r) => r.file)).toEqual(files);
    const good = results.find((r) => r.file === edge('ok_s16_stereo_44100.wav'));
    expect(good).toEqual({ file: edge('ok_s16_stereo_44100.wav'), ok: true, format: 'pcm_s16', sampleRate: 44100, channels: 2, frames: 11025, durationSec: 0.25 });
    const bad = results.find((r) => r.file === edge('bad_truncated_data.wav'));
    expect(bad).toEqual({
      file: edge('bad_truncated_data.wav'),
      ok: false,
      error: { code: 'TRUNCATED_DATA', message: 'data chunk truncated: declares 88200 bytes, 20000 present' },
    });
    for (const r of results) {
      if (r.ok) expect(Object.keys(r)).toEqual(expect.arrayContaining(['format', 'sampleRate', 'channels', 'frames', 'durationSec']));
      else expect(r.error).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) });
    }
    expect(results.filter((r) => r.ok).length).toBe(19);
  });

  it('exits 0 when every file loads', async () => {
    const { stdout, code } = await codecLab('inspect', '--json', edge('ok_u8_mono_8000.wav'), edge('ok_f64_mono_22050.wav'));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject([{ ok: true, format: 'pcm_u8' }, { ok: true, format: 'float64', frames: 5513 }]);
  });

  it('prints a line per file, the refused one with its reason, and keeps going', async () => {
    const { stdout, code } = await codecLab('inspect', edge('bad_mp3_renamed.wav'), edge('ok_mulaw_mono_8000.wav'));
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/bad_mp3_renamed\.wav: refused \(NOT_WAV\): not a WAV file: it looks like an MP3 file/);
    expect(lines[1]).toMatch(/ok_mulaw_mono_8000\.wav: mulaw, 8000 Hz, 1 ch, 0\.250 s \(2000 frames\)/);
  });

  it('warns of a silent clip and refuses a sample rate no recording has', async () => {
    const { dir, cleanup } = tempDir();
    try {
      // The 16-bit 440 Hz edge file with its rate (byte 24) set to 4,294,967,295 Hz.
      const forged = new Uint8Array(readFileSync(edge('ok_s16_mono_11025.wav')));
      new DataView(forged.buffer).setUint32(24, 0xffffffff, true);
      const file = path.join(dir, 'forged.wav');
      writeFileSync(file, forged);
      const { stdout, code } = await codecLab('inspect', edge('ok_silence_s16_mono_44100.wav'), file);
      expect(code).toBe(1);
      expect(stdout).toMatch(/ok_silence_s16_mono_44100\.wav: pcm_s16, 44100 Hz, 1 ch, 1\.000 s \(44100 frames\)\n {2}warning: every sample is zero/);
      expect(stdout).toMatch(/forged\.wav: refused \(UNSUPPORTED_SAMPLE_RATE\): sample rate 4294967295 Hz is outside the rates recordings use; Codec Lab reads 1000 Hz to 768000 Hz/);
    } finally {
      cleanup();
    }
  });

  it('inspects the bundled clip when given no file', async () => {
    const { stdout, code } = await codecLab('inspect', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject([{ ok: true, format: 'pcm_s16', sampleRate: 44100, channels: 2, frames: 352800, durationSec: 8 }]);
  });

  it('rejects unknown options and commands with usage on stderr and exit 2', async () => {
    const bad = await codecLab('inspect', '--jsn');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--jsn'/);
    const unknown = await codecLab('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
