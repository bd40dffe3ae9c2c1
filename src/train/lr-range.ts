// The learning-rate range test (L. N. Smith, "Cyclical learning rates for training neural networks",
// WACV 2017, section 3.3): a short run from the run's own initial weights whose learning rate rises
// exponentially from `minLr` to `maxLr`, one step each, recording the training loss. Read from left
// to right, the loss is flat (the rate is too small to learn), then falls (learning), then climbs
// or blows up (too large). The loss is smoothed by an exponential moving average with bias
// correction (as in S. Gugger's 2017 write-up of the method and fastai's lr_find), and the test stops
// once it exceeds 4 times its lowest value, or diverges.
//
// Suggestions, both conventions of the practice rather than theorems: the rate where the smoothed
// loss falls fastest against log(lr) ("steepest"), and a tenth of the rate at its minimum (the loss
// is lowest just before it turns; an order of magnitude below leaves room). The suggested rate is
// the latter, clamped to the tested range.
import type { Clip } from '../data/dataset.js';
import { DivergedError, TrainingSession } from './session.js';
import type { TrainConfig } from './config.js';

export interface LrRangeOptions {
  minLr: number;
  maxLr: number;
  /** Steps of the test, each at its own rate (at least 10). */
  steps: number;
}

export const LR_RANGE_DEFAULTS: LrRangeOptions = { minLr: 1e-6, maxLr: 1, steps: 100 };
/** Smoothing of the loss: the moving average's weight on the past. */
const BETA = 0.98;
/** Stop once the smoothed loss exceeds this many times its lowest value. */
const DIVERGE_FACTOR = 4;

export interface LrRangePoint {
  step: number;
  lr: number;
  loss: number;
  smoothed: number;
}

export interface LrRangeResult {
  points: LrRangePoint[];
  /** Why it ended: every step done, the smoothed loss passed 4x its minimum, or a loss or gradient was not finite. */
  stopped: 'completed' | 'loss-rose' | 'diverged';
  minLossLr: number | null;
  steepestLr: number | null;
  suggestedLr: number | null;
  /** How to read it, with the figures. */
  sentence: string;
}

export class LrRangeError extends Error {
  readonly code = 'BAD_CONFIG';
}

/** The rate of step i (from 0) of n, from minLr to maxLr evenly in log(lr). */
export function rangeLr(o: LrRangeOptions, i: number): number {
  return o.minLr * (o.maxLr / o.minLr) ** (i / (o.steps - 1));
}

export function checkLrRange(o: LrRangeOptions): void {
  if (!(o.minLr > 0 && o.maxLr > o.minLr && o.maxLr < 10)) throw new LrRangeError(`the range must satisfy 0 < min lr < max lr < 10, not ${o.minLr} to ${o.maxLr}`);
  if (!(Number.isInteger(o.steps) && o.steps >= 10 && o.steps <= 10_000)) throw new LrRangeError(`the test takes 10 to 10000 steps, not ${o.steps}`);
}

/** Run the test on `clips` with `config`'s model, loss, optimizer, batch and data (its schedule and steps are not used). */
export function lrRangeTest(clips: Clip[], config: TrainConfig, o: LrRangeOptions = LR_RANGE_DEFAULTS, onPoint?: (p: LrRangePoint) => void): LrRangeResult {
  checkLrRange(o);
  const session = new TrainingSession(clips, { ...config, steps: o.steps });
  const points: LrRangePoint[] = [];
  let stopped: LrRangeResult['stopped'] = 'completed';
  let avg = 0;
  let best = Infinity;
  try {
    for (let i = 0; i < o.steps; i++) {
      const lr = rangeLr(o, i);
      let loss: number;
      try {
        loss = session.trainStep(lr).trainLoss;
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        stopped = 'diverged';
        break;
      }
      avg = BETA * avg + (1 - BETA) * loss;
      const smoothed = avg / (1 - BETA ** (i + 1));
      const p = { step: i + 1, lr, loss, smoothed };
      points.push(p);
      onPoint?.(p);
      best = Math.min(best, smoothed);
      if (smoothed > DIVERGE_FACTOR * best) {
        stopped = 'loss-rose';
        break;
      }
    }
  } finally {
    session.close();
  }
  return { points, stopped, ...suggest(points, o) };
}

/** The suggestions and the sentence, from the points. */
export function suggest(points: readonly LrRangePoint[], o: LrRangeOptions): Pick<LrRangeResult, 'minLossLr' | 'steepestLr' | 'suggestedLr' | 'sentence'> {
  if (points.length < 3) {
    return { minLossLr: null, steepestLr: null, suggestedLr: null, sentence: 'The loss blew up within the first steps: even the smallest rate tested is too large, or the data or model is broken. Try a lower minimum.' };
  }
  const lowest = points.reduce((b, p) => (p.smoothed < b.smoothed ? p : b));
  // Steepest fall against log(lr) up to the lowest point (after it the loss only rises), measured
  // across a window of a tenth of the test's steps: neighbouring batches' losses are too noisy for a
  // slope of their own. The rate named is the window's middle (geometric mean).
  const w = Math.max(1, Math.round(o.steps / 10));
  const end = points.indexOf(lowest);
  let steepest: number | null = null;
  let slope = 0;
  for (let i = w; i <= end; i++) {
    const d = (points[i].smoothed - points[i - w].smoothed) / Math.log(points[i].lr / points[i - w].lr);
    if (d < slope) [slope, steepest] = [d, Math.sqrt(points[i].lr * points[i - w].lr)];
  }
  const suggestedLr = Math.max(o.minLr, lowest.lr / 10);
  const fmt = (x: number) => x.toPrecision(2);
  const sentence =
    (steepest !== null ? `The loss fell fastest at lr ≈ ${fmt(steepest)} and` : 'The loss never fell clearly, and it') +
    ` was lowest at lr ≈ ${fmt(lowest.lr)}; a rate around a tenth of that, ${fmt(suggestedLr)}, is a safe start. ` +
    'Read the curve from left to right: flat (the rate is too small to learn), falling (learning), then rising (too large).';
  return { minLossLr: lowest.lr, steepestLr: steepest, suggestedLr, sentence };
}
