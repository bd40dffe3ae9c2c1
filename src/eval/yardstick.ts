// The common yardstick: one reconstruction scored in every output space (every loss of the grid)
// plus SNR and SI-SDR, whatever loss the run trains with. Training logs it at each validation
// (`valMetrics` in log.jsonl) and evaluation reports it, so runs trained in different spaces can be
// watched on one scale: train in X, watch Y.
import type { KernelCore } from '../kernels/core.js';
import { perCore } from '../kernels/per-core.js';
import { LOSSES, type Loss, type LossName } from '../losses/index.js';
import { siSdrDb, snrDb } from './metrics.js';

export interface Yardstick {
  /** Each loss over every whole block, averaged (plain values, as the losses compute them); null when no block fits. */
  losses: Record<LossName, number> | null;
  /** Over all the audio at once, dB. */
  siSdrDb: number;
  snrDb: number;
}

/** The losses over one block, and room in their core for one block of each signal. */
interface BlockScorer {
  losses: Loss[];
  ref: number;
  est: number;
}

/**
 * The scorer of a core and block size, made once (values only: no gradient buffers): a training run
 * makes one in its own core for its validations, an engine worker one per block size in its core.
 * Graphs and losses take fresh views of memory on every call (KernelCore.f32), so memory growing
 * under them invalidates nothing.
 */
const scorerFor = perCore(
  (core, block: number): BlockScorer => ({ losses: LOSSES.map((l) => l.make(core, 1, block, false)), ref: core.allocF32(block), est: core.allocF32(block) }),
);

/** Make the scorer of this core and block size now (so its memory is taken before training starts). */
export function reserveYardstick(core: KernelCore, block: number): void {
  scorerFor(core, block);
}

/** Every loss of `ests` against `refs` (pairs of equal length), over each pair's whole blocks of `block` samples. */
export function lossesOnBlocks(core: KernelCore, refs: readonly Float32Array[], ests: readonly Float32Array[], block: number): Record<LossName, number> | null {
  const { losses, ref, est } = scorerFor(core, block);
  const sums = new Float64Array(losses.length);
  let blocks = 0;
  refs.forEach((r, i) => {
    for (let s = 0; s + block <= r.length; s += block) {
      core.f32(ref, block).set(r.subarray(s, s + block));
      core.f32(est, block).set(ests[i].subarray(s, s + block));
      losses.forEach((l, k) => (sums[k] += l.compute(est, ref, 0)));
      blocks++;
    }
  });
  return blocks ? (Object.fromEntries(losses.map((l, k) => [l.name, sums[k] / blocks])) as Record<LossName, number>) : null;
}

/** The yardstick of a reconstruction given as pieces (segments or clips); the ratios are over all pieces joined. */
export function yardstick(core: KernelCore, refs: readonly Float32Array[], ests: readonly Float32Array[], block: number): Yardstick {
  if (refs.length !== ests.length || refs.some((r, i) => r.length !== ests[i].length)) {
    throw new Error(`yardstick: ${refs.length} references and ${ests.length} reconstructions do not pair up`);
  }
  const ref = concatAudio(refs);
  const est = concatAudio(ests);
  return { losses: lossesOnBlocks(core, refs, ests, block), siSdrDb: siSdrDb(ref, est), snrDb: snrDb(ref, est) };
}

export function concatAudio(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
