// Scoring a model on audio: the loss in every output space (one row of the cross-evaluation
// matrix), objective quality metrics, bit rate, and encode/decode speed.
import type { KernelCore } from '../kernels/core.js';
import type { Codec } from '../nn/codec.js';
import { presetInfo } from '../nn/presets.js';
import { LOSSES, lossInDb, type Loss, type LossName } from '../losses/index.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { qualityMetrics } from './metrics.js';

/** Losses are computed over blocks of this many samples (the reference training segment) unless told otherwise. */
export const EVAL_BLOCK = 8192;

export interface EvalClip {
  name: string;
  audio: Float32Array;
}

export interface Evaluation {
  /** Each loss over every whole block of every clip, averaged; null when no clip holds a whole block. */
  losses: Record<LossName, number> | null;
  /** The same in dB as src/common/loss-scale.ts reads them: a dB loss as its level error, the others as 10 log10(loss). */
  lossesDb: Record<LossName, number> | null;
  snrDb: number;
  siSdrDb: number;
  lsdDb: number;
  mcdDb: number;
  bitrateKbps: number;
  /** Seconds of audio encoded (decoded) per second of compute, one thread. */
  encodeRtf: number;
  decodeRtf: number;
  seconds: number;
  clips: number;
}

export interface EvalResult {
  evaluation: Evaluation;
  reconstructions: Float32Array[];
}

export function concatAudio(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A codec's output on some audio, and what making it cost. */
export interface Inference {
  /** One per input, the same length as it. */
  reconstructions: Float32Array[];
  /** Seconds spent encoding, and decoding, all of them. */
  encodeSec: number;
  decodeSec: number;
}

/**
 * Encode and decode each of `audio`, timing the two halves apart. `accept` sees each reconstruction
 * as it is made; the first it refuses ends the pass (null), so a check costs no more than it must.
 */
export function runCodec(codec: Codec, audio: readonly Float32Array[]): Inference;
export function runCodec(codec: Codec, audio: readonly Float32Array[], accept: (y: Float32Array) => boolean): Inference | null;
export function runCodec(codec: Codec, audio: readonly Float32Array[], accept: (y: Float32Array) => boolean = () => true): Inference | null {
  const run: Inference = { reconstructions: [], encodeSec: 0, decodeSec: 0 };
  for (const x of audio) {
    const t0 = performance.now();
    const enc = codec.encode(x);
    const t1 = performance.now();
    // A fresh array of the input's length (decode allocates its output on every call).
    const y = codec.decode(enc);
    const t2 = performance.now();
    run.encodeSec += (t1 - t0) / 1000;
    run.decodeSec += (t2 - t1) / 1000;
    if (!accept(y)) return null;
    run.reconstructions.push(y);
  }
  return run;
}

export interface EvalOptions {
  sampleRate?: number;
  /** Samples per loss block (default EVAL_BLOCK; a run's test split uses its own segment length). */
  block?: number;
  /** The clips' reconstructions (runCodec), when they are already made: scored as they are, not made again. */
  inference?: Inference;
  /** The core the losses are computed in (default: the codec's own). */
  core?: KernelCore;
}

/** The losses over one block, and room in their core for one block of each signal. */
interface BlockScorer {
  losses: Loss[];
  ref: number;
  est: number;
}

/**
 * Scorers made so far, per core and block size. The losses live in the codec's own core unless told
 * otherwise: an engine worker then holds one core for its models and their scores. The kernel core
 * never frees, so they are made once per core and block size (5 MiB at 8192 samples), not per call;
 * before, every call instantiated a core of its own (8 MiB of memory each). Allocating them after the
 * codec's graphs is safe: graphs and losses take fresh views of memory on every call (KernelCore.f32),
 * so memory growing under them invalidates nothing. Keyed weakly: a core's scorers go with it.
 */
const scorers = new WeakMap<KernelCore, Map<number, BlockScorer>>();

function scorerFor(core: KernelCore, block: number): BlockScorer {
  let byBlock = scorers.get(core);
  if (!byBlock) scorers.set(core, (byBlock = new Map()));
  let scorer = byBlock.get(block);
  if (!scorer) {
    scorer = { losses: LOSSES.map((l) => l.make(core, 1, block)), ref: core.allocF32(block), est: core.allocF32(block) };
    byBlock.set(block, scorer);
  }
  return scorer;
}

export function evaluateCodec(codec: Codec, clips: EvalClip[], opts: EvalOptions = {}): EvalResult {
  const sampleRate = opts.sampleRate ?? MODEL_RATE;
  const block = opts.block ?? EVAL_BLOCK;
  if (clips.length === 0) throw new Error('nothing to evaluate: no audio');
  const run = opts.inference ?? runCodec(codec, clips.map((c) => c.audio));
  const { reconstructions } = run;
  if (reconstructions.length !== clips.length || reconstructions.some((y, i) => y.length !== clips[i].audio.length)) {
    throw new Error(`the reconstructions given (${reconstructions.length}) do not match the ${clips.length} clips`);
  }
  const seconds = clips.reduce((n, c) => n + c.audio.length, 0) / sampleRate;

  // Every loss on the same blocks, one block at a time.
  const core = opts.core ?? codec.core;
  const { losses, ref, est } = scorerFor(core, block);
  const sums = new Float64Array(losses.length);
  let blocks = 0;
  clips.forEach((c, i) => {
    for (let s = 0; s + block <= c.audio.length; s += block) {
      core.f32(ref, block).set(c.audio.subarray(s, s + block));
      core.f32(est, block).set(reconstructions[i].subarray(s, s + block));
      losses.forEach((l, k) => (sums[k] += l.compute(est, ref, 0)));
      blocks++;
    }
  });
  const byName = (f: (name: LossName, v: number) => number) =>
    blocks ? (Object.fromEntries(losses.map((l, k) => [l.name, f(l.name, sums[k] / blocks)])) as Record<LossName, number>) : null;

  const q = qualityMetrics(concatAudio(clips.map((c) => c.audio)), concatAudio(reconstructions), sampleRate);
  return {
    reconstructions,
    evaluation: {
      losses: byName((_, v) => v),
      lossesDb: byName(lossInDb),
      ...q,
      bitrateKbps: presetInfo(codec.preset).bitrateKbps,
      encodeRtf: seconds / Math.max(run.encodeSec, 1e-9),
      decodeRtf: seconds / Math.max(run.decodeSec, 1e-9),
      seconds,
      clips: clips.length,
    },
  };
}
