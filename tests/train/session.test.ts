// The training loop in-process: it learns in every output space, is reproducible, and stops
// cleanly (weights kept) when training diverges.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readWav } from '../../src/audio/wav-read.js';
import { prepareAudio } from '../../src/audio/prepare.js';
import { resolveConfig } from '../../src/train/config.js';
import { DivergedError, TrainingSession } from '../../src/train/session.js';
import { LOSS_NAMES, LOSSES } from '../../src/losses/index.js';
import type { Clip } from '../../src/data/dataset.js';
import { MUSIC_DIR } from '../helpers.js';

async function music(): Promise<Clip[]> {
  const wav = await readWav(path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav'));
  return [{ name: 'piano', audio: (await prepareAudio(wav)).mono }];
}

const fast = { preset: 'tiny' as const, batch: 4, segment: 4096, valEvery: 1000 };

describe('training session', () => {
  // One test per loss, so a failure names the output space that stopped learning.
  it.each(LOSS_NAMES)('lowers the validation loss in its own space: %s', async (loss) => {
    const clips = await music();
    const s = new TrainingSession(clips, resolveConfig({ ...fast, loss, steps: 40, lr: 3e-3, seed: 1 }));
    const before = s.validate().valLoss;
    for (let i = 0; i < 40; i++) s.trainStep();
    const after = s.validate().valLoss;
    s.close();
    expect(after, `${loss}: ${before} -> ${after}`).toBeLessThan(before);
  });

  it('scores each validation on the common yardstick: every loss space, SI-SDR and SNR of the same reconstructions', async () => {
    const clips = await music();
    const s = new TrainingSession(clips, resolveConfig({ ...fast, loss: 'mel-db-l1', steps: 10, seed: 2 }));
    for (let i = 0; i < 10; i++) s.trainStep();
    const v = s.validate();
    s.close();
    const m = v.valMetrics!;
    expect(Object.keys(m.losses!).sort()).toEqual(LOSSES.map((l) => l.name).sort());
    // The run's own loss, measured on the yardstick, is its validation loss: one definition, one number.
    expect(m.losses!['mel-db-l1']).toBeCloseTo(v.valLoss, 4);
    for (const value of Object.values(m.losses!)) expect(Number.isFinite(value) && value > 0).toBe(true);
    expect(Number.isFinite(m.siSdrDb) && Number.isFinite(m.snrDb)).toBe(true);
    // A barely trained codec is far from the original in the waveform: SNR well under 20 dB.
    expect(m.snrDb).toBeLessThan(20);
  });

  it('gives an identical loss curve for the same seed and config, and another for another seed', async () => {
    const clips = await music();
    const curve = (seed: number) => {
      const s = new TrainingSession(clips, resolveConfig({ ...fast, loss: 'wave-l1', steps: 8, seed }));
      return Array.from({ length: 8 }, () => s.trainStep().trainLoss);
    };
    const a = curve(3);
    expect(curve(3)).toEqual(a);
    expect(curve(4)).not.toEqual(a);
  });

  it('reports the dynamics of each step: with plain SGD the update is lr times the gradient, so its size is lr x gradNorm (lr x the threshold once clipped)', async () => {
    const clips = await music();
    for (const clipNorm of [0, 0.05]) {
      const lr = 1e-3;
      const s = new TrainingSession(clips, resolveConfig({ ...fast, loss: 'wave-l1', steps: 4, seed: 5, lr, optimizer: { name: 'sgd', clipNorm } }));
      try {
        for (let i = 0; i < 4; i++) {
          const r = s.trainStep();
          const { weightNorm, updateRatio } = s.weightDynamics();
          expect(r.gradNorm).toBeGreaterThan(0);
          const applied = clipNorm > 0 ? Math.min(r.gradNorm, clipNorm) : r.gradNorm;
          // float32 weights: the difference of two close weights loses a few digits.
          expect(Math.abs((updateRatio * weightNorm) / (lr * applied) - 1), `step ${r.step}, clip ${clipNorm}`).toBeLessThan(2e-3);
        }
        if (clipNorm > 0) expect(s.trainStep().gradNorm).toBeGreaterThan(clipNorm); // the logged norm is before clipping
      } finally {
        s.close();
      }
    }
  });

  it('with dropout, trains on fresh masks each step, reproducibly, and the same with two threads as with one; validation never drops', async () => {
    const clips = await music();
    const run = (o: { dropout: number; threads?: number; seed?: number }) => {
      const s = new TrainingSession(clips, resolveConfig({ ...fast, loss: 'wave-l1', steps: 4, seed: o.seed ?? 7, dropout: o.dropout, threads: o.threads ?? 1 }));
      try {
        const curve = Array.from({ length: 4 }, () => s.trainStep().trainLoss);
        // Validation runs the network as it is: twice the same answer.
        return { curve, val: [s.validate().valLoss, s.validate().valLoss] };
      } finally {
        s.close();
      }
    };
    const none = run({ dropout: 0 });
    const half = run({ dropout: 0.5 });
    expect(half.curve[0]).not.toBe(none.curve[0]);
    expect(run({ dropout: 0.5 }).curve).toEqual(half.curve);
    expect(run({ dropout: 0.5, seed: 8 }).curve).not.toEqual(half.curve);
    expect(half.val[0]).toBe(half.val[1]);
    // Each thread drops the elements of its own half of the batch, as one thread would.
    const two = run({ dropout: 0.5, threads: 2 });
    two.curve.forEach((v, i) => expect(Math.abs(v / half.curve[i] - 1), `step ${i + 1}`).toBeLessThan(1e-4));
  });

  it('with an L1 penalty, pulls the weights toward zero (their sum of |theta| falls faster than without)', async () => {
    const clips = await music();
    const l1Norm = (l1: number) => {
      const s = new TrainingSession(clips, resolveConfig({ ...fast, loss: 'wave-l1', steps: 5, seed: 9, l1, lr: 1e-3, optimizer: { name: 'sgd' } }));
      try {
        for (let i = 0; i < 5; i++) s.trainStep();
        return s.params().reduce((a, v) => a + Math.abs(v), 0);
      } finally {
        s.close();
      }
    };
    const plain = l1Norm(0);
    // SGD moves each weight by lr * l1 = 1e-4 per step toward zero on top of the data gradient.
    expect(l1Norm(0.1)).toBeLessThan(plain * 0.99);
  });

  it('refuses regularisation and split settings it cannot use, naming them', () => {
    expect(() => resolveConfig({ dropout: 0.95 })).toThrow(/dropout must be in \[0, 0.9\]/);
    expect(() => resolveConfig({ l1: -1 })).toThrow(/l1 must be in/);
    expect(() => resolveConfig({ dataFraction: 0 })).toThrow(/data fraction must be in \(0, 1\]/);
    expect(() => resolveConfig({ split: [8, 0, 1] })).toThrow(/split's validation size must be in \[1, 1000\]/);
    expect(() => resolveConfig({ split: [8, 1] as unknown as [number, number, number] })).toThrow(/split must be three sizes/);
    expect(() => resolveConfig({ augment: { gainDb: 0, polarity: false, tiltDb: 30 } })).toThrow(/augmentation tilt must be in \[0, 24\]/);
  });

  it('stops on a diverging update with a clear message and rolls back to the last weights that gave a finite loss and gradient', async () => {
    const clips = await music();
    // A learning rate this absurd overflows the weights within a step or two.
    const s = new TrainingSession(clips, resolveConfig({ ...fast, loss: 'wave-l2', steps: 100, seed: 2, optimizer: { name: 'sgd' }, lr: 9.99 }));
    (s.config as { lr: number }).lr = 1e38;
    // The weights each step started from: a step that fails in its update leaves its own start, one
    // that fails in its loss or gradient the start of the step before (never the weights that failed).
    const starts: Float32Array[] = [];
    let err: unknown;
    for (let i = 0; i < 20 && !err; i++) {
      starts.push(Float32Array.from(s.params()));
      try {
        s.trainStep();
      } catch (e) {
        err = e;
      }
    }
    expect(err).toBeInstanceOf(DivergedError);
    const message = (err as Error).message;
    expect(message).toMatch(/^training diverged at step \d+: (the loss is|a gradient is not finite|the update made a weight non-finite).*; rolled back to the (initial weights|weights after step \d+)/);
    const passed = /the update made/.test(message) ? starts.at(-1) : starts.at(-2);
    expect(s.params()).toEqual(passed);
    expect(s.weightsStep).toBe(starts.indexOf(passed!));
    expect(s.params().every(Number.isFinite)).toBe(true);
  });

  it('stops on a non-finite loss before touching the weights', async () => {
    const clips = await music();
    clips[0].audio.fill(NaN, 0, clips[0].audio.length);
    const s = new TrainingSession(clips, resolveConfig({ ...fast, loss: 'wave-l1', steps: 10, seed: 2 }));
    const good = Float32Array.from(s.params());
    expect(() => s.trainStep()).toThrow(/training diverged at step 1: the loss is NaN/);
    expect(s.params()).toEqual(good);
  });

  it('keeps the best weights and signals early stopping after `patience` validations without improvement', async () => {
    const clips = await music();
    const s = new TrainingSession(clips, resolveConfig({ ...fast, loss: 'wave-l1', steps: 100, patience: 2, seed: 5 }));
    s.validate();
    for (let i = 0; i < 5; i++) s.trainStep();
    const first = s.validate();
    expect(first.improved).toBe(true);
    const best = s.bestParams();
    // Pretend two worse validations happened: the best weights stay, and it is time to stop.
    s.bestValLoss = 0;
    expect(s.validate().improved).toBe(false);
    expect(s.shouldStopEarly()).toBe(false);
    s.validate();
    expect(s.shouldStopEarly()).toBe(true);
    expect(s.bestParams()).toEqual(best);
  });
});
