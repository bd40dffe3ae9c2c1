// Float samples to 16-bit steps, for a final export. TPDF dither (the sum of two independent uniform
// noises of one step each, a triangle two steps wide) is added before rounding: plain rounding makes
// the rounding error follow the signal, which a quiet passage or a fading tail turns into audible
// distortion and "grainy" truncation; TPDF makes the error noise independent of the signal, of
// constant power (about -101 dBFS), at the cost of that steady hiss. It is the usual choice for a
// file nobody will process further; float export is there for anyone who will.
import { Random } from '../util/random.js';

/** One 16-bit step, as encodeWav (src/audio/wav-write.ts) scales: sample = step / 32768. */
const STEP = 1 / 32768;
/** The largest and smallest 16-bit values, as floats. */
const TOP = 32767 * STEP;
const BOTTOM = -1;

/**
 * `x` clipped to [-1, 1], dithered and rounded to 16-bit steps (each output sample is an exact
 * multiple of 1/32768 within [-1, 32767/32768], so encodeWav's 16-bit writer writes it as it is),
 * and how many samples lay outside [-1, 1] and were clipped. The dither is seeded: the same audio
 * gives the same file, every time.
 */
export function ditherToPcm16(x: Float32Array, seed = 1): { samples: Float32Array; clipped: number } {
  const rng = new Random(seed);
  const out = new Float32Array(x.length);
  let clipped = 0;
  for (let i = 0; i < x.length; i++) {
    let v = x[i];
    if (v > 1 || v < -1) {
      clipped++;
      v = v > 1 ? 1 : -1;
    }
    const tpdf = rng.next() - rng.next();
    const q = Math.round(v * 32768 + tpdf) * STEP;
    out[i] = q > TOP ? TOP : q < BOTTOM ? BOTTOM : q;
  }
  return { samples: out, clipped };
}
