// train, eval, info and bench as a user runs them: real processes, one JSON document on stdout.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { EDGE_DIR, MUSIC_DIR, REPO, tempDir } from '../helpers.js';
import { LOSS_NAMES } from '../../src/common/loss-scale.js';
import { makeRun } from '../runs/make-run.js';
import { codecLab } from './codec-lab.js';

const run = promisify(execFile);
const BIN = path.join(REPO, 'bin', 'codec-lab.js');

const LOSS_KEYS = [...LOSS_NAMES];

describe('codec-lab train and eval', () => {
  it('trains, keeps going past a refused file, prints the result as one JSON object, and eval scores the run', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const train = await codecLab(
        'train', path.join(MUSIC_DIR, 'drums_hydrogen_gmrockkit_demo1.wav'), path.join(EDGE_DIR, 'bad_truncated_data.wav'),
        '--preset', 'tiny', '--loss', 'stft-db-l1', '--steps', '12', '--batch', '2', '--segment', '8192', '--val-every', '6', '--out', dir, '--json',
      );
      expect(train.code, train.stderr).toBe(0);
      expect(train.stderr).toMatch(/bad_truncated_data\.wav: refused \(TRUNCATED_DATA\)/);
      const result = JSON.parse(train.stdout);
      expect(Object.keys(result)).toEqual(expect.arrayContaining(['runDir', 'steps', 'finalTrainLoss', 'bestValLoss', 'metrics']));
      expect(result.steps).toBe(12);
      expect(result.runDir.startsWith(dir)).toBe(true);
      expect(Object.keys(result.metrics.losses)).toEqual(LOSS_KEYS);
      expect(result.metrics).toMatchObject({ bitrateKbps: 12, snrDb: expect.any(Number), siSdrDb: expect.any(Number), lsd: expect.any(Number), mcdDb: expect.any(Number) });

      const evalTest = await codecLab('eval', '--run', result.runDir, '--json');
      expect(evalTest.code, evalTest.stderr).toBe(0);
      const onTest = JSON.parse(evalTest.stdout);
      expect(onTest).toMatchObject({ weights: 'best', preset: 'tiny', source: 'test split' });
      // The test split scored again from the saved audio gives the figures the run reported.
      expect(onTest.losses['stft-db-l1']).toBeCloseTo(result.metrics.losses['stft-db-l1'], 3);

      const evalFile = await codecLab('eval', '--run', result.runDir, path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav'), '--weights', 'last', '--json');
      expect(evalFile.code, evalFile.stderr).toBe(0);
      const onFile = JSON.parse(evalFile.stdout);
      expect(onFile).toMatchObject({ weights: 'last', source: 'files', clips: 1 });
      expect(onFile.seconds).toBeCloseTo(4, 1); // the piano excerpt is 4 s long
      expect(Object.keys(onFile.losses)).toEqual(LOSS_KEYS);
      expect(onFile.encodeRtf).toBeGreaterThan(1);
    } finally {
      cleanup();
    }
  });

  it('refuses bad options with a message and exit 1 or 2', async () => {
    const bad = await codecLab('train', '--loss', 'wave-l3', '--steps', '1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown loss 'wave-l3'; choose one of wave-l1, wave-l2/);
    const nan = await codecLab('train', '--lr', 'fast');
    expect(nan.stderr).toMatch(/--lr needs a number/);
    const noRun = await codecLab('eval', '--run', '/nonexistent');
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toMatch(/is \/nonexistent a run folder/);
  });
});

describe('a failed command with --json', () => {
  it('prints one JSON error object with a stable code (bad option, unknown option, a run without a test split)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const badNumber = await codecLab('train', '--lr', 'fast', '--json');
      expect(badNumber.code).toBe(1);
      expect(JSON.parse(badNumber.stdout)).toEqual({ ok: false, error: { code: 'BAD_ARGUMENTS', message: "--lr needs a number, not 'fast'" } });
      const unknown = await codecLab('eval', '--runn', 'x', '--json');
      expect(unknown.code).toBe(2);
      expect(JSON.parse(unknown.stdout)).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENTS', message: expect.stringMatching(/--runn/) } });
      const noRun = await codecLab('eval', '--run', path.join(dir, 'nothing'), '--json');
      expect(JSON.parse(noRun.stdout)).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } });

      const { runDir } = await makeRun(dir);
      rmSync(path.join(runDir, 'split.json'));
      const noSplit = await codecLab('eval', '--run', runDir, '--json');
      expect(noSplit.code).toBe(1);
      expect(JSON.parse(noSplit.stdout)).toMatchObject({ ok: false, error: { code: 'NO_TEST_SPLIT', message: expect.stringMatching(/records no test split/) } });
      expect(noSplit.stderr).toMatch(/codec-lab eval: .* records no test split/);
      // Without --json the failure is on stderr only.
      expect((await codecLab('eval', '--run', runDir)).stdout).toBe('');
    } finally {
      cleanup();
    }
  });

  it.skipIf(process.platform === 'win32')('names the file it could not write when the disk is full (a file size limit stands in for it)', { timeout: 120_000 }, async () => {
    const { dir, cleanup } = tempDir();
    try {
      // 240 blocks of 512 bytes: room for the run's first files (the audio of its splits) but not for best.weights.
      const script = `trap '' XFSZ; ulimit -f 240; exec "$0" "$@"`;
      const args = [BIN, 'train', '--preset', 'tiny', '--loss', 'wave-l1', '--steps', '2', '--batch', '2', '--segment', '4096', '--val-every', '1', '--out', dir, '--json'];
      const r = await run('sh', ['-c', script, process.execPath, ...args], { cwd: REPO }).then(
        ({ stdout }) => ({ stdout, code: 0 }),
        (e: { stdout: string; code: number }) => ({ stdout: e.stdout, code: e.code }),
      );
      expect(r.code).toBe(1);
      const error = JSON.parse(r.stdout);
      expect(error).toMatchObject({ ok: false, error: { code: 'NO_SPACE' } });
      expect(error.error.message).toMatch(/\(writing .*[\\/]best\.weights\)$/);
    } finally {
      cleanup();
    }
  });
});

describe('codec-lab info and bench', () => {
  it('info --json gives the preset figures', async () => {
    const small = JSON.parse((await codecLab('info', '--preset', 'small', '--json')).stdout);
    expect(small).toMatchObject({ preset: 'small', params: { encoder: 76808, decoder: 76801, total: 153609 }, hopSamples: 64, frameRateHz: 375, bitrateKbps: 12 });
    const tiny = JSON.parse((await codecLab('info', '--preset', 'tiny', '--json')).stdout);
    expect(tiny.params.total).toBe(39433);
  });

  it('bench --json has the documented shape', { timeout: 120_000 }, async () => {
    const r = await codecLab('bench', '--quick', '--preset', 'tiny', '--json');
    expect(r.code, r.stderr).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b.train.map((t: { loss: string; threads: number }) => `${t.loss}/${t.threads}`)).toEqual(['wave-l1/1', 'mel-db-l1/1', 'wave-l1/2', 'mel-db-l1/2']);
    for (const t of b.train) expect(t).toMatchObject({ preset: 'tiny', stepsPerSec: expect.any(Number), breakdownMs: { forward: expect.any(Number), exchange: expect.any(Number) } });
    expect(b.infer[0]).toMatchObject({ preset: 'tiny', threads: 1, rtf: expect.any(Number) });
    expect(b.infer.map((i: { threads: number }) => i.threads)).toEqual([1, 2]);
    expect(b.kernels.length).toBeGreaterThan(10);
    for (const k of b.kernels) expect(k).toMatchObject({ name: expect.any(String), gflops: expect.any(Number) });
    expect(b.train[0].stepsPerSec).toBeGreaterThan(0);
    // Linux says how much of the sitting the hypervisor took (0 on bare metal).
    expect(b.stealPercent).toBeGreaterThanOrEqual(0);
    expect(b.stealPercent).toBeLessThan(100);
  });
});
