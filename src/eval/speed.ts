// Encode and decode speed as a figure that can be trusted on a noisy machine: one untimed warm-up
// pass, then `repeats` timed passes over the same excerpt; the median is reported with its spread.
// A single timing of the same model varied 13x to 220x real time between runs here (other load,
// frequency scaling, the first pass compiling and allocating), so one pass says little.
import type { Codec } from '../nn/codec.js';

export interface SpeedFigures {
  /** Seconds of audio encoded (decoded) per second of compute, one thread: the median of the repeats. */
  encodeRtf: number;
  decodeRtf: number;
  /** The slowest and fastest repeat, same unit. */
  encodeRange: [number, number];
  decodeRange: [number, number];
  repeats: number;
  /** Seconds of audio in the timed excerpt. */
  seconds: number;
}

export const SPEED_REPEATS = 5;
/** At most this much audio is timed: enough for stable figures, little enough to cost about a second. */
export const SPEED_MAX_SECONDS = 10;

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Time `codec` on the first SPEED_MAX_SECONDS of `audio` (24 kHz). */
export function measureSpeed(codec: Codec, audio: Float32Array, sampleRate: number, repeats = SPEED_REPEATS): SpeedFigures {
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`measureSpeed: repeats must be a whole number >= 1, got ${repeats}`);
  const excerpt = audio.subarray(0, Math.min(audio.length, SPEED_MAX_SECONDS * sampleRate));
  const seconds = excerpt.length / sampleRate;
  codec.decode(codec.encode(excerpt));
  const enc: number[] = [];
  const dec: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const e = codec.encode(excerpt);
    const t1 = performance.now();
    codec.decode(e);
    const t2 = performance.now();
    enc.push(seconds / Math.max((t1 - t0) / 1000, 1e-9));
    dec.push(seconds / Math.max((t2 - t1) / 1000, 1e-9));
  }
  return {
    encodeRtf: median(enc),
    decodeRtf: median(dec),
    encodeRange: [Math.min(...enc), Math.max(...enc)],
    decodeRange: [Math.min(...dec), Math.max(...dec)],
    repeats,
    seconds,
  };
}
