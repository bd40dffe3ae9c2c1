// Objective audio-quality metrics for scoring codec reconstructions: pure functions of a reference
// `ref` and an estimate `est` (mono, equal length, finite samples; Float32Array in practice, any
// ArrayLike<number> accepted). All sums are accumulated in float64.
//
// Conventions shared by every function here:
// - Never NaN, never +-Infinity: the dB ratios (SNR, SI-SDR) are clamped to [-METRIC_CAP_DB,
//   +METRIC_CAP_DB] = [-100, 100] dB, so identical signals score +100 dB and serialise as a plain JSON
//   number. 100 dB is far beyond any real codec (float32 rounding alone sits near 140 dB).
// - Bad input throws an Error naming the problem: length mismatch, empty input, a non-finite sample
//   (NaN / +-Infinity, reported with its index), a bad sample rate or frame setting.
// - Framed metrics (LSD, MCD) cut frames of `nFft` samples every `hop` samples starting at sample 0,
//   with no centring; the last frame is zero-padded so that every sample is covered; a signal shorter
//   than one frame gives a single zero-padded frame. Frame count = 1 + ceil(max(0, n - nFft) / hop).

import { withMeydaMfcc } from './mfcc.js';

/** Cap (dB) for SNR and SI-SDR: results are clamped to [-METRIC_CAP_DB, METRIC_CAP_DB]. */
export const METRIC_CAP_DB = 100;

/**
 * Floor added to every power-spectrum bin before the log in the log-spectral distance. Powers are
 * unnormalised |X_k|^2 of a Hann-windowed frame, so a full-scale sine peaks near (nFft/4)^2 (~48 dB at
 * nFft = 1024) and 1e-10 (-100 dB) sits ~150 dB below it: it only matters where a bin is (near) zero.
 */
export const LSD_EPS = 1e-10;

/** Number of MFCCs per frame for the mel-cepstral distortion, c_0..c_12 (c_0 is then left out). */
export const MCD_NUM_COEFFS = 13;

/** Number of mel filters behind those MFCCs (meyda's default). */
export const MCD_MEL_BANDS = 26;

/** Frame settings of the spectral metrics. */
export interface FrameOptions {
  /** Frame (and FFT) length in samples, a power of two. Default 1024 (~43 ms at 24 kHz). */
  nFft?: number;
  /** Hop between frame starts in samples, a positive integer. Default 256. */
  hop?: number;
}

/** All four metrics of one reconstruction; every value is a finite number. */
export interface QualityMetrics {
  /** Signal-to-noise ratio, dB, in [-100, 100]. Higher is better. */
  snrDb: number;
  /** Scale-invariant signal-to-distortion ratio, dB, in [-100, 100]. Higher is better. */
  siSdrDb: number;
  /** Log-spectral distance, dB, >= 0. Lower is better. */
  lsdDb: number;
  /** Mel-cepstral distortion, dB, >= 0. Lower is better. */
  mcdDb: number;
}

type Signal = ArrayLike<number>;

const DEFAULT_NFFT = 1024;
const DEFAULT_HOP = 256;

// ---------------------------------------------------------------------------------------------------
// Input checks

function checkPair(fn: string, ref: Signal, est: Signal): void {
  if (!ref || typeof ref.length !== 'number' || !est || typeof est.length !== 'number') {
    throw new Error(`${fn}: ref and est must be arrays of samples`);
  }
  if (ref.length !== est.length) {
    throw new Error(`${fn}: ref and est must have the same length, got ${ref.length} and ${est.length} samples`);
  }
  if (ref.length === 0) throw new Error(`${fn}: ref and est are empty (0 samples)`);
  checkFinite(fn, 'ref', ref);
  checkFinite(fn, 'est', est);
}

function checkFinite(fn: string, name: string, x: Signal): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`${fn}: ${name} has a non-finite sample (${x[i]}) at index ${i}`);
  }
}

function checkSampleRate(fn: string, sampleRate: number): void {
  if (typeof sampleRate !== 'number' || !Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new Error(`${fn}: sample rate must be a positive finite number of Hz, got ${sampleRate}`);
  }
}

function frameSettings(fn: string, options: FrameOptions | undefined): { nFft: number; hop: number } {
  const nFft = options?.nFft ?? DEFAULT_NFFT;
  const hop = options?.hop ?? DEFAULT_HOP;
  if (!Number.isInteger(nFft) || nFft < 2 || (nFft & (nFft - 1)) !== 0) {
    throw new Error(`${fn}: nFft must be a power of two >= 2, got ${nFft}`);
  }
  if (!Number.isInteger(hop) || hop < 1) throw new Error(`${fn}: hop must be a positive integer, got ${hop}`);
  return { nFft, hop };
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

function clampDb(db: number): number {
  if (Number.isNaN(db)) throw new Error('internal: NaN dB value'); // unreachable: callers handle 0/0
  return Math.min(METRIC_CAP_DB, Math.max(-METRIC_CAP_DB, db));
}

/**
 * 10 log10(num / den) for num, den >= 0, clamped to the cap. den = 0 (no error at all) gives +cap,
 * also when num = 0 too; callers for which 0/0 means something else check it first.
 */
function ratioDb(num: number, den: number): number {
  if (den === 0) return METRIC_CAP_DB;
  if (num === 0) return -METRIC_CAP_DB;
  return clampDb(10 * Math.log10(num / den));
}

/** Number of frames: 1 + ceil(max(0, n - nFft) / hop) (the last one zero-padded). */
export function frameCount(n: number, nFft: number, hop: number): number {
  return 1 + Math.ceil(Math.max(0, n - nFft) / hop);
}

/** Copy frame `f` of `x` into `out` (length nFft), zero-padding past the end. Returns true if all zero. */
function readFrame(x: Signal, f: number, hop: number, out: Float32Array | Float64Array): boolean {
  const start = f * hop;
  let silent = true;
  for (let i = 0; i < out.length; i++) {
    const j = start + i;
    const v = j < x.length ? x[j] : 0;
    out[i] = v;
    if (v !== 0) silent = false;
  }
  return silent;
}

// ---------------------------------------------------------------------------------------------------
// 1. SNR

/**
 * Signal-to-noise ratio in dB: SNR = 10 log10( sum ref^2 / sum (ref - est)^2 ).
 *
 * Not scale invariant: est = 0.5 ref gives 20 log10(2) ~ 6.02 dB, est = -ref gives 10 log10(1/4).
 * Edge cases (result clamped to [-100, 100] dB, never NaN/Infinity):
 * - est identical to ref (zero error), including both silent: +100 dB (the cap).
 * - silent (all-zero) ref and a non-silent est: -100 dB.
 */
export function snrDb(ref: Signal, est: Signal): number {
  checkPair('snrDb', ref, est);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    const d = r - est[i];
    signal += r * r;
    noise += d * d;
  }
  return ratioDb(signal, noise);
}

// ---------------------------------------------------------------------------------------------------
// 2. SI-SDR

/**
 * Scale-invariant signal-to-distortion ratio in dB (Le Roux, Wisdom, Erdogan, Hershey, "SDR –
 * half-baked or well done?", ICASSP 2019, eqs. 4-5). As in the paper, both signals are first made
 * zero-mean; then alpha = <est, ref> / <ref, ref>, target = alpha ref, and
 * SI-SDR = 10 log10( |target|^2 / |est - target|^2 ).
 *
 * Invariant to any non-zero gain of est (positive or negative: est = 0.5 ref and est = -ref both
 * score the cap) and to a constant (DC) offset of either signal.
 * Edge cases (result clamped to [-100, 100] dB, never NaN/Infinity):
 * - est an exact scaled copy of ref (zero residual): +100 dB.
 * - est orthogonal to ref (alpha = 0), or est silent/constant while ref is not: -100 dB.
 * - ref silent or constant (nothing left after removing the mean): the target is undefined; the
 *   result is +100 dB if est is also silent/constant, else -100 dB.
 */
export function siSdrDb(ref: Signal, est: Signal): number {
  checkPair('siSdrDb', ref, est);
  const n = ref.length;
  let meanRef = 0;
  let meanEst = 0;
  for (let i = 0; i < n; i++) {
    meanRef += ref[i];
    meanEst += est[i];
  }
  meanRef /= n;
  meanEst /= n;

  let rr = 0; // <ref, ref>
  let er = 0; // <est, ref>
  let ee = 0; // <est, est>
  for (let i = 0; i < n; i++) {
    const r = ref[i] - meanRef;
    const e = est[i] - meanEst;
    rr += r * r;
    er += e * r;
    ee += e * e;
  }
  if (rr === 0) return ee === 0 ? METRIC_CAP_DB : -METRIC_CAP_DB;
  if (ee === 0) return -METRIC_CAP_DB; // est silent/constant: no target in it at all

  const alpha = er / rr;
  // |target|^2 and |est - target|^2 summed directly (not as ee - alpha^2 rr, which cancels badly).
  let target = 0;
  let residual = 0;
  for (let i = 0; i < n; i++) {
    const t = alpha * (ref[i] - meanRef);
    const d = est[i] - meanEst - t;
    target += t * t;
    residual += d * d;
  }
  return ratioDb(target, residual);
}

// ---------------------------------------------------------------------------------------------------
// FFT (plain TypeScript, float64; this module deliberately stays free of the WASM kernels)

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array; rev: Uint32Array }>();

function fftTables(n: number) {
  let t = twiddleCache.get(n);
  if (!t) {
    const half = n >> 1;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    const bits = Math.log2(n);
    const rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      rev[i] = r;
    }
    t = { cos, sin, rev };
    twiddleCache.set(n, t);
  }
  return t;
}

/**
 * In-place iterative radix-2 decimation-in-time FFT, X_k = sum_n x_n e^{-2 pi i k n / N}.
 * `re` and `im` have the same power-of-two length. Exported for tests.
 */
export function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n || n < 1 || (n & (n - 1)) !== 0) throw new Error(`fft: length must be a power of two, got ${n}`);
  if (n === 1) return;
  const { cos, sin, rev } = fftTables(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = -sin[k * step];
        const a = start + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

const hannCache = new Map<number, Float64Array>();

/** Periodic Hann window w[n] = 0.5 - 0.5 cos(2 pi n / N) (the usual STFT window, scipy's hann(N, sym=False)). */
function periodicHann(n: number): Float64Array {
  let w = hannCache.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    hannCache.set(n, w);
  }
  return w;
}

/** Power spectrum |X_k|^2, k = 0..nFft/2, of the Hann-windowed `frame` (length nFft), into `out`. */
function powerSpectrum(frame: Float64Array, re: Float64Array, im: Float64Array, out: Float64Array): void {
  const n = frame.length;
  const w = periodicHann(n);
  for (let i = 0; i < n; i++) {
    re[i] = frame[i] * w[i];
    im[i] = 0;
  }
  fftInPlace(re, im);
  for (let k = 0; k < out.length; k++) out[k] = re[k] * re[k] + im[k] * im[k];
}

// ---------------------------------------------------------------------------------------------------
// 3. Log-spectral distance

/**
 * Log-spectral distance in dB (e.g. Gray & Markel 1976; the form used in bandwidth-extension and codec
 * papers). For each frame t, with P the power spectrum |X_k|^2 (bins k = 0..nFft/2) of the frame
 * multiplied by a periodic Hann window:
 *   LSD_t = sqrt( mean_k ( 10 log10(P_ref[t,k] + eps) - 10 log10(P_est[t,k] + eps) )^2 ),
 * and LSD = mean_t LSD_t, with eps = LSD_EPS = 1e-10. Framing: see the module header.
 *
 * A gain g on est shifts every bin by 20 log10|g| dB, so LSD(ref, 2 ref) ~ 6.02 dB (exactly, up to
 * eps). Frames where both ref and est are digital silence (all zeros) carry no information and are
 * left out of the mean; if every frame is such (both signals silent), the result is 0. A frame where
 * only one signal is silent is kept and scores large (its bins sit at 10 log10(eps) = -100 dB).
 */
export function logSpectralDistanceDb(ref: Signal, est: Signal, options?: FrameOptions): number {
  checkPair('logSpectralDistanceDb', ref, est);
  const { nFft, hop } = frameSettings('logSpectralDistanceDb', options);
  const bins = nFft / 2 + 1;
  const frameR = new Float64Array(nFft);
  const frameE = new Float64Array(nFft);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  const pR = new Float64Array(bins);
  const pE = new Float64Array(bins);

  const frames = frameCount(ref.length, nFft, hop);
  let total = 0;
  let used = 0;
  for (let f = 0; f < frames; f++) {
    const silentR = readFrame(ref, f, hop, frameR);
    const silentE = readFrame(est, f, hop, frameE);
    if (silentR && silentE) continue;
    powerSpectrum(frameR, re, im, pR);
    powerSpectrum(frameE, re, im, pE);
    let sq = 0;
    for (let k = 0; k < bins; k++) {
      const d = 10 * Math.log10(pR[k] + LSD_EPS) - 10 * Math.log10(pE[k] + LSD_EPS);
      sq += d * d;
    }
    total += Math.sqrt(sq / bins);
    used++;
  }
  return used === 0 ? 0 : total / used;
}

// ---------------------------------------------------------------------------------------------------
// 4. Mel-cepstral distortion

/**
 * Mel-cepstral distortion in dB (Kubichek, "Mel-cepstral distance measure for objective speech
 * quality assessment", 1993), per frame t:
 *   MCD_t = (10 / ln 10) * sqrt( 2 * sum_{k=1}^{K-1} (c_ref[t,k] - c_est[t,k])^2 ),   K = 13,
 * averaged over frames. c_0 (the energy term) is left out, as is conventional. The c are meyda's MFCCs
 * (13 coefficients from 26 mel bands from 0 Hz to Nyquist, symmetric Hann window, ln(E + 1) band
 * compression, DCT-II with factor 2; see ./mfcc.ts) of frames of `nFft` (default 1024) samples every
 * `hop` (default 256), framed as in the module header. The values are therefore comparable between
 * runs of this project but not to published MCD figures (which use other cepstra, e.g. SPTK mcep).
 *
 * Frames whose reference frame is digital silence (all samples exactly 0) are skipped. If the whole
 * reference is silent, every frame is used instead (a silent frame has all-zero MFCCs in meyda), so a
 * silent est then scores 0 and a non-silent est a positive distance.
 *
 * Not gain invariant (meyda's ln(E + 1) mixes level into the shape coefficients), and no such
 * invariance should be assumed. Deterministic: meyda's shared settings and caches are set for the
 * call and restored afterwards (see withMeydaMfcc).
 */
export function melCepstralDistortionDb(ref: Signal, est: Signal, sampleRate: number, options?: FrameOptions): number {
  checkPair('melCepstralDistortionDb', ref, est);
  checkSampleRate('melCepstralDistortionDb', sampleRate);
  const { nFft, hop } = frameSettings('melCepstralDistortionDb', options);
  const frames = frameCount(ref.length, nFft, hop);
  const scale = (10 / Math.LN10) * Math.SQRT2;

  return withMeydaMfcc(
    { bufferSize: nFft, sampleRate, numberOfCoefficients: MCD_NUM_COEFFS, melBands: MCD_MEL_BANDS },
    (mfcc) => {
      const frameR = new Float32Array(nFft);
      const frameE = new Float32Array(nFft);
      let voiced = 0; // sum over non-silent reference frames
      let voicedCount = 0;
      let all = 0; // sum over every frame, used only if the reference is silent throughout
      for (let f = 0; f < frames; f++) {
        const silentR = readFrame(ref, f, hop, frameR);
        readFrame(est, f, hop, frameE);
        if (!silentR) {
          voiced += frameMcd(mfcc(frameR), mfcc(frameE), scale);
          voicedCount++;
        } else if (voicedCount === 0) {
          // Only needed while the reference might still turn out silent throughout.
          all += frameMcd(mfcc(frameR), mfcc(frameE), scale);
        }
      }
      return voicedCount > 0 ? voiced / voicedCount : all / frames;
    },
  );
}

function frameMcd(cRef: number[], cEst: number[], scale: number): number {
  let sq = 0;
  for (let k = 1; k < MCD_NUM_COEFFS; k++) {
    const d = cRef[k] - cEst[k];
    sq += d * d;
  }
  return scale * Math.sqrt(sq);
}

// ---------------------------------------------------------------------------------------------------
// 5. All of them

/**
 * SNR, SI-SDR, LSD and MCD of one reconstruction, with the defaults above (LSD and MCD on frames of
 * `options.nFft` = 1024 samples, hop 256). Every value is finite, so the object serialises to JSON
 * as is. Throws on bad input like the individual functions.
 */
export function qualityMetrics(ref: Signal, est: Signal, sampleRate: number, options?: FrameOptions): QualityMetrics {
  checkSampleRate('qualityMetrics', sampleRate);
  return {
    snrDb: snrDb(ref, est),
    siSdrDb: siSdrDb(ref, est),
    lsdDb: logSpectralDistanceDb(ref, est, options),
    mcdDb: melCepstralDistortionDb(ref, est, sampleRate, options),
  };
}
