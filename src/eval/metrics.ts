// Objective audio-quality metrics for scoring codec reconstructions: pure functions of a reference
// `ref` and an estimate `est` (mono, equal length, finite samples; Float32Array in practice, any
// ArrayLike<number> accepted). All sums are accumulated in float64.
//
// Each metric follows a published definition (cited at the function), so that a value printed here
// can be set beside the same metric in a paper:
// - SNR and SI-SDR (dB): higher is better.
// - LSD (log-spectral distance) in log10 power units, as in the audio super-resolution literature
//   (not in dB: 1 unit = 10 dB): lower is better.
// - MCD (mel-cepstral distortion, dB) after Kubichek 1993 on SPTK-style mel-cepstra: lower is better.
//
// Conventions shared by every function here:
// - Never NaN, never +-Infinity: the dB ratios (SNR, SI-SDR) are clamped to [-METRIC_CAP_DB,
//   +METRIC_CAP_DB] = [-100, 100] dB, so identical signals score +100 dB and serialise as a plain JSON
//   number. 100 dB is far beyond any real codec (float32 rounding alone sits near 140 dB).
// - Bad input throws an Error naming the problem: length mismatch, empty input, a non-finite sample
//   (NaN / +-Infinity, reported with its index), a bad sample rate or frame setting.
// - Framed metrics (LSD, MCD) cut frames of `nFft` samples every `hop` samples starting at sample 0,
//   with no centring, and zero-pad the last frame (see ./spectrum.ts). Every frame counts, silent
//   ones included, as in the reference implementations cited below.

import { frameCount, powerSpectrum, readFrame } from './spectrum.js';
import { melCepstrum } from './mel-cepstrum.js';

export { fftInPlace, frameCount } from './spectrum.js';

/** Cap (dB) for SNR and SI-SDR: results are clamped to [-METRIC_CAP_DB, METRIC_CAP_DB]. */
export const METRIC_CAP_DB = 100;

/**
 * Floor on every power-spectrum bin before the log, in both LSD and MCD (NU-Wave's clamp of 1e-8).
 * Powers are unnormalised |X_k|^2 of a Hann-windowed frame of float samples in [-1, 1], so a full-scale
 * sine peaks near (nFft/4)^2 (~48 dB at nFft = 1024) and the floor (-80 dB) sits ~130 dB below it: it
 * decides the score only where a bin is (near) empty, e.g. above a codec's cut-off or in silence.
 */
export const SPECTRAL_FLOOR = 1e-8;

/** Mel-cepstral analysis settings for one sample rate: order M (c~_1..c~_M are compared) and alpha. */
export interface McepSettings {
  order: number;
  alpha: number;
}

/**
 * The order and all-pass constant SPTK recommends per sample rate, as ESPnet's MCD script
 * (egs2/TEMPLATE/asr1/pyscripts/utils/evaluate_mcd.py, Huang & Hayashi 2020) uses them. alpha is
 * the value whose all-pass warping best fits the mel scale at that rate (pysptk's mcepalpha gives
 * 0.466 at 24 kHz).
 */
export const MCEP_SETTINGS: Readonly<Record<number, McepSettings>> = {
  16000: { order: 23, alpha: 0.42 },
  22050: { order: 34, alpha: 0.45 },
  24000: { order: 34, alpha: 0.46 },
  44100: { order: 39, alpha: 0.53 },
  48000: { order: 39, alpha: 0.55 },
};

/** Frame settings of the spectral metrics. */
export interface FrameOptions {
  /** Frame (and FFT) length in samples, a power of two. Default 1024 (~43 ms at 24 kHz). */
  nFft?: number;
  /** Hop between frame starts in samples, a positive integer. Default 256 (~10.7 ms at 24 kHz). */
  hop?: number;
}

/** Settings of the mel-cepstral distortion: framing, and the analysis (default: MCEP_SETTINGS[rate]). */
export interface McdOptions extends FrameOptions {
  order?: number;
  alpha?: number;
}

/** All four metrics of one reconstruction; every value is a finite number. */
export interface QualityMetrics {
  /** Signal-to-noise ratio, dB, in [-100, 100]. Higher is better. */
  snrDb: number;
  /** Scale-invariant signal-to-distortion ratio, dB, in [-100, 100]. Higher is better. */
  siSdrDb: number;
  /** Log-spectral distance in log10 power units (1 = 10 dB), >= 0. Lower is better. */
  lsd: number;
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
// 3. Log-spectral distance

/**
 * Log-spectral distance, in log10 power units, as defined for audio super-resolution by Kuleshov,
 * Enam & Ermon ("Audio super resolution using neural networks", ICLR workshop 2017, eq. for LSD) and
 * computed that way by NU-Wave (Lee & Han, Interspeech 2021) and its successors (NU-Wave 2, NVSR,
 * AudioSR). The log-spectral distance of Gray & Markel (1976) is the same RMS log-spectrum difference
 * in dB, i.e. 10 times this value. For each frame t, with P the power spectrum |X_k|^2 (bins
 * k = 0..nFft/2, K = nFft/2 + 1 of them) of the frame multiplied by a periodic Hann window, floored:
 *   LSD_t = sqrt( (1/K) sum_k ( log10 max(P_ref[t,k], 1e-8) - log10 max(P_est[t,k], 1e-8) )^2 ),
 *   LSD = (1/T) sum_t LSD_t   over all T frames (framing: see the module header).
 * Defaults nFft = 1024, hop = 256 at 24 kHz: the same 43 ms window and 10.7 ms hop as NU-Wave's
 * 2048 / 512 at 48 kHz.
 *
 * Reading it: a gain g on est moves every bin by log10(g^2), so LSD(ref, 2 ref) = log10 4 ~ 0.602
 * (6.02 dB) exactly, wherever neither signal is floored. 0 means identical magnitude spectra; papers
 * on 48 kHz bandwidth extension report values of the order of 1 for their outputs and more for
 * band-limited inputs. Digital silence in both signals scores 0 in that frame.
 */
export function logSpectralDistance(ref: Signal, est: Signal, options?: FrameOptions): number {
  checkPair('logSpectralDistance', ref, est);
  const { nFft, hop } = frameSettings('logSpectralDistance', options);
  const bins = nFft / 2 + 1;
  const s = new SpectrumScratch(nFft);
  const frames = frameCount(ref.length, nFft, hop);
  let total = 0;
  for (let f = 0; f < frames; f++) {
    s.powers(ref, est, f, hop);
    let sq = 0;
    for (let k = 0; k < bins; k++) {
      const d = Math.log10(Math.max(s.pRef[k], SPECTRAL_FLOOR)) - Math.log10(Math.max(s.pEst[k], SPECTRAL_FLOOR));
      sq += d * d;
    }
    total += Math.sqrt(sq / bins);
  }
  return total / frames;
}

/** Buffers for the power spectra of one frame of ref and of est. */
class SpectrumScratch {
  readonly frame: Float64Array;
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly pRef: Float64Array;
  readonly pEst: Float64Array;
  constructor(nFft: number) {
    this.frame = new Float64Array(nFft);
    this.re = new Float64Array(nFft);
    this.im = new Float64Array(nFft);
    this.pRef = new Float64Array(nFft / 2 + 1);
    this.pEst = new Float64Array(nFft / 2 + 1);
  }
  /** Fill pRef and pEst with the power spectra of frame f of ref and est. */
  powers(ref: Signal, est: Signal, f: number, hop: number): void {
    readFrame(ref, f, hop, this.frame);
    powerSpectrum(this.frame, this.re, this.im, this.pRef);
    readFrame(est, f, hop, this.frame);
    powerSpectrum(this.frame, this.re, this.im, this.pEst);
  }
}

// ---------------------------------------------------------------------------------------------------
// 4. Mel-cepstral distortion

/**
 * Mel-cepstral distortion in dB (Kubichek, "Mel-cepstral distance measure for objective speech
 * quality assessment", IEEE PACRIM 1993), per frame t, over the mel-cepstra c~ of ref and est:
 *   MCD_t = (10 / ln 10) * sqrt( 2 * sum_{d=1}^{M} (c~_ref[t,d] - c~_est[t,d])^2 ),
 *   MCD = (1/T) sum_t MCD_t   over all T frames, with no time warping (a codec's output is aligned).
 * c~_0, the overall level, is left out as Kubichek does, so a gain on est does not change MCD.
 * The mel-cepstra are SPTK's (see ./mel-cepstrum.ts): the log-amplitude cepstrum of the periodogram of
 * a periodic-Hann-windowed frame (bins floored at SPECTRAL_FLOOR), warped by the all-pass constant
 * alpha and kept to order M. At 24 kHz, M = 34 and alpha = 0.46, with nFft = 1024 and hop = 256 (43 ms
 * and 10.7 ms): the settings of ESPnet's MCD script for 24 kHz (MCEP_SETTINGS). That script differs in
 * three details: it fits the mel-cepstrum with SPTK's mcep, uses a Hamming window, and also counts
 * c~_0 and aligns the frames by DTW (both matter for TTS, not for a codec's aligned, level-matched
 * output).
 *
 * Reading it: with every order kept, MCD_t is exactly the RMS difference in dB between the two
 * log-amplitude spectra (20 log10 |X|) along the mel-warped frequency axis, after removing their mean
 * difference; keeping 34 orders compares smoothed spectral envelopes. TTS and voice-conversion papers
 * typically report 4 to 8 dB (with DTW), resynthesis by good vocoders lower.
 */
export function melCepstralDistortionDb(ref: Signal, est: Signal, sampleRate: number, options?: McdOptions): number {
  checkPair('melCepstralDistortionDb', ref, est);
  checkSampleRate('melCepstralDistortionDb', sampleRate);
  const { nFft, hop } = frameSettings('melCepstralDistortionDb', options);
  const { order, alpha } = mcepSettings(sampleRate, options);
  const s = new SpectrumScratch(nFft);
  const scale = (10 / Math.LN10) * Math.SQRT2;
  const frames = frameCount(ref.length, nFft, hop);
  let total = 0;
  for (let f = 0; f < frames; f++) {
    s.powers(ref, est, f, hop);
    const cRef = melCepstrum(s.pRef, order, alpha, SPECTRAL_FLOOR, s.re, s.im);
    const cEst = melCepstrum(s.pEst, order, alpha, SPECTRAL_FLOOR, s.re, s.im);
    let sq = 0;
    for (let d = 1; d <= order; d++) {
      const diff = cRef[d] - cEst[d];
      sq += diff * diff;
    }
    total += scale * Math.sqrt(sq);
  }
  return total / frames;
}

function mcepSettings(sampleRate: number, options: McdOptions | undefined): McepSettings {
  const standard = MCEP_SETTINGS[sampleRate];
  const order = options?.order ?? standard?.order;
  const alpha = options?.alpha ?? standard?.alpha;
  if (order === undefined || alpha === undefined) {
    throw new Error(
      `melCepstralDistortionDb: no standard mel-cepstrum settings for a sample rate of ${sampleRate} Hz (known: ${Object.keys(MCEP_SETTINGS).join(', ')}); give order and alpha`,
    );
  }
  if (!Number.isInteger(order) || order < 1) throw new Error(`melCepstralDistortionDb: order must be a positive integer, got ${order}`);
  if (!(Math.abs(alpha) < 1)) throw new Error(`melCepstralDistortionDb: alpha must be in (-1, 1), got ${alpha}`);
  return { order, alpha };
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
    lsd: logSpectralDistance(ref, est, options),
    mcdDb: melCepstralDistortionDb(ref, est, sampleRate, options),
  };
}
