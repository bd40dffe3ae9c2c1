// Scoring a model on audio: the loss in every output space (one row of the cross-evaluation
// matrix), objective quality metrics, bit rate, and encode/decode speed.
import { KernelCore } from '../kernels/core.js';
import { Codec } from '../nn/codec.js';
import { presetInfo } from '../nn/presets.js';
import { LOSSES, lossDb, type LossName } from '../losses/index.js';
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
  /** The same in dB, 10 log10(loss). */
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

export interface EvalOptions {
  sampleRate?: number;
  /** Samples per loss block (default EVAL_BLOCK; a run's test split uses its own segment length). */
  block?: number;
}

export function evaluateCodec(codec: Codec, clips: EvalClip[], opts: EvalOptions = {}): EvalResult {
  const sampleRate = opts.sampleRate ?? 24000;
  const block = opts.block ?? EVAL_BLOCK;
  if (clips.length === 0) throw new Error('nothing to evaluate: no audio');
  let encodeSec = 0;
  let decodeSec = 0;
  const reconstructions = clips.map((c) => {
    const t0 = performance.now();
    const enc = codec.encode(c.audio);
    const t1 = performance.now();
    const y = codec.decode(enc);
    const t2 = performance.now();
    encodeSec += (t1 - t0) / 1000;
    decodeSec += (t2 - t1) / 1000;
    return Float32Array.from(y);
  });
  const seconds = clips.reduce((n, c) => n + c.audio.length, 0) / sampleRate;

  // Every loss on the same blocks, in its own small core (one block at a time).
  const core = KernelCore.create();
  const losses = LOSSES.map((l) => l.make(core, 1, block));
  const ref = core.allocF32(block);
  const est = core.allocF32(block);
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
  const byName = (f: (v: number) => number) =>
    blocks ? (Object.fromEntries(losses.map((l, k) => [l.name, f(sums[k] / blocks)])) as Record<LossName, number>) : null;

  const q = qualityMetrics(concatAudio(clips.map((c) => c.audio)), concatAudio(reconstructions), sampleRate);
  return {
    reconstructions,
    evaluation: {
      losses: byName((v) => v),
      lossesDb: byName(lossDb),
      ...q,
      bitrateKbps: presetInfo(codec.preset).bitrateKbps,
      encodeRtf: seconds / Math.max(encodeSec, 1e-9),
      decodeRtf: seconds / Math.max(decodeSec, 1e-9),
      seconds,
      clips: clips.length,
    },
  };
}
