// The view of two signals A and B in an output space of the losses, and of their difference there:
// |A| and |B| in dB and |A|dB - |B|dB per STFT cell ('stft-db'), or the mel bands in dB and their
// difference ('mel-db'). Computed with the losses' own transform (space-frames.ts), at the model rate,
// so the mean |difference| over a block is the stft-db-l1 or mel-db-l1 loss of that block.
//
// A long clip has more frames than a screen has pixels: then each column of the answer is the mean of
// the dB values over the frames it covers (a mean of levels, not a level of the mean power), and the
// difference column is that of A minus that of B, which is also the mean of the frames' differences.
import type { KernelCore } from '../kernels/core.js';
import { MODEL_RATE } from '../audio/prepare.js';
import { MEL_BANDS, STFT_HOP, STFT_N_FFT } from '../losses/spaces.js';
import { melEdgesHz } from '../losses/mel.js';
import { DB_FLOOR } from '../losses/stages.js';
import { VIEW_DEFAULT_COLUMNS, type ViewSpace } from '../common/view-spaces.js';
import { forEachFrame, framesOf, ViewError, widthOf } from './space-frames.js';

/** How the answer's numbers were made, for the legend and for anyone checking them. */
export interface ViewTransform {
  nFft: number;
  hop: number;
  window: 'periodic Hann';
  /** Frames are centred on multiples of the hop, the signal padded by n_fft/2 by reflection (torch.stft(center=True, pad_mode="reflect")). */
  framing: 'centred, reflect padding';
  /** The mel filterbank, for 'mel-db'; null for 'stft-db'. */
  bands: { count: number; scale: 'HTK mel'; fMinHz: number; fMaxHz: number; normalized: false } | null;
  /** dB = 20 log10(max(x, dbFloor)): a magnitude below the floor reads as floorDb. */
  dbFloor: number;
  floorDb: number;
}

export interface SpectralView {
  space: ViewSpace;
  /** Every value of a, b and diff is a level in dB (diff: a level difference in dB). */
  unit: 'dB';
  sampleRate: number;
  /** Samples of A and of B as given, and the samples viewed: the shorter of the two (B or A cut to it). */
  lengths: { a: number; b: number; viewed: number };
  /** Frequency rows, low to high: 513 STFT bins or 64 mel bands. */
  rows: number;
  /** Each row's centre frequency in Hz (a bin's frequency; a mel band's centre, where its filter peaks). */
  rowHz: number[];
  /** How the rows are spaced: evenly in Hz (STFT bins) or evenly in mel (bands). */
  rowScale: 'linear-hz' | 'mel';
  /** Frames of the full-resolution transform; frame f is centred at f * hopSeconds. */
  frames: number;
  hopSeconds: number;
  /** Time columns in a, b and diff (C); column c holds the frames f with floor(f C / F) = c: ceil(c F / C) to ceil((c+1) F / C) - 1. */
  columns: number;
  /** Frames per column on average (1 at full resolution). */
  framesPerColumn: number;
  /** How a column was made from its frames, in words. */
  columnReduction: string;
  transform: ViewTransform;
  /** columns x rows values each, column by column (a[c * rows + r] is row r of column c). */
  a: Float32Array;
  b: Float32Array;
  /** a - b, cell by cell. */
  diff: Float32Array;
}

export interface ViewOptions {
  /** At most this many columns (default VIEW_DEFAULT_COLUMNS); fewer frames give one column each. */
  maxColumns?: number;
}

/** The mean dB per column of `x` in `space`: columns x width values. */
function columnMeans(core: KernelCore, space: ViewSpace, x: Float32Array, columns: number): Float32Array {
  const width = widthOf(core, space);
  const frames = framesOf(x.length);
  const sums = new Float64Array(columns * width);
  const counts = new Float64Array(columns);
  forEachFrame(core, space, x, (f, values) => {
    const c = Math.floor((f * columns) / frames);
    counts[c]++;
    const at = c * width;
    for (let r = 0; r < width; r++) sums[at + r] += values[r];
  });
  const out = new Float32Array(columns * width);
  for (let i = 0; i < out.length; i++) out[i] = sums[i] / counts[Math.floor(i / width)];
  return out;
}

export function spectralView(core: KernelCore, a: Float32Array, b: Float32Array, space: ViewSpace, o: ViewOptions = {}): SpectralView {
  const maxColumns = o.maxColumns ?? VIEW_DEFAULT_COLUMNS;
  if (!Number.isInteger(maxColumns) || maxColumns < 1) throw new ViewError('BAD_REQUEST', `maxColumns must be a whole number of at least 1, not ${maxColumns}`);
  const viewed = Math.min(a.length, b.length);
  const frames = framesOf(viewed);
  const columns = Math.min(frames, maxColumns);
  const va = columnMeans(core, space, a.subarray(0, viewed), columns);
  const vb = columnMeans(core, space, b.subarray(0, viewed), columns);
  const diff = new Float32Array(va.length);
  for (let i = 0; i < diff.length; i++) diff[i] = va[i] - vb[i];
  const mel = space === 'mel-db';
  const rows = widthOf(core, space);
  const framesPerColumn = frames / columns;
  return {
    space,
    unit: 'dB',
    sampleRate: MODEL_RATE,
    lengths: { a: a.length, b: b.length, viewed },
    rows,
    rowHz: mel ? melEdgesHz(MEL_BANDS.nMels, MEL_BANDS.fMin, MEL_BANDS.fMax).slice(1, -1) : Array.from({ length: rows }, (_, k) => (k * MODEL_RATE) / STFT_N_FFT),
    rowScale: mel ? 'mel' : 'linear-hz',
    frames,
    hopSeconds: STFT_HOP / MODEL_RATE,
    columns,
    framesPerColumn,
    columnReduction: columns === frames ? 'none: one column per frame' : `mean of the dB values over the ${framesPerColumn.toFixed(1)} frames each column covers (on average)`,
    transform: {
      nFft: STFT_N_FFT,
      hop: STFT_HOP,
      window: 'periodic Hann',
      framing: 'centred, reflect padding',
      bands: mel ? { count: MEL_BANDS.nMels, scale: 'HTK mel', fMinHz: MEL_BANDS.fMin, fMaxHz: MEL_BANDS.fMax, normalized: false } : null,
      dbFloor: DB_FLOOR,
      floorDb: 20 * Math.log10(DB_FLOOR),
    },
    a: va,
    b: vb,
    diff,
  };
}
