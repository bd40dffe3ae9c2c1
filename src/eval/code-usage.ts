// What the bits really carry: how often each latent channel uses each of its 2^bits codes, and the
// entropy of those codes. The nominal bit rate sends every code as its full `bits`; a code that
// some levels rarely take carries less, and an entropy coder could send it in fewer bits.
//
// The entropy here is first-order (memoryless): H = -sum_k p_k log2 p_k over each channel's
// empirical code distribution, as if every code were drawn independently of the codes before it and
// of the other channels. It is the rate an entropy coder using no context approaches (and cannot
// beat) with these code frequencies, so it is an upper bound on what a coder using context (the
// codes before, the other channels) could reach. It is measured on the audio given: in a run's
// final evaluation and in `codec-lab eval` without files, the run's test split.
import type { Encoded } from '../nn/codec.js';

/** Per latent channel, how many codes took each level (0 .. 2^bits - 1). */
export interface CodeUsage {
  bits: number;
  /** [channel][level] counts. */
  counts: number[][];
}

export function emptyUsage(latent: number, bits: number): CodeUsage {
  return { bits, counts: Array.from({ length: latent }, () => new Array<number>(2 ** bits).fill(0)) };
}

/**
 * Add the codes of `enc`'s first `frames` frames (default all; the frames after the audio's end,
 * which code the padding, are better left out) to `usage`, every channel.
 */
export function countCodes(usage: CodeUsage, enc: Encoded, frames = enc.frames): void {
  if (enc.latent !== usage.counts.length || enc.bits !== usage.bits) {
    throw new Error(`codes of ${enc.latent} channels x ${enc.bits} bits do not fit a count of ${usage.counts.length} x ${usage.bits}`);
  }
  for (let c = 0; c < enc.latent; c++) {
    const row = usage.counts[c];
    const codes = enc.codes.subarray(c * enc.frames, c * enc.frames + Math.min(frames, enc.frames));
    for (let i = 0; i < codes.length; i++) row[codes[i]]++;
  }
}

/** Shannon entropy in bits of the empirical distribution `counts` (0 when nothing was counted). */
export function entropyBits(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let h = 0;
  for (const n of counts) if (n > 0) h -= (n / total) * Math.log2(n / total);
  return h;
}

/**
 * The entropy-coded bit rate in kbit/s: frame rate x the sum over channels of H_c, each channel
 * coded apart from the others (first-order, see above). At most the nominal rate, frame rate x
 * channels x bits, which it equals when every level of every channel is equally used.
 */
export function entropyKbps(usage: CodeUsage, frameRateHz: number): number {
  return (frameRateHz * usage.counts.reduce((sum, row) => sum + entropyBits(row), 0)) / 1000;
}
