// Peak memory of training as a user runs it: `codec-lab train --preset P --threads N` on the bundled
// clip, in a child process with peak-rss-probe preloaded, its run folder in a temporary directory.
// A child, not this process: the benchmark's own allocations (and the other presets it has timed)
// would otherwise be counted.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { builtWorkerFile, PACKAGE_ROOT } from '../assets.js';
import { DEFAULT_CONFIG } from '../train/config.js';
import type { PresetName } from '../nn/presets.js';

const run = promisify(execFile);
const MIB = 2 ** 20;

export interface TrainMemory {
  preset: PresetName;
  threads: number;
  /** The loss `codec-lab train` uses by default, the one this ran with. */
  loss: string;
  steps: number;
  /** Peak resident memory of the whole process (its worker threads included), MB of 2^20 bytes. */
  peakRssMb: number;
}

/** Runs `codec-lab train` for `steps` steps (validating halfway and at the end) and returns its peak resident memory. */
export async function trainPeakRss(preset: PresetName, threads: number, steps: number): Promise<TrainMemory> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'codec-lab-peak-rss-'));
  const report = path.join(dir, 'peak.json');
  try {
    const probe = pathToFileURL(builtWorkerFile('bench/peak-rss-probe.js')).href;
    const args = ['--import', probe, path.join(PACKAGE_ROOT, 'bin', 'codec-lab.js'), 'train', '--preset', preset, '--threads', String(threads),
      '--steps', String(steps), '--val-every', String(Math.max(1, Math.floor(steps / 2))), '--out', path.join(dir, 'runs'), '--json'];
    try {
      await run(process.execPath, args, { env: { ...process.env, CODEC_LAB_PEAK_RSS_FILE: report }, maxBuffer: 16 * MIB });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      // The line that names the error, not the stack under it.
      const lines = (err.stderr || err.message).trim().split('\n');
      const why = lines.find((l) => /error/i.test(l) && !/^\s+at /.test(l)) ?? lines.slice(-3).join(' | ');
      throw new Error(`measuring the peak memory of codec-lab train --preset ${preset} --threads ${threads} failed: ${why.trim()}`);
    }
    const { peakKib } = JSON.parse(readFileSync(report, 'utf8')) as { peakKib: number };
    return { preset, threads, loss: DEFAULT_CONFIG.loss, steps, peakRssMb: (peakKib * 1024) / MIB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
