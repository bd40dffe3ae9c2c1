// Band-limited sample-rate conversion with libsamplerate (libsamplerate-js, its WebAssembly build).
//
// What the library does at its edges, found by experiment (libsamplerate-js 2.1.2):
// - libsamplerate converts ratios (output rate / input rate) from 1/256 to 256. Outside, the wrapper
//   returns the C error code (6) as if it were a sample count: 6 samples of garbage, no error. From
//   a 24 kHz target that is any input below 93.75 Hz.
// - The wrapper refuses rates above 192 kHz (it throws a string), yet only their ratio reaches the
//   converter: 48000 -> 24000 and 2 -> 1 give bit-identical output. So both rates are divided by
//   their greatest common divisor first, and 384 or 768 kHz convert as 16:1 or 32:1.
// - Calls longer than its transfer buffer (1,008,000 samples) go to its own chunking, which drops
//   the converter's last samples (45 at 44.1 kHz, 11,279 at 100 Hz: the output was short) and
//   throws a RangeError for rates not divisible by 10. So the signal is fed here in pieces that fit,
//   then zeros until the converter has given every sample: the same samples as its one-call output.
// - Its sinc filter overshoots a sharp edge (Gibbs, about 9%), and its output is float32: a finite
//   input near the float32 maximum (3.4e38) came out as Infinity. See HEADROOM below.
import lsr from '@alexanderolsen/libsamplerate-js';
import { AudioError } from './errors.js';

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

/** libsamplerate's SRC_MAX_RATIO: the largest factor it converts by, up or down. */
const MAX_RATIO = 256;
/** The largest rate libsamplerate-js accepts, after the rates are reduced to their ratio. */
const MAX_WRAPPER_RATE = 192000;
/** libsamplerate-js's transfer buffers, in samples; each call must fit in them, input and output. */
const WRAPPER_BUFFER = 1_008_000;

/**
 * Signals whose peak is above this (385 dB over full scale: no recording, only a float file holding
 * absurd values) are converted scaled down by it, an exact power of two, then scaled back, and the
 * few samples the filter's overshoot took past the float32 maximum are held at it. Below it the
 * overshoot cannot reach the float32 range, and the conversion is untouched.
 */
const HEADROOM = 2 ** 64;
const FLOAT32_MAX = 3.4028234663852886e38;

function peakOf(x: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  return peak;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The two rates as libsamplerate-js will take them (reduced), or UNSUPPORTED_SAMPLE_RATE. */
function converterRates(fromRate: number, toRate: number): { from: number; to: number } {
  const refuse = (why: string) =>
    new AudioError('UNSUPPORTED_SAMPLE_RATE', `cannot resample from ${fromRate} Hz to ${toRate} Hz: ${why}`);
  if (!(Number.isInteger(fromRate) && fromRate >= 1 && Number.isInteger(toRate) && toRate >= 1)) {
    throw refuse('rates must be whole numbers of hertz');
  }
  const ratio = toRate / fromRate;
  if (ratio > MAX_RATIO || ratio < 1 / MAX_RATIO) {
    throw refuse(`the converter changes the rate by a factor of at most ${MAX_RATIO} (from ${toRate} Hz: ${Math.ceil(toRate / MAX_RATIO)} Hz to ${toRate * MAX_RATIO} Hz)`);
  }
  const g = gcd(fromRate, toRate);
  const from = fromRate / g;
  const to = toRate / g;
  if (Math.max(from, to) > MAX_WRAPPER_RATE) throw refuse(`their ratio ${to}:${from} has terms above ${MAX_WRAPPER_RATE}`);
  return { from, to };
}

/** The length of the output: the number of samples whose duration is nearest the input's. */
function resampledLength(frames: number, fromRate: number, toRate: number): number {
  return Math.round((frames * toRate) / fromRate);
}

/**
 * Band-limited sample-rate conversion of one channel (anti-aliased: nothing above the new Nyquist
 * survives), `round(length * toRate / fromRate)` samples long. Finite input gives finite output.
 */
export async function resample(x: Float32Array, fromRate: number, toRate: number, quality: ResampleQuality = 'medium'): Promise<Float32Array> {
  const rates = converterRates(fromRate, toRate);
  if (fromRate === toRate) return Float32Array.from(x);
  if (peakOf(x) <= HEADROOM) return convert(x, rates, resampledLength(x.length, fromRate, toRate), quality);
  const y = await convert(Float32Array.from(x, (v) => v / HEADROOM), rates, resampledLength(x.length, fromRate, toRate), quality);
  for (let i = 0; i < y.length; i++) y[i] = Math.max(-FLOAT32_MAX, Math.min(FLOAT32_MAX, y[i] * HEADROOM));
  return y;
}

async function convert(x: Float32Array, rates: { from: number; to: number }, length: number, quality: ResampleQuality): Promise<Float32Array> {
  const out = new Float32Array(length);
  const stream = await ResampleStream.open(rates, out, quality);
  try {
    stream.push(x);
    stream.end();
    return out;
  } finally {
    stream.close();
  }
}

/**
 * A conversion fed one piece at a time into an output of known length (a file decoded and mixed a
 * chunk at a time, so the whole input is never held). The converter sees the same pieces as one call
 * of resample() with the whole input, so the output is the same, sample for sample.
 */
export class ResampleStream {
  private written = 0;
  /** Input waiting to fill a piece. */
  private pending: Float32Array;
  private fill = 0;

  private constructor(
    private readonly src: Awaited<ReturnType<typeof lsr.create>>,
    private readonly out: Float32Array,
    private readonly piece: number,
  ) {
    this.pending = new Float32Array(piece);
  }

  /**
   * A stream from `fromRate` into `out`, which it fills with `round(frames * toRate / fromRate)`
   * samples for `frames` input samples: its length says how many (UNSUPPORTED_SAMPLE_RATE for rates
   * the converter cannot take). Close it when done.
   */
  static async create(fromRate: number, toRate: number, out: Float32Array, quality: ResampleQuality = 'medium'): Promise<ResampleStream> {
    return ResampleStream.open(converterRates(fromRate, toRate), out, quality);
  }

  static async open(rates: { from: number; to: number }, out: Float32Array, quality: ResampleQuality): Promise<ResampleStream> {
    // Half the buffer: the converter also hands back samples it held from the previous piece.
    const piece = Math.max(1, Math.floor(WRAPPER_BUFFER / 2 / Math.max(1, rates.to / rates.from)));
    return new ResampleStream(await lsr.create(1, rates.from, rates.to, { converterType: CONVERTER[quality] }), out, piece);
  }

  push(x: Float32Array): void {
    for (let at = 0; at < x.length; ) {
      const n = Math.min(x.length - at, this.piece - this.fill);
      this.pending.set(x.subarray(at, at + n), this.fill);
      this.fill += n;
      at += n;
      if (this.fill === this.piece) this.convert(this.pending);
    }
  }

  /** The last piece, then zeros until every output sample is there. */
  end(): void {
    if (this.fill > 0) this.convert(this.pending.subarray(0, this.fill));
    // The converter holds back half its filter; zeros after the end push those samples out, as
    // libsamplerate's own end-of-input does.
    const zeros = new Float32Array(this.piece);
    for (let flushes = 0; this.written < this.out.length; flushes++) {
      if (flushes > MAX_RATIO) throw new Error(`the resampler stopped after ${this.written} of ${this.out.length} samples`);
      this.convert(zeros);
    }
  }

  close(): void {
    this.src.destroy();
  }

  private convert(x: Float32Array): void {
    this.fill = 0;
    if (this.written >= this.out.length) return;
    const y = this.src.full(x);
    const n = Math.min(y.length, this.out.length - this.written);
    this.out.set(y.subarray(0, n), this.written);
    this.written += n;
  }
}
