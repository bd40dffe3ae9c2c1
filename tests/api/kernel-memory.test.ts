// The kernel-memory bound of a training config (src/train/kernel-memory.ts): its per-sample figures
// must cover what a real TrainingSession allocates, and the largest config it allows must really
// build, so the bound neither lets through a batch that aborts in the allocator nor refuses one
// that fits.
import { describe, expect, it } from 'vitest';
import { TrainingSession } from '../../src/train/session.js';
import { resolveConfig, type TrainConfig } from '../../src/train/config.js';
import { KERNEL_MEMORY_BUDGET, largestShare, trainingCoreBytes } from '../../src/train/kernel-memory.js';
import { LOSS_NAMES } from '../../src/losses/index.js';
import type { Clip } from '../../src/data/dataset.js';
import { rng } from '../helpers.js';

/** Noise enough for train, validation and test segments of any length used here. */
function clips(samples: number): Clip[] {
  const r = rng(3);
  const audio = new Float32Array(samples);
  for (let i = 0; i < samples; i++) audio[i] = 0.2 * (r() - 0.5);
  return [{ name: 'noise', audio }];
}

/** Bytes the session's kernel core has handed out: the bump allocator's next offset. */
const highWater = (s: TrainingSession) => s.core.exports.alloc(0);

describe('kernel memory of a training thread', () => {
  const shapes: [TrainConfig['preset'], number, number][] = [
    ['tiny', 2, 4096],
    ['small', 4, 8192],
    ['small', 1, 32768],
  ];
  for (const [preset, batch, segment] of shapes) {
    it(`the estimate covers a real ${preset} session of batch ${batch} x ${segment} samples, for every loss`, () => {
      let worst = 0;
      for (const loss of LOSS_NAMES) {
        const s = new TrainingSession(clips(segment * 8), resolveConfig({ preset, loss, batch, segment }));
        worst = Math.max(worst, highWater(s));
        s.close();
      }
      const estimate = trainingCoreBytes(preset, batch, segment);
      expect(estimate).toBeGreaterThanOrEqual(worst);
      // Not so generous that it refuses what fits: within 2x plus the fixed part at these small sizes.
      expect(estimate).toBeLessThan(2 * worst + 16 * 2 ** 20);
    });
  }

  it('the largest batch it allows builds and trains, below 2 GiB, where core offsets stop being valid in JavaScript', () => {
    const segment = 8192;
    const batch = largestShare('tiny', segment);
    // One thread: the whole batch is one thread's share (the default, one per core, would split it).
    expect(() => resolveConfig({ preset: 'tiny', batch: batch + 1, segment, threads: 1 })).toThrow(/kernel memory/);
    const s = new TrainingSession(clips(segment * 8), resolveConfig({ preset: 'tiny', loss: 'mrstft', batch, segment, threads: 1 }));
    try {
      // Every offset handed out is below the budget (a negative one would mean it passed 2 GiB) ...
      expect(highWater(s)).toBeGreaterThan(0);
      expect(highWater(s)).toBeLessThanOrEqual(KERNEL_MEMORY_BUDGET);
      // ... and the buffers work: a whole step trains on them.
      expect(Number.isFinite(s.trainStep().trainLoss)).toBe(true);
    } finally {
      s.close();
    }
  });
});
