// Phase reconstruction of audio of any length in bounded memory. Griffin-Lim's buffers live in the
// kernel core, which never frees, one set per signal length (about 18 bytes per sample and
// bin-frame, 4.7 MB at the longest), so code that rebuilds clips of many lengths must not make one
// per length: a clip is cut into overlapping chunks of the longest of SYNTHESIS_LENGTHS, a chunk
// shorter than that runs at the next of these lengths and is cut back, and successive chunks are
// crossfaded. Used by Setup B decoding (src/nn/spectrogram-output.ts) and the oracle (./oracle.ts).

/** The signal lengths a chunk is synthesised at: a small, fixed set of workspaces per core. */
export const SYNTHESIS_LENGTHS = [1024, 2048, 4096, 8192, 16384, 32768, 65536] as const;
/**
 * Samples by which successive chunks overlap, crossfaded linearly. Each chunk finds its own phase,
 * so where chunks meet two estimates of the same magnitude are mixed; 16 frames of overlap keep that
 * transition smooth (it is at most a short blur every 2.6 s, not a click).
 */
export const SYNTHESIS_OVERLAP = 4096;

/**
 * Makes the audio of one chunk: the `n` samples from `start` on, synthesised as a signal of
 * `glLength` samples (one of SYNTHESIS_LENGTHS, >= n); only its first `n` samples are used.
 * `start` is always a multiple of 256 (the losses' hop), so a chunk starts on a frame.
 */
export type ChunkSynth = (start: number, n: number, glLength: number) => Float32Array;

/** `length` samples built chunk by chunk by `synth`, crossfaded where chunks overlap. */
export function synthesizeInChunks(length: number, synth: ChunkSynth): Float32Array {
  const out = new Float32Array(length);
  const block = SYNTHESIS_LENGTHS[SYNTHESIS_LENGTHS.length - 1];
  const step = block - SYNTHESIS_OVERLAP;
  for (let start = 0; start < length; start += step) {
    const n = Math.min(block, length - start);
    const glLength = SYNTHESIS_LENGTHS.find((b) => b >= n)!;
    const audio = synth(start, n, glLength);
    // The previous chunk ran to start + SYNTHESIS_OVERLAP: fade from it to this one.
    const fade = start > 0 ? SYNTHESIS_OVERLAP : 0;
    for (let i = 0; i < n; i++) {
      const w = i < fade ? (i + 0.5) / fade : 1;
      out[start + i] = out[start + i] * (1 - w) + audio[i] * w;
    }
    if (start + n >= length) break;
  }
  return out;
}
