// A whole signal taken into a loss space frame by frame, with the losses' own chain of stages
// (src/losses/spaces.ts: |STFT|, mel filterbank, dB), so a view shows exactly what a loss compares.
//
// The chain is built once per kernel core for a fixed chunk of CHUNK_HOPS hops: the core never frees
// memory, so a chain sized to each clip would leak a clip's worth of spectra per view. A clip of any
// length goes through that chunk a piece at a time. The losses' STFT centres its frames on a signal
// padded by n_fft/2 on each side by reflection; here that padding is made once for the whole signal
// (by the kernel core's own reflectPad, applied to its two ends), and each chunk is a piece of the
// padded signal. The chain pads each chunk again, but only the frames whose window lies wholly inside
// the chunk are kept, and those are exactly the whole signal's frames (tests/views checks them
// against the losses on a whole block).
import type { KernelCore } from '../kernels/core.js';
import { perCore } from '../kernels/per-core.js';
import { centeredFrameCount, reflectPad } from '../kernels/fft.js';
import { SPACES, STFT_HOP, STFT_N_FFT } from '../losses/spaces.js';
import { composeStages, type Ptr, type Space } from '../losses/transform.js';
import { MODEL_RATE } from '../audio/prepare.js';
import type { ViewSpace } from '../common/view-spaces.js';

/** Hops per chunk: 32768 samples (1.4 s), of which all but 3 frames' worth are kept each time. */
const CHUNK_HOPS = 128;

/** An error a view ends with, with a stable code the doors map (NOT_ENOUGH_AUDIO: 422). */
export class ViewError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ViewError';
  }
}

interface Chain {
  space: Space;
  /** Values per frame: STFT bins or mel bands. */
  width: number;
  /** The chunk the chain reads, CHUNK_HOPS hops of the padded signal. */
  input: Ptr;
  /** One end of a signal and that end reflect-padded, for the whole signal's padding. */
  edgeIn: Ptr;
  edgeOut: Ptr;
}

const chainFor = perCore((core, space: ViewSpace): Chain => {
  const samples = CHUNK_HOPS * STFT_HOP;
  const built = composeStages(core, SPACES[space], { rows: 1, width: samples }, false);
  return {
    space: built,
    width: built.size / centeredFrameCount(samples, STFT_HOP),
    input: core.allocF32(samples),
    edgeIn: core.allocF32(STFT_N_FFT),
    edgeOut: core.allocF32(2 * STFT_N_FFT),
  };
});

/** Frames of a signal of `samples` samples, as the losses' centred STFT makes them. */
export const framesOf = (samples: number): number => centeredFrameCount(samples, STFT_HOP);

/** Values per frame in `space` (513 bins, 64 bands). */
export const widthOf = (core: KernelCore, space: ViewSpace): number => chainFor(core, space).width;

/**
 * Calls `visit(frame, values)` for every frame of `x` in `space`, in order. `values` is a view into
 * the core's memory, valid only during the call.
 */
export function forEachFrame(core: KernelCore, space: ViewSpace, x: Float32Array, visit: (frame: number, values: Float32Array) => void): void {
  const pad = STFT_N_FFT / 2;
  const T = x.length;
  if (T <= pad) throw new ViewError('NOT_ENOUGH_AUDIO', `a view needs more than ${pad} samples (${((1000 * pad) / MODEL_RATE).toFixed(0)} ms at ${MODEL_RATE / 1000} kHz), got ${T}`);
  const chain = chainFor(core, space);
  const { head, tail } = paddedEnds(core, chain, x, pad);
  const chunk = CHUNK_HOPS * STFT_HOP;
  const frames = framesOf(T);
  // Chunk frame j covers chunk samples [j hop - pad, j hop + pad): inside the chunk for lead <= j <= CHUNK_HOPS - lead.
  const lead = pad / STFT_HOP;
  const keep = CHUNK_HOPS - 2 * lead + 1;
  for (let first = 0; first < frames; first += keep) {
    const input = core.f32(chain.input, chunk);
    copyPadded(input, first * STFT_HOP, x, head, tail);
    const out = chain.space.forward(chain.input);
    const values = core.f32(out, chain.space.size);
    for (let j = lead; j <= CHUNK_HOPS - lead && first + j - lead < frames; j++) {
      visit(first + j - lead, values.subarray(j * chain.width, (j + 1) * chain.width));
    }
  }
}

/** The n_fft/2 samples the STFT's reflect padding puts before and after `x`, by the core's reflectPad. */
function paddedEnds(core: KernelCore, chain: Chain, x: Float32Array, pad: number): { head: Float32Array; tail: Float32Array } {
  const m = Math.min(x.length, STFT_N_FFT);
  core.f32(chain.edgeIn, m).set(x.subarray(0, m));
  reflectPad(core, chain.edgeIn, 1, m, pad, chain.edgeOut);
  const head = core.f32(chain.edgeOut, pad).slice();
  core.f32(chain.edgeIn, m).set(x.subarray(x.length - m));
  reflectPad(core, chain.edgeIn, 1, m, pad, chain.edgeOut);
  const tail = core.f32(chain.edgeOut + 4 * (m + pad), pad).slice();
  return { head, tail };
}

/** dst = padded[start .. start + dst.length), padded = head ++ x ++ tail, zeros past its end. */
function copyPadded(dst: Float32Array, start: number, x: Float32Array, head: Float32Array, tail: Float32Array): void {
  dst.fill(0);
  const pieces: [Float32Array, number][] = [[head, 0], [x, head.length], [tail, head.length + x.length]];
  for (const [piece, at] of pieces) {
    const from = Math.max(start, at);
    const to = Math.min(start + dst.length, at + piece.length);
    if (to > from) dst.set(piece.subarray(from - at, to - at), from - start);
  }
}
