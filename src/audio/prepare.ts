// From decoded file to what the codec trains on: mono, 24 kHz, optionally peak-normalised.
import { AudioError } from './errors.js';
import { resample, type ResampleQuality } from './resample.js';
import type { DecodedWav } from './wav-read.js';

export { resample, type ResampleQuality } from './resample.js';

/** The rate every model works at (reference-model.md), written once in src/common/model-rate.ts. */
import { MODEL_RATE } from '../common/model-rate.js';
export { MODEL_RATE };

/**
 * The average of the channels (equal weights, so a centred source keeps its level). Each frame is
 * summed in a double and divided once: summed in float32, two finite samples of 3e38 overflowed to
 * Infinity (and the next step to NaN). The average of finite float32 values is always finite.
 */
export function mixToMono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) throw new AudioError('INVALID_CHANNELS', 'no channels to mix');
  if (channels.length === 1) return Float32Array.from(channels[0]);
  const n = channels[0].length;
  const count = channels.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < count; c++) sum += channels[c][i];
    out[i] = sum / count;
  }
  return out;
}

/** Level in dBFS of the peak sample; -Infinity for silence. */
export function peakDbfs(x: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  return 20 * Math.log10(peak);
}

/**
 * Scale so the peak sits at `targetDbfs`. Digital silence has no peak to scale and is returned as
 * it is (gain 0 dB) rather than turned into NaN by a division by zero.
 */
export function normalizePeak(x: Float32Array, targetDbfs = -1): { audio: Float32Array; gainDb: number } {
  const peak = peakDbfs(x);
  if (!Number.isFinite(peak)) return { audio: Float32Array.from(x), gainDb: 0 };
  const gainDb = targetDbfs - peak;
  const g = 10 ** (gainDb / 20);
  const audio = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) audio[i] = x[i] * g;
  return { audio, gainDb };
}

export interface PrepareOptions {
  /** Peak-normalise to this level in dBFS (true: -1 dBFS). Off by default: level is part of the music. */
  normalize?: boolean | number;
  quality?: ResampleQuality;
}

export interface PreparedAudio {
  /** Mono at MODEL_RATE: what the codec sees. */
  mono: Float32Array;
  sampleRate: typeof MODEL_RATE;
  /** The file's own channels at its own rate, kept for display. */
  channels: Float32Array[];
  sourceRate: number;
  gainDb: number;
}

export async function prepareAudio(wav: Pick<DecodedWav, 'samples' | 'sampleRate'>, opts: PrepareOptions = {}): Promise<PreparedAudio> {
  let mono = await resample(mixToMono(wav.samples), wav.sampleRate, MODEL_RATE, opts.quality);
  let gainDb = 0;
  if (opts.normalize !== undefined && opts.normalize !== false) {
    ({ audio: mono, gainDb } = normalizePeak(mono, opts.normalize === true ? -1 : opts.normalize));
  }
  return { mono, sampleRate: MODEL_RATE, channels: wav.samples, sourceRate: wav.sampleRate, gainDb };
}
