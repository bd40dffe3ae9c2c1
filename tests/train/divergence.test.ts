// Divergence leaves usable weights. When a loss, gradient or weight turns non-finite, the run rolls
// back to the last weights that gave a finite loss and gradient, is recorded as diverged, keeps
// weights files whose output on its own test split is finite, and is scored; and nothing at the end of
// a run (unusable weights, a failed evaluation) can fail it. The settings here are beyond what the
// doors accept (momentum 1e9, learning rate 1e6): the guard must hold for any input, so the runs are
// made in-process with the bounds bypassed.
import { describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadClips } from '../../src/data/load.js';
import { splitSegments } from '../../src/data/dataset.js';
import { BUNDLED_CLIP } from '../../src/assets.js';
import { loadWeights } from '../../src/nn/weights.js';
import { readWav } from '../../src/audio/wav-read.js';
import { Codec } from '../../src/nn/codec.js';
import { getPreset } from '../../src/nn/presets.js';
import { initParams, paramLayout } from '../../src/nn/model.js';
import { evaluateCodec } from '../../src/eval/evaluate.js';
import { SPEED_REPEATS } from '../../src/eval/speed.js';
import { readTestSplit } from '../../src/runs/run-dir.js';
import { readSplit } from '../../src/runs/split-file.js';
import type { ControlMessage, TrainEvent } from '../../src/train/run.js';
import { LabService } from '../../src/api/service.js';
import { keepAndEvaluate, type EndingSession } from '../../src/train/final-evaluation.js';
import type { TrainConfig } from '../../src/train/config.js';
import { makeRun, musicClip, TINY_RUN } from '../runs/make-run.js';
import { DivergedError, TrainingSession } from '../../src/train/session.js';
import { resolveConfig } from '../../src/train/config.js';
import { tempDir } from '../helpers.js';

/** The weights file gives finite audio on the run's test split, and can be scored there. */
function expectUsable(runDir: string, file: string): void {
  const w = loadWeights(path.join(runDir, file));
  const codec = new Codec(getPreset(w.preset), w.params);
  const { clips, segment } = readTestSplit(runDir);
  for (const c of clips) expect(codec.reconstruct(c.audio).every(Number.isFinite), `${file} on ${c.name}`).toBe(true);
  expect(Number.isFinite(evaluateCodec(codec, clips, { block: segment }).evaluation.snrDb), file).toBe(true);
}

const cases: [string, Partial<TrainConfig>][] = [
  ['momentum 1e9', { optimizer: { name: 'momentum', momentum: 1e9 } }],
  ['learning rate 1e6', { lr: 1e6 }],
];

describe('a diverging run', () => {
  it.each(cases)('with %s rolls back, is listed as diverged, and keeps weights that can be heard and scored', async (_, overrides) => {
    const { dir, cleanup } = tempDir();
    try {
      // The reported command: tiny, the bundled clip, 20 steps, validation every 5, batch 8 x 8192.
      const { clips } = await loadClips([BUNDLED_CLIP]);
      const config = { preset: 'tiny', loss: 'mel-db-l1', batch: 8, segment: 8192, steps: 20, valEvery: 5, ...overrides } as const;
      const result = await makeRun(dir, { clips, config });
      expect(result.status).toBe('diverged');
      expect(result.message).toMatch(/^training diverged at step \d+: .*; rolled back to (the initial weights|the weights after step \d+), the last to give a finite loss and gradient$/);
      expect(result.metrics).not.toBeNull();
      expect(result.metricsUnavailable).toBeUndefined();

      const metrics = JSON.parse(readFileSync(path.join(result.runDir, 'metrics.json'), 'utf8'));
      expect(metrics).toMatchObject({ status: 'diverged', metrics: { snrDb: expect.any(Number), losses: { 'mel-db-l1': expect.any(Number) } } });
      expect(readdirSync(result.runDir).sort()).toEqual([
        'best.weights', 'config.json', 'last.weights', 'metrics.json', 'split.json',
        'test_original.wav', 'test_reconstruction.wav', 'val_original.wav', 'val_reconstruction.wav',
      ].concat(result.steps > 0 ? ['log.jsonl'] : []).sort());
      // last.weights are the weights rolled back to, as the message says.
      const back = /after step (\d+)/.exec(result.message!)?.[1];
      expect(loadWeights(path.join(result.runDir, 'last.weights')).meta.step).toBe(back ? Number(back) : 0);
      expectUsable(result.runDir, 'best.weights');
      expectUsable(result.runDir, 'last.weights');
      const listed = await new LabService({ runsDir: dir, withBundledClip: false }).listRuns();
      expect(listed).toEqual([expect.objectContaining({ id: path.basename(result.runDir), status: 'diverged', metrics: expect.objectContaining({ snrDb: expect.any(Number) }) })]);
    } finally {
      cleanup();
    }
  });
});

describe('a non-finite validation loss', () => {
  it('is a divergence too: the weights roll back to the last that passed a training step', async () => {
    const clip = await musicClip();
    const s = new TrainingSession([clip], resolveConfig({ ...TINY_RUN, steps: 10 }));
    const starts = [Float32Array.from(s.params())];
    s.trainStep();
    starts.push(Float32Array.from(s.params()));
    s.trainStep();
    // Validation audio is never in a training batch, so only validation sees the NaN.
    const v = s.split.val[0];
    clip.audio.fill(NaN, v.start, v.start + 10);
    expect(() => s.validate()).toThrow(new DivergedError('training diverged at step 2: the validation loss is NaN; rolled back to the weights after step 1, the last to give a finite loss and gradient'));
    expect(s.params()).toEqual(starts[1]);
    expect(s.weightsStep).toBe(1);
    expect(s.bestValLoss).toBe(Infinity);
  });
});

describe('a run stopped before its first validation', () => {
  it('whose closing validation is non-finite is a divergence: recorded, announced and explained, not rolled back silently', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const clip = await musicClip();
      const events: TrainEvent[] = [];
      let polls = 0;
      // After one step, before any validation (due at step 5): NaN in the validation audio, which no
      // training batch holds, and stop. The validation the run makes on its way out sees the NaN.
      const poll = (): ControlMessage | null => {
        if (++polls < 2) return null;
        const started = events.find((e) => e.type === 'started');
        const v = readSplit(started!.runDir).val[0];
        clip.audio.fill(NaN, v.start, v.start + 10);
        return 'stop';
      };
      const result = await makeRun(dir, { clips: [clip], config: { steps: 10, valEvery: 5 }, events, poll });
      const message = 'training diverged at step 1: the validation loss is NaN; rolled back to the initial weights, the last to give a finite loss and gradient';
      expect(result).toMatchObject({ status: 'diverged', message, steps: 1, bestValLoss: null });
      expect(events.filter((e) => e.type === 'diverged')).toEqual([{ type: 'diverged', step: 1, message }]);
      expect(JSON.parse(readFileSync(path.join(result.runDir, 'metrics.json'), 'utf8'))).toMatchObject({ status: 'diverged', message });
      const listed = await new LabService({ runsDir: dir, withBundledClip: false }).listRuns();
      expect(listed).toEqual([expect.objectContaining({ id: path.basename(result.runDir), status: 'diverged' })]);
    } finally {
      cleanup();
    }
  });
});

describe('the end of a run', () => {
  /** A session's end state with the given weights: finite values that give finite audio or not. */
  async function ending(bad: { best?: boolean; last?: boolean; initial?: boolean }): Promise<{ session: EndingSession; clips: { name: string; audio: Float32Array }[]; good: Float32Array }> {
    const clips = [await musicClip()];
    const preset = getPreset('tiny');
    const layout = paramLayout(preset);
    const good = new Float32Array(layout.total);
    initParams(layout, good, 0);
    // Weights a million times too large are finite, but the codec's output overflows to NaN.
    const overflowing = good.map((v) => v * 1e6);
    const pick = (isBad?: boolean) => () => Float32Array.from(isBad ? overflowing : good);
    const session: EndingSession = {
      preset, split: splitSegments(clips, { segment: 4096, seed: 0 }), bestStep: 3, bestValLoss: 0.5, weightsStep: 4,
      bestParams: pick(bad.best), params: pick(bad.last), initialParams: pick(bad.initial),
    };
    return { session, clips, good };
  }

  it('keeps usable weights under each name, saying which were replaced and why', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { session, clips, good } = await ending({ best: true });
      const end = await keepAndEvaluate(session, clips, dir);
      expect(end.metrics?.snrDb).toEqual(expect.any(Number));
      expect(end.warnings).toEqual([expect.stringMatching(/^best\.weights holds the last weights \(step 4\): the best weights \(step 3\) give non-finite audio/)]);
      expect(loadWeights(path.join(dir, 'best.weights'))).toMatchObject({ params: good, meta: { step: 4 } });
      expect(loadWeights(path.join(dir, 'last.weights'))).toMatchObject({ params: good, meta: { step: 4 } });
    } finally {
      cleanup();
    }
  });

  it('runs each candidate once per segment: the reconstructions that passed the check are scored and written', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { session, clips } = await ending({});
      const encode = vi.spyOn(Codec.prototype, 'encode');
      const end = await keepAndEvaluate(session, clips, dir);
      const { test, val, segment } = session.split;
      // best and last (each a candidate of its own) are checked once each, on val and test; the
      // evaluation and the reconstruction files reuse the best's outputs instead of a third pass.
      // The speed is timed apart: a warm-up and SPEED_REPEATS passes over the test audio joined.
      expect(encode).toHaveBeenCalledTimes(2 * (test.length + val.length) + 1 + SPEED_REPEATS);
      encode.mockRestore();
      expect(end.metrics).toMatchObject({ clips: test.length, seconds: (test.length * segment) / 24000, snrDb: expect.any(Number) });
      for (const [file, n] of [['test_reconstruction.wav', test.length], ['val_reconstruction.wav', val.length]] as const) {
        expect((await readWav(path.join(dir, file))).frames, file).toBe(n * segment);
      }
    } finally {
      cleanup();
    }
  });

  it('cannot fail the run when no weights give finite audio: the scores are unavailable, with the reason', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { session, clips } = await ending({ best: true, last: true, initial: true });
      const end = await keepAndEvaluate(session, clips, dir);
      expect(end.metrics).toBeNull();
      expect(end.metricsUnavailable).toMatch(/no weights of this run \(best, last or initial\) turn its validation and test audio into finite audio/);
      // The weights files are still written whole.
      expect(readdirSync(dir).sort()).toEqual(['best.weights', 'last.weights']);
      for (const f of ['best.weights', 'last.weights']) expect(loadWeights(path.join(dir, f)).params.every(Number.isFinite)).toBe(true);
    } finally {
      cleanup();
    }
  });
});
