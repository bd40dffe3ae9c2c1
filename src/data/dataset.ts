// Training data: the loaded clips (mono, 24 kHz) cut into segments and split into train,
// validation and test. The split is by whole segments, so no sample is in two splits; training
// crops may slide across two neighbouring training segments (never into another split), which
// gives the model more distinct examples than the fixed grid alone.
import { Random } from '../util/random.js';
import { addNoiseAtSnr, highShelf, TILT_CORNER_HZ } from './augment.js';
import { MODEL_RATE } from '../audio/prepare.js';

export interface Clip {
  name: string;
  /** Mono float32 at the model rate. */
  audio: Float32Array;
}

export interface Segment {
  clip: number;
  start: number;
}

export interface SplitOptions {
  /** Samples per segment (reference: 8192). */
  segment: number;
  seed: number;
  /** Relative sizes of train, validation and test (default 8:1:1). */
  ratios?: [number, number, number];
  /**
   * Keep this share of the training segments (default 1): the first of them in the seeded shuffle,
   * at least one. Validation and test are dealt first, so they do not change with the share.
   */
  trainFraction?: number;
}

export interface DataSplit {
  segment: number;
  train: Segment[];
  val: Segment[];
  test: Segment[];
  /** Clips too short for even one segment, with the reason, so the user is told rather than surprised. */
  skipped: { name: string; reason: string }[];
}

export class DataError extends Error {
  readonly code = 'NOT_ENOUGH_AUDIO';
}

/**
 * Cut every clip into whole segments and deal them to the splits, seeded. Each split gets at least
 * one segment when there are three or more in all; with fewer, training is refused with a message
 * that says how much audio is needed.
 */
export function splitSegments(clips: readonly Clip[], opts: SplitOptions): DataSplit {
  const { segment, seed } = opts;
  const ratios = opts.ratios ?? [8, 1, 1];
  if (!(Number.isInteger(segment) && segment > 0)) throw new DataError(`segment length must be a positive whole number of samples, not ${segment}`);
  const all: Segment[] = [];
  const skipped: DataSplit['skipped'] = [];
  clips.forEach((clip, c) => {
    const n = Math.floor(clip.audio.length / segment);
    if (n === 0) {
      skipped.push({ name: clip.name, reason: `${clip.audio.length} samples is shorter than one ${segment}-sample segment` });
    }
    for (let k = 0; k < n; k++) all.push({ clip: c, start: k * segment });
  });
  if (all.length < 3) {
    throw new DataError(
      `not enough audio: ${all.length} segment${all.length === 1 ? '' : 's'} of ${segment} samples; train, validation and test need at least 3 (${((3 * segment) / MODEL_RATE).toFixed(2)} s at ${MODEL_RATE / 1000} kHz)`,
    );
  }
  new Random(seed).shuffle(all);
  const total = ratios[0] + ratios[1] + ratios[2];
  const nVal = ratios[1] > 0 ? Math.max(1, Math.round((all.length * ratios[1]) / total)) : 0;
  const nTest = ratios[2] > 0 ? Math.max(1, Math.round((all.length * ratios[2]) / total)) : 0;
  const byPosition = (a: Segment, b: Segment) => a.clip - b.clip || a.start - b.start;
  const train = all.slice(nVal + nTest);
  return {
    segment,
    val: all.slice(0, nVal).sort(byPosition),
    test: all.slice(nVal, nVal + nTest).sort(byPosition),
    train: train.slice(0, Math.max(1, Math.ceil(train.length * (opts.trainFraction ?? 1)))).sort(byPosition),
    skipped,
  };
}

export interface BatchOptions {
  batch: number;
  seed: number;
  /** Random gain in dB, drawn uniformly from [-augmentGainDb, 0]; 0 turns it off. */
  augmentGainDb?: number;
  /** Flip the polarity of half the examples at random. */
  augmentPolarity?: boolean;
  /** Add white noise at this SNR in dB, relative to each example (src/data/augment.ts); absent: off. */
  augmentNoiseSnrDb?: number;
  /** A random high shelf of up to this many dB, boost or cut (src/data/augment.ts); 0: off. */
  augmentTiltDb?: number;
  /** Sample rate of the audio, for the tilt's corner (24 kHz). */
  sampleRate?: number;
}

/** Draws training minibatches at random from the training split, into a caller-owned buffer. */
export class BatchSampler {
  private readonly rng: Random;
  /** For each training segment, how far a crop may slide right without leaving the training split. */
  private readonly slack: number[];

  constructor(
    private readonly clips: readonly Clip[],
    private readonly split: DataSplit,
    private readonly opts: BatchOptions,
  ) {
    this.rng = new Random(opts.seed ^ 0x5bd1e995);
    const trainStarts = new Set(split.train.map((s) => `${s.clip}:${s.start}`));
    this.slack = split.train.map((s) => (trainStarts.has(`${s.clip}:${s.start + split.segment}`) ? split.segment : 0));
  }

  /** Fill `out` ([batch, 1, segment], flat) with one minibatch. */
  next(out: Float32Array): void {
    const { batch, augmentGainDb = 0, augmentPolarity = false, augmentNoiseSnrDb, augmentTiltDb = 0, sampleRate = MODEL_RATE } = this.opts;
    const seg = this.split.segment;
    if (out.length !== batch * seg) throw new Error(`batch buffer holds ${out.length} samples, expected ${batch * seg}`);
    for (let b = 0; b < batch; b++) {
      const i = this.rng.int(this.split.train.length);
      const s = this.split.train[i];
      const start = s.start + (this.slack[i] ? this.rng.int(this.slack[i] + 1) : 0);
      const src = this.clips[s.clip].audio.subarray(start, start + seg);
      let gain = 1;
      if (augmentGainDb > 0) gain = 10 ** (-this.rng.uniform(0, augmentGainDb) / 20);
      if (augmentPolarity && this.rng.next() < 0.5) gain = -gain;
      const dst = out.subarray(b * seg, (b + 1) * seg);
      if (gain === 1) dst.set(src);
      else for (let t = 0; t < seg; t++) dst[t] = src[t] * gain;
      // Drawn only when on, so a run without them keeps the batches it always had.
      if (augmentTiltDb > 0) highShelf(dst, sampleRate, TILT_CORNER_HZ, this.rng.uniform(-augmentTiltDb, augmentTiltDb));
      if (augmentNoiseSnrDb !== undefined) addNoiseAtSnr(dst, augmentNoiseSnrDb, this.rng);
    }
  }
}

/** The audio of a list of segments, one after another ([n, 1, segment], flat). */
export function gatherSegments(clips: readonly Clip[], segments: readonly Segment[], segment: number): Float32Array {
  const out = new Float32Array(segments.length * segment);
  segments.forEach((s, i) => out.set(clips[s.clip].audio.subarray(s.start, s.start + segment), i * segment));
  return out;
}
