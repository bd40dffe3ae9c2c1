// From decoded file to what the codec trains on: mono, 24 kHz, optionally peak-normalised.
import lsr from '@alexanderolsen/libsamplerate-js';
import { AudioError } from './errors.js';
import type { DecodedWav } from './wav-read.js';

/** The rate every model works at (reference-model.md). */
export const MODEL_RATE = 24000;

/** libsamplerate-js accepts input and output rates up to this. */
export const MAX_RESAMPLE_RATE = 192000;

/**
 * libsamplerate's medium sinc converter: measured on a 44.1 kHz -> 24 kHz conversion it is flat to
 * 0.001 dB up to 10 kHz (-0.28 dB at 10.5 kHz), rejects tones above 12 kHz by more than 120 dB, and
 * converts 10 s of audio in about 0.2 s. The best-quality converter buys only the band from 10.8 to
 * 11.6 kHz for 3.5x the time; wavefile's sinc resampler lets 13 kHz through at -81 dB and is 4x slower.
 */
export type ResampleQuality = 'best' | 'medium' | 'fastest';
const CONVERTER: Record<ResampleQuality, (typeof lsr.ConverterType)[keyof typeof lsr.ConverterType]> = {
  best: lsr.ConverterType.SRC_SINC_BEST_QUALITY,
  medium: lsr.ConverterType.SRC_SINC_MEDIUM_QUALITY,
  fastest: lsr.ConverterType.SRC_SINC_FASTEST,
};

/** The average of the channels (equal weights, so a centred source keeps its level). */
export function mixToMono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) throw new AudioError('INVALID_CHANNELS', 'no channels to mix');
  if (channels.length === 1) return Float32Array.from(channels[0]);
  const n = channels[0].length;
  const out = new Float32Array(n);
  for (const ch of channels) for (let i = 0; i < n; i++) out[i] += ch[i];
  const w = 1 / channels.length;
  for (let i = 0; i < n; i++) out[i] *= w;
  return out;
}

/** Band-limited sample-rate conversion of one channel (anti-aliased: nothing above the new Nyquist survives). */
export async function resample(x: Float32Array, fromRate: number, toRate: number, quality: ResampleQuality = 'medium'): Promise<Float32Array> {
  for (const r of [fromRate, toRate]) {
    if (!(r >= 1 && r <= MAX_RESAMPLE_RATE)) {
      throw new AudioError('UNSUPPORTED_SAMPLE_RATE', `cannot resample from ${fromRate} Hz: rates from 1 Hz to ${MAX_RESAMPLE_RATE} Hz are supported`);
    }
  }
  if (fromRate === toRate) return Float32Array.from(x);
  const src = await lsr.create(1, fromRate, toRate, { converterType: CONVERTER[quality] });
  try {
    return src.simple(x);
  } finally {
    src.destroy();
  }
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
