// Training on N threads (src/train/grad-team.ts): each thread takes its share of the batch, and the
// shares' gradients are added in a fixed order. For the losses that are means, and for mrstft (whose
// spectral convergence takes the whole batch's norms from the shares' partial sums), the objective
// is the one-thread objective for any N; only float rounding differs, and a run repeats exactly for
// a given N. Up to four threads run here on two cores: correctness does not need the cores.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readWav } from '../../src/audio/wav-read.js';
import { prepareAudio } from '../../src/audio/prepare.js';
import { resolveConfig, type TrainConfig } from '../../src/train/config.js';
import { TrainingSession } from '../../src/train/session.js';
import { batchShares, DEFAULT_THREADS, MAX_DEFAULT_THREADS, physicalCores } from '../../src/train/thread-count.js';
import { KernelCore } from '../../src/kernels/core.js';
import { mrstft } from '../../src/losses/mrstft.js';
import type { Clip } from '../../src/data/dataset.js';
import { MUSIC_DIR, relativeError } from '../helpers.js';

async function music(): Promise<Clip[]> {
  const wav = await readWav(path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav'));
  return [{ name: 'piano', audio: (await prepareAudio(wav)).mono }];
}

const fast = { preset: 'tiny' as const, batch: 6, segment: 4096, valEvery: 1000 };

/** The loss of each of `steps` steps and the weights after them. */
function train(clips: Clip[], config: Partial<TrainConfig>, steps: number): { curve: number[]; params: Float32Array } {
  const s = new TrainingSession(clips, resolveConfig({ ...fast, ...config, steps }));
  try {
    const curve = Array.from({ length: steps }, () => s.trainStep().trainLoss);
    return { curve, params: Float32Array.from(s.params()) };
  } finally {
    s.close();
  }
}

describe('splitting the batch between threads', () => {
  it("gives every example to exactly one thread, the last shares one more when the batch does not divide (the session's own thread has other work)", () => {
    expect(batchShares(8, 3)).toEqual([{ offset: 0, count: 2 }, { offset: 2, count: 3 }, { offset: 5, count: 3 }]);
    expect(batchShares(6, 4)).toEqual([{ offset: 0, count: 1 }, { offset: 1, count: 1 }, { offset: 2, count: 2 }, { offset: 4, count: 2 }]);
    expect(batchShares(5, 1)).toEqual([{ offset: 0, count: 5 }]);
  });

  it('defaults to the physical cores (hyperthreads counted once), capped at 8 and at the batch', () => {
    const twoCoresFourThreads = ['0:0', '0:0', '0:1', '0:1'].map(([p, , c], i) => `processor\t: ${i}\nphysical id\t: ${p}\ncore id\t\t: ${c}\n`).join('\n');
    expect(physicalCores(twoCoresFourThreads)).toBe(2);
    const twoSockets = [0, 1].flatMap((p) => [0, 1, 2].map((c) => `physical id\t: ${p}\ncore id\t: ${c}\n`)).join('\n');
    expect(physicalCores(twoSockets)).toBe(6);
    expect(DEFAULT_THREADS).toBe(Math.min(MAX_DEFAULT_THREADS, physicalCores()));
    expect(resolveConfig({ batch: 8 }).threads).toBe(Math.min(DEFAULT_THREADS, 8));
    expect(resolveConfig({ batch: 1 }).threads).toBe(1);
  });

  it('refuses a thread count it cannot use, naming why', () => {
    expect(() => resolveConfig({ threads: 17 })).toThrow(/^threads must be in \[1, 16\]/);
    expect(() => resolveConfig({ threads: 2.5 })).toThrow(/threads must be a whole number/);
    expect(() => resolveConfig({ threads: 5, batch: 4 })).toThrow(/^5 threads cannot share a batch of 4: each thread takes at least one example$/);
  });

  it('follows the same loss curve with 1, 2, 3 and 4 threads (wave-l1 with Adam), and repeats exactly for a given count', async () => {
    const clips = await music();
    const one = train(clips, { loss: 'wave-l1', seed: 7, threads: 1 }, 6);
    for (const threads of [2, 3, 4]) {
      const n = train(clips, { loss: 'wave-l1', seed: 7, threads }, 6);
      n.curve.forEach((v, i) => expect(Math.abs(v / one.curve[i] - 1), `${threads} threads, step ${i + 1}`).toBeLessThan(1e-4));
      if (threads === 3) expect(train(clips, { loss: 'wave-l1', seed: 7, threads }, 6)).toEqual(n);
    }
  });

  it('computes the same loss and gradient with 1, 2 and 3 threads for a loss in every space, mrstft too (SGD: the weights move by lr x the gradient)', async () => {
    const clips = await music();
    for (const loss of ['mel-db-l1', 'stft-l2', 'mrstft'] as const) {
      const cfg = { loss, seed: 3, optimizer: { name: 'sgd' as const }, lr: 0.05 };
      const init = new TrainingSession(clips, resolveConfig({ ...fast, ...cfg, steps: 1, threads: 1 }));
      const start = Float32Array.from(init.params());
      init.close();
      const moved = (p: Float32Array) => p.map((v, i) => v - start[i]);
      // One step: a second would compare the rounding of the first, amplified (mrstft's log term
      // divides by small magnitudes: 1e-6 after one step of lr 0.05 became 4e-4 after two).
      const one = train(clips, { ...cfg, threads: 1 }, 1);
      for (const threads of [2, 3]) {
        const n = train(clips, { ...cfg, threads }, 1);
        // Measured: 5e-7 to 1.6e-6 (float32 gradients added in another order).
        expect(relativeError(moved(n.params), moved(one.params)), `${loss}, ${threads} threads`).toBeLessThan(1e-5);
        // The loss is a float64 sum of the shares' float64 terms: equal to the last few digits.
        expect(Math.abs(n.curve[0] / one.curve[0] - 1), `${loss}, ${threads} threads`).toBeLessThan(1e-9);
      }
    }
  });

  it('with dropout, drops the same elements whatever the thread count (the masks follow the example, not the thread)', async () => {
    const clips = await music();
    const one = train(clips, { loss: 'wave-l1', seed: 2, dropout: 0.3, threads: 1 }, 3);
    const four = train(clips, { loss: 'wave-l1', seed: 2, dropout: 0.3, threads: 4 }, 3);
    four.curve.forEach((v, i) => expect(Math.abs(v / one.curve[i] - 1), `step ${i + 1}`).toBeLessThan(1e-4));
  });

  it("mrstft's spectral convergence is the whole batch's ratio of norms, not a mean of the shares' ratios", () => {
    // The check above could pass by accident if the shares' ratios were close: here they are not.
    // Two examples, one loud and one quiet, each with its own error: the ratio over the pair differs
    // from the mean of the two ratios, and only the former is the one-thread loss.
    const core = KernelCore.create();
    const T = 4096;
    const pair = mrstft(core, 2, T, false);
    const single = mrstft(core, 1, T, false);
    const pred = core.allocF32(2 * T);
    const target = core.allocF32(2 * T);
    const p = core.f32(pred, 2 * T);
    const t = core.f32(target, 2 * T);
    for (let i = 0; i < T; i++) {
      t[i] = Math.sin(0.05 * i);
      p[i] = 0.9 * t[i];
      t[T + i] = 0.01 * Math.sin(0.2 * i);
      p[T + i] = 0.005 * Math.sin(0.2 * i + 0.3);
    }
    const whole = pair.compute(pred, target, 0);
    const halves = (single.compute(pred, target, 0) + single.compute(pred + 4 * T, target + 4 * T, 0)) / 2;
    expect(Math.abs(whole - halves) / whole).toBeGreaterThan(0.05);
  });
});
