// Scoring a model on audio: the loss in every output space (one row of the cross-evaluation
// matrix), objective quality metrics, bit rate, and encode/decode speed.
import type { KernelCore } from '../kernels/core.js';
import type { Codec } from '../nn/codec.js';
import { ParallelCodec } from '../nn/parallel-codec.js';
import { presetInfo } from '../nn/presets.js';
import { lossInDb, type LossName } from '../losses/index.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { qualityMetrics } from './metrics.js';
import { concatAudio, lossesOnBlocks } from './yardstick.js';
import { measureSpeed, SPEED_MAX_SECONDS, type SpeedFigures } from './speed.js';
import { countCodes, emptyUsage, entropyKbps, type CodeUsage } from './code-usage.js';

/** The clips joined, up to `samples` (what the speed is timed on: short test segments are too short alone). */
function firstSeconds(clips: readonly EvalClip[], samples: number): Float32Array {
  const parts: Float32Array[] = [];
  let n = 0;
  for (const c of clips) {
    if (n >= samples) break;
    parts.push(c.audio.subarray(0, samples - n));
    n += parts.at(-1)!.length;
  }
  return concatAudio(parts);
}

export { concatAudio } from './yardstick.js';

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
  /** Log-spectral distance in log10 power units (1 = 10 dB); see src/eval/metrics.ts. */
  lsd: number;
  mcdDb: number;
  /** Nominal bit rate: frame rate x latent channels x bits (every code sent as its full bits). */
  bitrateKbps: number;
  /**
   * Entropy-coded bit rate on the audio scored: frame rate x the sum over latent channels of each
   * channel's first-order code entropy (src/eval/code-usage.ts); at most bitrateKbps. Absent in
   * evaluations made before it existed (older runs' metrics.json).
   */
  entropyKbps?: number;
  /** How often each latent channel used each code level on that audio (absent in older evaluations). */
  codeUsage?: CodeUsage;
  /** Seconds of audio encoded (decoded) per second of compute, one thread: the median of `speed.repeats` timings. */
  encodeRtf: number;
  decodeRtf: number;
  /** How the speeds were timed, and their spread. They depend on the machine and its load. */
  speed: SpeedFigures;
  seconds: number;
  clips: number;
}

export interface EvalResult {
  evaluation: Evaluation;
  reconstructions: Float32Array[];
}

/** A codec's output on some audio, and what making it cost. */
export interface Inference {
  /** One per input, the same length as it. */
  reconstructions: Float32Array[];
  /** Seconds spent encoding, and decoding, all of them. */
  encodeSec: number;
  decodeSec: number;
  /** The codes the encoder gave, counted per channel and level (the frames that cover the audio). */
  codeUsage: CodeUsage;
}

/** What runs a codec over audio: a Codec, or a ParallelCodec spreading its windows over threads (the same output). */
export type InferenceCodec = Pick<Codec, 'preset' | 'encode' | 'decode'>;

/**
 * Encode and decode each of `audio`, timing the two halves apart. `accept` sees each reconstruction
 * as it is made; the first it refuses ends the pass (null), so a check costs no more than it must.
 */
export function runCodec(codec: InferenceCodec, audio: readonly Float32Array[]): Inference;
export function runCodec(codec: InferenceCodec, audio: readonly Float32Array[], accept: (y: Float32Array) => boolean): Inference | null;
export function runCodec(codec: InferenceCodec, audio: readonly Float32Array[], accept: (y: Float32Array) => boolean = () => true): Inference | null {
  const { latent, bits, hop } = codec.preset;
  const run: Inference = { reconstructions: [], encodeSec: 0, decodeSec: 0, codeUsage: emptyUsage(latent, bits) };
  for (const x of audio) {
    const t0 = performance.now();
    const enc = codec.encode(x);
    const t1 = performance.now();
    // A fresh array of the input's length (decode allocates its output on every call).
    const y = codec.decode(enc);
    const t2 = performance.now();
    run.encodeSec += (t1 - t0) / 1000;
    run.decodeSec += (t2 - t1) / 1000;
    countCodes(run.codeUsage, enc, Math.ceil(x.length / hop));
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
  /**
   * Time the codec on its own (a warm-up and SPEED_REPEATS timed passes over the first 10 s of the
   * clips, joined) for its speed figures; default true. False takes the one timing of the pass that
   * made the reconstructions (repeats 1), and runs nothing more.
   */
  timeSpeed?: boolean;
}

/**
 * Score `codec` on `clips`. A ParallelCodec makes the reconstructions on its threads; the speed
 * figures are still timed on one thread (its own Codec), so they compare across runs and machines.
 */
export function evaluateCodec(codec: Codec | ParallelCodec, clips: EvalClip[], opts: EvalOptions = {}): EvalResult {
  const single = codec instanceof ParallelCodec ? codec.codec : codec;
  const sampleRate = opts.sampleRate ?? MODEL_RATE;
  const block = opts.block ?? EVAL_BLOCK;
  if (clips.length === 0) throw new Error('nothing to evaluate: no audio');
  const run = opts.inference ?? runCodec(codec, clips.map((c) => c.audio));
  const { reconstructions } = run;
  if (reconstructions.length !== clips.length || reconstructions.some((y, i) => y.length !== clips[i].audio.length)) {
    throw new Error(`the reconstructions given (${reconstructions.length}) do not match the ${clips.length} clips`);
  }
  const seconds = clips.reduce((n, c) => n + c.audio.length, 0) / sampleRate;

  const once = (sec: number) => seconds / Math.max(sec, 1e-9);
  const speed: SpeedFigures =
    opts.timeSpeed === false
      ? { encodeRtf: once(run.encodeSec), decodeRtf: once(run.decodeSec), encodeRange: [once(run.encodeSec), once(run.encodeSec)], decodeRange: [once(run.decodeSec), once(run.decodeSec)], repeats: 1, seconds }
      : measureSpeed(single, firstSeconds(clips, SPEED_MAX_SECONDS * sampleRate), sampleRate);

  // Every loss on the same blocks, one block at a time.
  const losses = lossesOnBlocks(opts.core ?? single.core, clips.map((c) => c.audio), reconstructions, block);
  const info = presetInfo(codec.preset);
  const q = qualityMetrics(concatAudio(clips.map((c) => c.audio)), concatAudio(reconstructions), sampleRate);
  return {
    reconstructions,
    evaluation: {
      losses,
      lossesDb: losses && (Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, lossInDb(k as LossName, v)])) as Record<LossName, number>),
      ...q,
      bitrateKbps: info.bitrateKbps,
      entropyKbps: entropyKbps(run.codeUsage, info.frameRateHz),
      codeUsage: run.codeUsage,
      encodeRtf: speed.encodeRtf,
      decodeRtf: speed.decodeRtf,
      speed,
      seconds,
      clips: clips.length,
    },
  };
}
