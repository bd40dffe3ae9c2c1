// MFCCs from meyda (the project's audio-feature library), wrapped so that calls are deterministic.
//
// Why a wrapper is needed (meyda 5.6.x, read from node_modules/meyda/src/main.ts):
// - meyda has no per-call options: bufferSize, sampleRate, melBands, numberOfMFCCCoefficients and
//   windowingFunction are read/write fields of the one shared default export, so every caller in
//   the process shares them.
// - `extract` caches the mel filter bank on that same object and rebuilds it only when the number of
//   mel bands changes, NOT when sampleRate or bufferSize changes. After anyone extracted with another
//   buffer size the stale bank yields NaN MFCCs (smaller bank) or silently wrong ones (other sample
//   rate). The bark scale and chroma bank are cached the same way.
// - `extract` takes the FFT size from the signal's length but the spectrum length from
//   `bufferSize`; a frame whose length differs from `bufferSize` gives garbage, not an error.
// - In Node the package is CommonJS (`module.exports = Meyda`) while its typings (`dist/esm/main.d.ts`)
//   declare `export default Meyda`. Under NodeNext, TypeScript therefore types the default import as
//   the module namespace `{ default: Meyda }`, although at run time the default import IS the Meyda
//   object. We import the default export and narrow it below.
//
// `withMeydaMfcc` sets every field it depends on, drops the cached banks so they are rebuilt for these
// settings, runs the caller's synchronous work, then restores the fields and caches it found. meyda
// copies the frame when windowing (it never writes to or keeps the input), so the caller may reuse one
// frame buffer for every call; each call returns a fresh array.
//
// meyda's MFCC (extractors/mfcc.ts, melBands.ts; "practical cryptography" recipe): the frame is
// multiplied by a symmetric Hann window ("hanning", 0.5 - 0.5 cos(2 pi n / (N - 1))), |FFT|^2 of bins
// 0..N/2-1 is weighted by `melBands` triangular filters spaced evenly on the mel scale
// (mel = 1125 ln(1 + f / 700)) from 0 Hz to Nyquist, each band energy E becomes ln(E + 1), and an
// unnormalised DCT-II with factor 2 (c_k = 2 sum_m ln(E_m + 1) cos(pi k (m + 1/2) / M), npm "dct")
// gives the coefficients, of which the first `numberOfMFCCCoefficients` are returned.
// Consequences: a digitally silent frame gives c = 0 exactly; the `+ 1` makes the cepstrum depend on
// absolute level (not only on spectral shape), so MFCC distances are not gain invariant.

import MeydaImport from 'meyda';

/** The type of meyda's default export (the object with `extract` and the settings fields). */
type MeydaApi = (typeof MeydaImport)['default'];

/** meyda's caches, kept on the shared object but absent from its typings. */
interface MeydaCaches {
  melFilterBank?: unknown;
  barkScale?: unknown;
  chromaFilterBank?: unknown;
}

/**
 * The Meyda object, whichever way the module loader presented the CommonJS export: Node's ESM loader
 * gives `module.exports` itself as the default; an interop layer may wrap it as `{ default }`.
 */
const Meyda: MeydaApi & MeydaCaches = (() => {
  const candidate = MeydaImport as unknown as Partial<MeydaApi> & { default?: MeydaApi };
  if (typeof candidate.extract === 'function') return candidate as MeydaApi;
  if (candidate.default && typeof candidate.default.extract === 'function') return candidate.default;
  throw new Error('meyda: could not find the Meyda object with an extract() function in the package export');
})();

export interface MfccSettings {
  /** Frame length in samples; a power of two (meyda's requirement). Every frame passed must have it. */
  bufferSize: number;
  /** Sample rate in Hz; sets the mel filter bank's frequency axis. */
  sampleRate: number;
  /** Number of coefficients returned, c_0..c_{K-1} (meyda clamps to 1..40). */
  numberOfCoefficients: number;
  /** Number of triangular mel filters (at least numberOfCoefficients). Default 26, meyda's default. */
  melBands?: number;
}

/** meyda's documented MFCC count limits (extractors/mfcc.ts clamps to this range). */
const MEYDA_MAX_MFCC = 40;

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/**
 * Run `work` with a function that returns meyda's MFCCs (length `numberOfCoefficients`) of one frame,
 * under exactly `settings`, whatever the shared Meyda object held before; the object's settings and
 * caches are restored afterwards, even if `work` throws. `work` must be synchronous: the settings are
 * only in force while it runs.
 */
export function withMeydaMfcc<T>(settings: MfccSettings, work: (mfcc: (frame: Float32Array) => number[]) => T): T {
  const { bufferSize, sampleRate, numberOfCoefficients } = settings;
  const melBands = settings.melBands ?? 26;
  if (!isPowerOfTwo(bufferSize) || bufferSize < 2) {
    throw new Error(`MFCC frame size must be a power of two >= 2 (meyda's requirement), got ${bufferSize}`);
  }
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) {
    throw new Error(`MFCC sample rate must be a positive finite number of Hz, got ${sampleRate}`);
  }
  if (!Number.isInteger(numberOfCoefficients) || numberOfCoefficients < 1 || numberOfCoefficients > MEYDA_MAX_MFCC) {
    throw new Error(`number of MFCC coefficients must be an integer in 1..${MEYDA_MAX_MFCC}, got ${numberOfCoefficients}`);
  }
  if (!Number.isInteger(melBands) || melBands < numberOfCoefficients) {
    throw new Error(`mel bands must be an integer >= the number of MFCC coefficients, got ${melBands}`);
  }

  const saved = {
    bufferSize: Meyda.bufferSize,
    sampleRate: Meyda.sampleRate,
    melBands: Meyda.melBands,
    numberOfMFCCCoefficients: Meyda.numberOfMFCCCoefficients,
    windowingFunction: Meyda.windowingFunction,
    melFilterBank: Meyda.melFilterBank,
    barkScale: Meyda.barkScale,
    chromaFilterBank: Meyda.chromaFilterBank,
  };
  try {
    Meyda.bufferSize = bufferSize;
    Meyda.sampleRate = sampleRate;
    Meyda.melBands = melBands;
    Meyda.numberOfMFCCCoefficients = numberOfCoefficients;
    Meyda.windowingFunction = 'hanning';
    // Forces extract() to rebuild every bank for the settings above (see the header comment).
    Meyda.melFilterBank = undefined;
    Meyda.barkScale = undefined;
    Meyda.chromaFilterBank = undefined;

    const mfcc = (frame: Float32Array): number[] => {
      if (frame.length !== bufferSize) {
        throw new Error(`MFCC frame has ${frame.length} samples, expected ${bufferSize}`);
      }
      const c = Meyda.extract('mfcc', frame) as number[] | null | undefined;
      if (!c || c.length !== numberOfCoefficients) {
        throw new Error(`meyda returned ${c ? c.length : 'no'} MFCCs, expected ${numberOfCoefficients}`);
      }
      return c;
    };
    return work(mfcc);
  } finally {
    Meyda.bufferSize = saved.bufferSize;
    Meyda.sampleRate = saved.sampleRate;
    Meyda.melBands = saved.melBands;
    Meyda.numberOfMFCCCoefficients = saved.numberOfMFCCCoefficients;
    Meyda.windowingFunction = saved.windowingFunction;
    Meyda.melFilterBank = saved.melFilterBank;
    Meyda.barkScale = saved.barkScale;
    Meyda.chromaFilterBank = saved.chromaFilterBank;
  }
}

/**
 * meyda's shared default-export object, resolved from the CommonJS export as above. Exported so tests
 * can check that withMeydaMfcc leaves it as it found it; metric code should go through withMeydaMfcc.
 */
export const meyda: MeydaApi = Meyda;
