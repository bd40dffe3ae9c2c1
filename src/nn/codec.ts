// Inference: audio of any length in, codes out, audio back. Long audio is cut into windows that
// overlap by a margin wider than the network's receptive field, so the result equals one pass
// over the whole clip while memory stays bounded.
import { KernelCore } from '../kernels/core.js';
import { allocParams, CodecGraph, fromCodes, paramLayout, toCodes, type ParamStore } from './model.js';
import type { Preset, SpectrogramOutput } from './presets.js';
import { predictionToAudio } from './spectrogram-output.js';

/** Latent frames of context on each side of a window: 32 x 64 samples, well past the ~7 frames the network sees. */
const CONTEXT_FRAMES = 32;
/** Latent frames per window (window = 512 frames = 32768 samples, ~1.4 s at 24 kHz). */
const WINDOW_FRAMES = 512;
/**
 * The lengths (latent frames) a codec builds graphs for. A clip shorter than a window runs in the
 * smallest of these that holds it, zero-padded after its end, so a codec holds at most this many
 * graphs per half whatever lengths it is given (a graph per length grew without bound: the kernel
 * core never frees). Training segments (4096, 8192 samples) fill theirs exactly; another short
 * length differs from a pass of its own length only in its last few frames, where the padding sits
 * inside the receptive field (as zeros after the end of a clip: silence).
 */
export const GRAPH_FRAMES = [16, 32, 64, 128, 256, WINDOW_FRAMES + 2 * CONTEXT_FRAMES] as const;

export interface Encoded {
  /** Codes [latent, frames], row-major, each in 0 .. 2^bits - 1. */
  codes: Uint8Array;
  frames: number;
  latent: number;
  bits: number;
  /** Audio samples the codes stand for (before padding to whole frames). */
  samples: number;
}

/**
 * One window of a pass: it reads input frames [from, from + graph length) and keeps output frames
 * [start, start + count) (skip = start - from frames into its output).
 */
export interface CodecWindow {
  start: number;
  count: number;
  from: number;
}

/** The windows of a pass over `frames` latent frames, and the length (frames) of the graph they run in. */
export interface WindowPlan {
  graphFrames: number;
  windows: CodecWindow[];
}

export function windowPlan(frames: number): WindowPlan {
  const win = GRAPH_FRAMES.find((n) => n >= frames) ?? GRAPH_FRAMES[GRAPH_FRAMES.length - 1];
  const step = win >= frames ? frames : WINDOW_FRAMES;
  const windows: CodecWindow[] = [];
  for (let start = 0; start < frames; start += step) {
    // Shift the window to keep it inside the signal: its edges are then real edges or far enough away.
    windows.push({ start, count: Math.min(step, frames - start), from: Math.max(0, Math.min(start - CONTEXT_FRAMES, frames - win)) });
  }
  return { graphFrames: win, windows };
}

/**
 * Windows per kernel call when a pass has several (the graph's batch). Measured on `small` and `tiny`
 * (10 s clips, 2 cores): 1, 2 and 4 windows per call ran within the machine's noise of each other
 * (the kernels loop over the batch; a window of 576 frames is already long enough that a call's fixed
 * cost is under 1%), while each extra window costs a whole window graph of memory (~100 MB for
 * `small`). So one, unless asked.
 */
export const DEFAULT_BATCH = 1;

export interface CodecOptions {
  /** Windows per kernel call in a pass of several windows (default DEFAULT_BATCH). The output does not depend on it. */
  batch?: number;
}

const size = (t: { B: number; C: number; T: number }) => t.B * t.C * t.T;

/** A view of `total` elements split into `slots` equal rows: slot b's row. */
const slot = <A extends Float32Array>(a: A, slots: number, b: number): A => {
  const n = a.length / slots;
  return a.subarray(b * n, (b + 1) * n) as A;
};

export class Codec {
  readonly core: KernelCore;
  readonly store: ParamStore;
  readonly batch: number;
  private graphs = new Map<string, CodecGraph>();

  constructor(readonly preset: Preset, params: Float32Array, core?: KernelCore, opts: CodecOptions = {}) {
    this.core = core ?? KernelCore.create();
    this.batch = opts.batch ?? DEFAULT_BATCH;
    if (!Number.isInteger(this.batch) || this.batch < 1) throw new RangeError(`Codec: batch must be a whole number >= 1, got ${this.batch}`);
    const layout = paramLayout(preset);
    if (params.length !== layout.total) throw new Error(`expected ${layout.total} parameters, got ${params.length}`);
    this.store = allocParams(this.core, layout, false);
    this.core.f32(this.store.params, layout.total).set(params);
  }

  /** Put another set of weights of the same preset in place: one codec (and its graphs) serves many runs. */
  loadParams(params: Float32Array): void {
    if (params.length !== this.store.layout.total) throw new Error(`expected ${this.store.layout.total} parameters, got ${params.length}`);
    this.core.f32(this.store.params, this.store.layout.total).set(params);
  }

  /** The weights now in place (a copy). */
  params(): Float32Array {
    return Float32Array.from(this.core.f32(this.store.params, this.store.layout.total));
  }

  private graph(part: 'encoder' | 'decoder', frames: number, B: number): CodecGraph {
    const key = `${part}:${frames}:${B}`;
    let g = this.graphs.get(key);
    if (!g) {
      g = new CodecGraph(this.store, this.preset, { B, T: frames * this.preset.hop, training: false, part });
      this.graphs.set(key, g);
    }
    return g;
  }

  /**
   * Run `part` over windows [first, last) of `plan`, `batch` windows per graph call (only a plan of
   * several windows is batched: a short clip's one window runs alone). `load(g, b, w)` fills batch
   * slot b of the input with window w's frames (zeros after the signal's end); `store(g, b, w)` takes
   * window w's kept frames from slot b of the output. Slots a last, partial group leaves empty are
   * zeroed (their output is ignored).
   */
  private runWindows(
    part: 'encoder' | 'decoder',
    plan: WindowPlan,
    first: number,
    last: number,
    load: (g: CodecGraph, b: number, w: CodecWindow) => void,
    store: (g: CodecGraph, b: number, w: CodecWindow) => void,
  ): void {
    // The batch depends on the plan only, so every share of a pass (src/nn/codec-threads.ts) uses one graph.
    const B = Math.min(this.batch, plan.windows.length);
    const g = this.graph(part, plan.graphFrames, B);
    for (let i = first; i < last; i += B) {
      const n = Math.min(B, last - i);
      for (let b = 0; b < B; b++) {
        if (b < n) load(g, b, plan.windows[i + b]);
        else slot(this.core.f32(g.input.ptr, size(g.input)), B, b).fill(0);
      }
      g.forward();
      for (let b = 0; b < n; b++) store(g, b, plan.windows[i + b]);
    }
  }

  /** Latent frames per decoder output frame: 1, or 4 in Setup B (one spectrogram frame per 256 samples). */
  private get framesPerOutput(): number {
    return (this.preset.spectrogram?.hop ?? this.preset.hop) / this.preset.hop;
  }

  /** Latent frames the codes of `samples` samples of audio span: whole decoder output frames (Setup B pads to a multiple of 256 samples). */
  encodedFrames(samples: number): number {
    const per = this.framesPerOutput;
    return per * Math.max(1, Math.ceil(samples / (this.preset.hop * per)));
  }

  encode(audio: Float32Array): Encoded {
    const { latent, bits } = this.preset;
    const frames = this.encodedFrames(audio.length);
    const codes = new Uint8Array(latent * frames);
    const plan = windowPlan(frames);
    this.encodeWindows(audio, codes, plan, 0, plan.windows.length);
    return { codes, frames, latent, bits, samples: audio.length };
  }

  /** The codes of windows [first, last) of `plan` (a pass over all of `audio`) into `codes` [latent, frames]. */
  encodeWindows(audio: Float32Array, codes: Uint8Array, plan: WindowPlan, first: number, last: number): void {
    const { hop, latent, bits } = this.preset;
    const frames = codes.length / latent;
    const win = plan.graphFrames;
    const row = new Uint8Array(win);
    this.runWindows(
      'encoder',
      plan,
      first,
      last,
      (g, b, w) => {
        const x = slot(this.core.f32(g.input.ptr, size(g.input)), g.input.B, b);
        x.fill(0);
        const end = Math.min(audio.length, (w.from + win) * hop);
        if (end > w.from * hop) x.set(audio.subarray(w.from * hop, end));
      },
      (g, b, w) => {
        const lat = slot(this.core.f32(g.latent.ptr, size(g.latent)), g.latent.B, b);
        const skip = w.start - w.from;
        const out = row.subarray(0, w.count);
        for (let c = 0; c < latent; c++) {
          toCodes(lat.subarray(c * win + skip, c * win + skip + w.count), bits, out);
          codes.set(out, c * frames + w.start);
        }
      },
    );
  }

  /** Put the codes of window w (zeros after the codes' end) into batch slot b of a decoder graph. */
  private loadCodes(g: CodecGraph, b: number, codes: Uint8Array, frames: number, w: CodecWindow): void {
    const { latent, bits } = this.preset;
    const win = g.input.T;
    const z = slot(this.core.f32(g.input.ptr, size(g.input)), g.input.B, b);
    z.fill(0);
    const end = Math.min(frames, w.from + win);
    for (let c = 0; c < latent; c++) fromCodes(codes.subarray(c * frames + w.from, c * frames + end), bits, z.subarray(c * win, c * win + end - w.from));
  }

  /** Values per decoder output frame, and latent frames per output frame: what decodeWindows writes. */
  get decoderOutput(): { channels: number; framesPer: number } {
    return { channels: this.preset.spectrogram?.bins ?? this.preset.hop, framesPer: this.framesPerOutput };
  }

  /**
   * Decoder windows [first, last) of `plan` (a pass over decodedFrames of the `frames` frames of
   * `codes` [latent, frames]) into `out`. Setup A: the audio, frames x hop samples. Setup B: the
   * spectrogram prediction [bins, ceil(frames / 4)].
   */
  decodeWindows(codes: Uint8Array, frames: number, out: Float32Array, plan: WindowPlan, first: number, last: number): void {
    const spec = this.preset.spectrogram;
    const { hop } = this.preset;
    const per = this.framesPerOutput;
    const outFrames = Math.ceil(frames / per);
    this.runWindows(
      'decoder',
      plan,
      first,
      last,
      (g, b, w) => this.loadCodes(g, b, codes, frames, w),
      (g, b, w) => {
        const y = slot(this.core.f32(g.output.ptr, size(g.output)), g.output.B, b);
        const skip = w.start - w.from;
        if (!spec) {
          out.set(y.subarray(skip * hop, (skip + w.count) * hop), w.start * hop);
          return;
        }
        // Windows and their context are whole spectrogram frames: every window length and step is a multiple of 4 latent frames.
        const win = g.output.T;
        const [s0, n, k0] = [w.start / per, w.count / per, skip / per];
        for (let c = 0; c < spec.bins; c++) out.set(y.subarray(c * win + k0, c * win + k0 + n), c * outFrames + s0);
      },
    );
  }

  /** Latent frames a decoder pass over `enc` runs: whole spectrogram frames in Setup B. */
  decodedFrames(enc: Pick<Encoded, 'frames'>): number {
    const per = this.framesPerOutput;
    return per * Math.ceil(enc.frames / per);
  }

  decode(enc: Encoded): Float32Array {
    const frames = this.decodedFrames(enc);
    const { channels, framesPer } = this.decoderOutput;
    const out = new Float32Array((channels * frames) / framesPer);
    const plan = windowPlan(frames);
    // Setup B's codes cover whole spectrogram frames already (encode pads them so).
    this.decodeWindows(enc.codes, enc.frames, out, plan, 0, plan.windows.length);
    return this.finishDecode(enc, out, frames);
  }

  /**
   * The decoder's output as audio of the encoded length. Setup B: Griffin-Lim over the whole
   * prediction (in long overlapping chunks, src/nn/spectrogram-output.ts), not window by window, so
   * the phase runs on across the decoder's window boundaries.
   */
  finishDecode(enc: Encoded, out: Float32Array, frames: number): Float32Array {
    const spec = this.preset.spectrogram;
    if (!spec) return out.subarray(0, enc.samples);
    return predictionToAudio(this.core, spec, out, frames / this.framesPerOutput, enc.samples);
  }

  /** decode(encode(audio)), the same length as the input. */
  reconstruct(audio: Float32Array): Float32Array {
    return this.decode(this.encode(audio));
  }
}
