// `codec-lab export-torch`: the project it writes (the repository's codec_ref.py byte for byte, the
// engine's layer lists, the audio and split a run would use), from a run folder or from train's
// options, and its refusals. Python is not needed here; tests/export/parity.test.ts runs the model.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { configFromOptions } from '../../src/cli/train.js';
import { loadClips } from '../../src/data/load.js';
import { splitSegments } from '../../src/data/dataset.js';
import { readWav } from '../../src/audio/wav-read.js';
import { audioSha256, splitRecord } from '../../src/runs/split-file.js';
import { modelPreset, resolveConfig } from '../../src/train/config.js';
import { paramLayout } from '../../src/nn/model.js';
import { loadWeights, saveWeights } from '../../src/nn/weights.js';
import { summarizeRun } from '../../src/api/run-summary.js';
import type { Experiment } from '../../src/export/experiment.js';
import { MUSIC_DIR, REPO, tempDir } from '../helpers.js';

const CLIP = path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav');
const OTHER_CLIP = path.join(MUSIC_DIR, 'drums_hydrogen_gmrockkit_demo1.wav');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') });
  return { code, out, err };
}

const json = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

/** A run folder as `codec-lab train` leaves it, without training: settings, split and weights. */
async function makeRun(dir: string, extra: Record<string, unknown> = {}): Promise<string> {
  const config = resolveConfig({ preset: 'tiny', bits: 2, segment: 4096, steps: 20, batch: 2, valEvery: 10, loss: 'wave-l1' });
  const { clips } = await loadClips([CLIP]);
  const runDir = path.join(dir, '20260101-000000-tiny-b2-wave-l1');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'config.json'), JSON.stringify({ ...config, clips: [CLIP], params: { encoder: 0, decoder: 0, total: 0 }, createdAt: '2026-01-01T00:00:00.000Z', ...extra }));
  const split = splitRecord(clips, splitSegments(clips, { segment: config.segment, seed: config.seed, ratios: config.split }));
  writeFileSync(path.join(runDir, 'split.json'), JSON.stringify(split));
  const params = new Float32Array(paramLayout(modelPreset(config)).total).map((_, i) => Math.sin(i) * 0.1);
  saveWeights(path.join(runDir, 'best.weights'), modelPreset(config), params, { step: 10, valLoss: 0.5 });
  return runDir;
}

describe('codec-lab export-torch', () => {
  const tmp = tempDir('codec-lab-export-');
  afterAll(() => tmp.cleanup());

  it("writes a project from train's options: the repository's codec_ref.py, the engine's layers, the clips and a run's split", async () => {
    const out = path.join(tmp.dir, 'from-options');
    const r = await run(['export-torch', '--out', out, CLIP, '--preset', 'tiny', '--hop', '128', '--width', '0.5', '--segment', '4096', '--batch', '4', '--steps', '30', '--loss', 'mel-l1', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).files).toEqual(expect.arrayContaining(['codec_ref.py', 'train.py', 'experiment.json', 'split.json', 'clips/000.wav', 'requirements.txt', 'README.md']));
    expect(readFileSync(path.join(out, 'codec_ref.py'))).toEqual(readFileSync(path.join(REPO, 'bench', 'pytorch', 'codec_ref.py')));
    expect(readFileSync(path.join(out, 'train.py'))).toEqual(readFileSync(path.join(REPO, 'torch-export', 'train.py')));
    const e = json<Experiment>(path.join(out, 'experiment.json'));
    // The settings `codec-lab train` would train with, given the same options.
    const config = configFromOptions({ preset: 'tiny', hop: '128', width: '0.5', segment: '4096', batch: '4', steps: '30', loss: 'mel-l1' });
    expect(e.config).toEqual(config);
    expect(e.label).toBe('tiny-h128-w0.5-mel-l1');
    expect(e.model.shape).toEqual({ bits: 4, latentChannels: 8, hop: 128, width: 0.5 });
    expect(e.model.encoder).toEqual(modelPreset(config).encoder);
    expect(e.model.decoder).toEqual(modelPreset(config).decoder);
    expect(e.init).toBeNull();
    // The split a training session of these settings draws, and the audio it would train on, exactly.
    const { clips } = await loadClips([CLIP]);
    const split = json<ReturnType<typeof splitRecord>>(path.join(out, 'split.json'));
    expect(split).toEqual(splitRecord(clips, splitSegments(clips, { segment: 4096, seed: 0, ratios: config.split })));
    const wav = await readWav(path.join(out, 'clips', '000.wav'));
    expect(wav.sampleRate).toBe(24000);
    expect(audioSha256(wav.samples[0])).toBe(split.clips[0].sha256);
  });

  it("writes a project from a run folder, its audio found by content, starting from the run's best weights", async () => {
    const runDir = await makeRun(path.join(tmp.dir, 'runs'));
    const out = path.join(tmp.dir, 'from-run');
    const r = await run(['export-torch', '--run', runDir, '--out', out, '--init', 'best']);
    expect(r.code, r.err).toBe(0);
    const e = json<Experiment>(path.join(out, 'experiment.json'));
    expect(e.config.bits).toBe(2);
    expect(e.clipNames).toEqual([CLIP]);
    expect(e.init).toEqual({ file: 'init.weights', fromRun: path.basename(runDir), step: 10 });
    expect(e.config.initFrom).toBe(path.basename(runDir));
    expect(readFileSync(path.join(out, 'split.json'), 'utf8')).toBe(JSON.stringify(json(path.join(runDir, 'split.json')), null, 2) + '\n');
    const init = loadWeights(path.join(out, 'init.weights'));
    expect(init.params).toEqual(loadWeights(path.join(runDir, 'best.weights')).params);
    expect(init.model.bits).toBe(2);
  });

  it('refuses a non-empty --out, a missing run, audio that is not the run\'s, and Setup B', async () => {
    const busy = path.join(tmp.dir, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'notes.txt'), 'mine');
    const notEmpty = await run(['export-torch', '--out', busy, '--preset', 'tiny', '--json']);
    expect(notEmpty.code).toBe(1);
    expect(JSON.parse(notEmpty.out).error.code).toBe('OUT_NOT_EMPTY');
    expect(readFileSync(path.join(busy, 'notes.txt'), 'utf8')).toBe('mine');

    const missing = await run(['export-torch', '--run', path.join(tmp.dir, 'no-such-run'), '--out', path.join(tmp.dir, 'x1'), '--json']);
    expect(JSON.parse(missing.out).error.code).toBe('RUN_NOT_FOUND');

    const runDir = await makeRun(path.join(tmp.dir, 'runs2'));
    const wrong = await run(['export-torch', '--run', runDir, '--out', path.join(tmp.dir, 'x2'), OTHER_CLIP, '--json']);
    expect(JSON.parse(wrong.out).error.code).toBe('CLIPS_UNAVAILABLE');

    const setupB = await run(['export-torch', '--out', path.join(tmp.dir, 'x3'), CLIP, '--preset', 'tiny', '--setup', 'B', '--loss', 'mel-db-l1', '--json']);
    expect(JSON.parse(setupB.out).error.code).toBe('EXPORT_UNSUPPORTED');
  });

  it('lists a run trained with PyTorch, and a malformed trainedWith as damaged', async () => {
    const root = path.join(tmp.dir, 'runs3');
    const good = await makeRun(root, { trainedWith: { framework: 'pytorch', torch: '1.13.0', processes: 2, device: 'cpu' } });
    expect(summarizeRun(good, 'good', undefined)?.config?.trainedWith).toEqual({ framework: 'pytorch', torch: '1.13.0', processes: 2, device: 'cpu' });
    const bad = await makeRun(path.join(tmp.dir, 'runs4'), { trainedWith: { framework: 'jax' } });
    const summary = summarizeRun(bad, 'bad', undefined);
    expect(summary?.status).toBe('damaged');
    expect(summary?.damaged).toContain('trainedWith');
  });
});
