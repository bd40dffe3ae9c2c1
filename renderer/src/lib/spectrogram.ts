// Spectrogram images: Hann-windowed STFT magnitudes in dB, painted with a perceptual colour map.
// Runs in a Web Worker (spectrogram.worker.ts); the same code runs in slices on the main thread
// when a worker cannot be started.
import { Fft } from './fft.js';

export const SPEC_FFT = 1024;
/** Dynamic range shown below the loudest cell of the reference signal. */
export const SPEC_RANGE_DB = 90;
/** At most this many columns: the hop grows for long clips instead of the image. */
export const SPEC_MAX_FRAMES = 1600;

export interface SpecRequest {
  id: number;
  sampleRate: number;
  /** The signals to paint on one shared dB scale (set by the first one). */
  signals: Float32Array[];
}

export interface SpecImage {
  width: number;
  height: number;
  /** RGBA, top row the highest frequency. */
  pixels: Uint8ClampedArray;
  hopSec: number;
  maxDb: number;
}

// Stops of matplotlib's "magma" map (public domain data), linearly interpolated.
const MAGMA: [number, number, number][] = [
  [0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122], [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191],
];
const LUT = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (MAGMA.length - 1);
    const k = Math.min(MAGMA.length - 2, Math.floor(x));
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = MAGMA[k][c] + (MAGMA[k + 1][c] - MAGMA[k][c]) * f;
  }
  return lut;
})();

/** The STFT of one signal in dB, frame-major: [frames][bins], bins = fft / 2 (DC to just below Nyquist). */
export class StftDb {
  readonly frames: number;
  readonly bins: number;
  readonly db: Float32Array;
  private readonly fft: Fft;
  private readonly win: Float64Array;
  private readonly scale: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Frames computed so far (work can be done in slices). */
  done = 0;

  constructor(
    private readonly x: Float32Array,
    private readonly fftSize: number,
    private readonly hop: number,
  ) {
    this.fft = new Fft(fftSize);
    this.bins = fftSize / 2;
    this.frames = Math.max(1, Math.floor(Math.max(0, x.length - fftSize) / hop) + 1);
    this.win = new Float64Array(fftSize);
    let wsum = 0;
    for (let i = 0; i < fftSize; i++) wsum += this.win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / fftSize);
    this.scale = 2 / wsum;
    this.re = new Float64Array(fftSize);
    this.im = new Float64Array(fftSize);
    this.db = new Float32Array(this.frames * this.bins);
  }

  /** Compute up to `count` more frames; true when all are done. */
  step(count = Infinity): boolean {
    const { re, im, win, x, bins } = this;
    const end = Math.min(this.frames, this.done + count);
    for (let f = this.done; f < end; f++) {
      const off = f * this.hop;
      for (let i = 0; i < this.fftSize; i++) {
        re[i] = (x[off + i] ?? 0) * win[i];
        im[i] = 0;
      }
      this.fft.transform(re, im);
      for (let k = 0; k < bins; k++) this.db[f * bins + k] = 20 * Math.log10(Math.hypot(re[k], im[k]) * this.scale + 1e-10);
    }
    this.done = end;
    return end === this.frames;
  }
}

export function maxOf(db: Float32Array): number {
  let m = -Infinity;
  for (const v of db) if (v > m) m = v;
  return Number.isFinite(m) ? m : 0;
}

export function hopFor(length: number): number {
  return Math.max(256, Math.ceil(length / SPEC_MAX_FRAMES / 64) * 64);
}

export function paint(db: Float32Array, frames: number, bins: number, maxDb: number): Uint8ClampedArray {
  const px = new Uint8ClampedArray(frames * bins * 4);
  const lo = maxDb - SPEC_RANGE_DB;
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < bins; k++) {
      const v = (db[f * bins + k] - lo) / SPEC_RANGE_DB;
      const i = Math.max(0, Math.min(255, Math.round(v * 255)));
      const o = ((bins - 1 - k) * frames + f) * 4;
      px[o] = LUT[i * 3];
      px[o + 1] = LUT[i * 3 + 1];
      px[o + 2] = LUT[i * 3 + 2];
      px[o + 3] = 255;
    }
  }
  return px;
}

export function computeImages(req: SpecRequest): SpecImage[] {
  const hop = hopFor(Math.max(...req.signals.map((s) => s.length)));
  const specs = req.signals.map((s) => {
    const st = new StftDb(s, SPEC_FFT, hop);
    st.step();
    return st;
  });
  const maxDb = maxOf(specs[0].db);
  return specs.map((s) => ({ width: s.frames, height: s.bins, pixels: paint(s.db, s.frames, s.bins, maxDb), hopSec: hop / req.sampleRate, maxDb }));
}
