// A MUSHRA condition scored by the app's objective measures against the reference, on exactly the
// excerpt the listener rated: every loss of the grid over whole blocks (in dB, as the app reads
// losses: src/common/loss-scale.ts), and SI-SDR, SNR, LSD and MCD over the excerpt. The agreement
// panel ranks these against the listener's scores (src/listening/aggregate.ts).
import type { KernelCore } from '../kernels/core.js';
import { lossInDb, type LossName } from '../losses/index.js';
import type { ConditionMeasures } from '../listening/mushra-record.js';
import { EVAL_BLOCK } from './evaluate.js';
import { qualityMetrics } from './metrics.js';
import { lossesOnBlocks } from './yardstick.js';

/** Samples [start, end) of `audio` for a region in seconds (clipped to the audio); all of it without one. */
export function excerpt(audio: Float32Array, sampleRate: number, region: { start: number; end: number } | null): Float32Array {
  if (!region) return audio;
  const from = Math.min(audio.length, Math.max(0, Math.round(region.start * sampleRate)));
  const to = Math.min(audio.length, Math.max(from, Math.round(region.end * sampleRate)));
  return audio.subarray(from, to);
}

/** `est` measured against `ref` (the same excerpt of two signals of one length). */
export function conditionMeasures(core: KernelCore, ref: Float32Array, est: Float32Array, sampleRate: number): ConditionMeasures {
  if (ref.length !== est.length) throw new Error(`a condition (${est.length} samples) is not as long as its reference (${ref.length}): they are not the same audio`);
  if (ref.length === 0) throw new Error('the excerpt holds no samples: nothing to measure');
  const losses = lossesOnBlocks(core, [ref], [est], EVAL_BLOCK);
  const q = qualityMetrics(ref, est, sampleRate);
  return {
    lossesDb: losses && (Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, lossInDb(k as LossName, v)])) as Record<LossName, number>),
    siSdrDb: q.siSdrDb,
    snrDb: q.snrDb,
    lsd: q.lsd,
    mcdDb: q.mcdDb,
  };
}
