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

export class Codec {
  readonly core: KernelCore;
  readonly store: ParamStore;
  private graphs = new Map<string, CodecGraph>();

  constructor(readonly preset: Preset, params: Float32Array, core?: KernelCore) {
    this.core = core ?? KernelCore.create();
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

  private graph(part: 'encoder' | 'decoder', frames: number): CodecGraph {
    const key = `${part}:${frames}`;
    let g = this.graphs.get(key);
    if (!g) {
      g = new CodecGraph(this.store, this.preset, { B: 1, T: frames * this.preset.hop, training: false, part });
      this.graphs.set(key, g);
    }
    return g;
  }

  /**
   * Run `part` over `frames` latent frames of input, window by window. `load(g, start, count)` fills
   * a window's input with `count` frames from frame `start` on (zeros after them); `store(g, start,
   * count, skip)` takes `count` frames of output beginning `skip` frames into the window.
   */
  private windowed(
    part: 'encoder' | 'decoder',
    frames: number,
    load: (g: CodecGraph, start: number, count: number) => void,
    store: (g: CodecGraph, start: number, count: number, skip: number) => void,
  ): void {
    const win = GRAPH_FRAMES.find((n) => n >= frames) ?? GRAPH_FRAMES[GRAPH_FRAMES.length - 1];
    const g = this.graph(part, win);
    const step = win >= frames ? frames : WINDOW_FRAMES;
    for (let start = 0; start < frames; start += step) {
      const count = Math.min(step, frames - start);
      // Shift the window to keep it inside the signal: its edges are then real edges or far enough away.
      const from = Math.max(0, Math.min(start - CONTEXT_FRAMES, frames - win));
      load(g, from, Math.min(win, frames - from));
      g.forward();
      store(g, start, count, start - from);
    }
  }

  /** Latent frames per decoder output frame: 1, or 4 in Setup B (one spectrogram frame per 256 samples). */
  private get framesPerOutput(): number {
    return (this.preset.spectrogram?.hop ?? this.preset.hop) / this.preset.hop;
  }

  encode(audio: Float32Array): Encoded {
    const { hop, latent, bits } = this.preset;
    // Whole decoder output frames: in Setup B the audio is padded to a multiple of 256 samples.
    const per = this.framesPerOutput;
    const frames = per * Math.max(1, Math.ceil(audio.length / (hop * per)));
    const codes = new Uint8Array(latent * frames);
    this.windowed(
      'encoder',
      frames,
      (g, from, count) => {
        const x = this.core.f32(g.input.ptr, g.input.T);
        x.fill(0);
        const end = Math.min(audio.length, (from + count) * hop);
        if (end > from * hop) x.set(audio.subarray(from * hop, end));
      },
      (g, start, count, skip) => {
        const win = g.latent.T;
        const lat = this.core.f32(g.latent.ptr, latent * win);
        const row = new Uint8Array(count);
        for (let c = 0; c < latent; c++) {
          toCodes(lat.subarray(c * win + skip, c * win + skip + count), bits, row);
          codes.set(row, c * frames + start);
        }
      },
    );
    return { codes, frames, latent, bits, samples: audio.length };
  }

  /** Put `count` frames of codes from frame `from` on into a decoder window (zeros after them, and after the codes' end). */
  private loadCodes(g: CodecGraph, enc: Encoded, from: number, count: number): void {
    const { latent, bits } = this.preset;
    const { frames } = enc;
    const win = g.input.T;
    const z = this.core.f32(g.input.ptr, latent * win);
    z.fill(0);
    const end = Math.min(frames, from + count);
    for (let c = 0; c < latent; c++) fromCodes(enc.codes.subarray(c * frames + from, c * frames + end), bits, z.subarray(c * win, c * win + end - from));
  }

  decode(enc: Encoded): Float32Array {
    if (this.preset.spectrogram) return this.decodeSpectrogram(enc, this.preset.spectrogram);
    const { hop } = this.preset;
    const { frames } = enc;
    const out = new Float32Array(frames * hop);
    this.windowed(
      'decoder',
      frames,
      (g, from, count) => this.loadCodes(g, enc, from, count),
      (g, start, count, skip) => {
        const y = this.core.f32(g.output.ptr, g.output.T);
        out.set(y.subarray(skip * hop, (skip + count) * hop), start * hop);
      },
    );
    return out.subarray(0, enc.samples);
  }

  /**
   * Setup B: the decoder's spectrogram, window by window (windows and their context are whole
   * spectrogram frames: every window length and step is a multiple of 4 latent frames), then audio by
   * Griffin-Lim over the whole prediction (in long overlapping chunks, src/nn/spectrogram-output.ts),
   * not window by window, so the phase runs on across the decoder's window boundaries.
   */
  private decodeSpectrogram(enc: Encoded, spec: SpectrogramOutput): Float32Array {
    const per = this.framesPerOutput;
    const frames = per * Math.ceil(enc.frames / per);
    const predFrames = frames / per;
    const { bins } = spec;
    const pred = new Float32Array(bins * predFrames);
    this.windowed(
      'decoder',
      frames,
      (g, from, count) => this.loadCodes(g, enc, from, count),
      (g, start, count, skip) => {
        const win = g.output.T;
        const y = this.core.f32(g.output.ptr, bins * win);
        const [s0, n, k0] = [start / per, count / per, skip / per];
        for (let c = 0; c < bins; c++) pred.set(y.subarray(c * win + k0, c * win + k0 + n), c * predFrames + s0);
      },
    );
    return predictionToAudio(this.core, spec, pred, predFrames, enc.samples);
  }

  /** decode(encode(audio)), the same length as the input. */
  reconstruct(audio: Float32Array): Float32Array {
    return this.decode(this.encode(audio));
  }
}
