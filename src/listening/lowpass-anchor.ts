// The low-pass anchors of a MUSHRA test (ITU-R BS.1534-3): the reference band-limited to 3.5 kHz
// (the mandatory low anchor) and to 7 kHz (the optional mid anchor). The listener switches in sync
// between the reference and the anchors, so the filter is linear-phase and its group delay is removed:
// the anchor is the same length as the reference and sample-aligned with it.
//
// Design: the window method with a Kaiser window (Oppenheim & Schafer, Discrete-Time Signal
// Processing, 3rd ed., sections 7.5.3 and 7.6.1; Kaiser's empirical formulas):
//   A = -20 log10(delta),  beta = 0.1102 (A - 8.7) for A > 50,  M = (A - 8) / (2.285 dw),
// where dw is the transition width in radians per sample and M + 1 the number of taps.
// - Transition band: 10% of the cutoff, ENDING at the cutoff (passband edge 0.9 fc, stopband edge fc,
//   the ideal sinc cut halfway, at 0.95 fc). The recommendation describes the anchor by its bandwidth,
//   so nothing at or above the nominal 3.5 kHz may be heard through it; a band centred on the cutoff
//   would let 3.5-3.675 kHz leak through at up to -6 dB.
// - A = 65 dB: the brief asks for at least 60 dB; Kaiser's length formula is approximate (within a
//   couple of taps), so 5 dB of margin keeps every sample rate above 60 dB. The window method ripples
//   equally in both bands, so the passband is then flat to 20 log10(1 + 10^(-65/20)) = 0.005 dB.
// - M is rounded up to an even number: a type I filter whose delay M/2 is a whole number of samples,
//   so removing it is exact (no fractional shift left between reference and anchor).
// Filtering is FFT overlap-add (fftInPlace, the project's radix-2 FFT) rather than direct convolution:
// a 3-minute clip at 24 kHz times ~270 taps is over a billion multiply-adds directly.
import { fftInPlace } from '../eval/spectrum.js';

export const ANCHOR_CUTOFFS_HZ = [3500, 7000] as const;
export type AnchorCutoff = (typeof ANCHOR_CUTOFFS_HZ)[number];

/** Stopband attenuation the taps are designed for, in dB (see the header for the margin over 60). */
const DESIGN_ATTENUATION_DB = 65;
/** Transition width as a fraction of the cutoff; the band ends at the cutoff. */
const TRANSITION_FRACTION = 0.1;

export type AnchorArgumentCode = 'ANCHOR_BAD_SAMPLE_RATE' | 'ANCHOR_BAD_CUTOFF';

/** An anchor asked for with a sample rate or cutoff no filter can have; `code` is stable. */
export class AnchorArgumentError extends RangeError {
  constructor(
    readonly code: AnchorArgumentCode,
    message: string,
  ) {
    super(message);
    this.name = 'AnchorArgumentError';
  }
}

function checkArguments(sampleRate: number, cutoffHz: number): void {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new AnchorArgumentError('ANCHOR_BAD_SAMPLE_RATE', `low-pass anchor: the sample rate must be a positive whole number of Hz, got ${sampleRate}`);
  }
  const nyquist = sampleRate / 2;
  if (!Number.isFinite(cutoffHz) || cutoffHz <= 0 || cutoffHz >= nyquist) {
    throw new AnchorArgumentError(
      'ANCHOR_BAD_CUTOFF',
      `low-pass anchor: the cutoff must be above 0 Hz and below half the sample rate (${nyquist} Hz), got ${cutoffHz}`,
    );
  }
}

/** The modified Bessel function of the first kind, order 0, by its power series (converges for all x). */
function besselI0(x: number): number {
  const q = (x / 2) * (x / 2);
  let term = 1;
  let sum = 1;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/**
 * The anchor's FIR taps (odd length, symmetric, summing to 1 so the gain at DC is exactly unity).
 * Exported so tests can check the fast filter against a direct convolution with the same taps.
 */
export function anchorTaps(sampleRate: number, cutoffHz: number): Float64Array {
  checkArguments(sampleRate, cutoffHz);
  const transitionRadians = (2 * Math.PI * TRANSITION_FRACTION * cutoffHz) / sampleRate;
  const a = DESIGN_ATTENUATION_DB;
  const beta = 0.1102 * (a - 8.7);
  let order = Math.ceil((a - 8) / (2.285 * transitionRadians));
  if (order % 2 === 1) order++;
  const centre = order / 2;
  const cutRadians = (2 * Math.PI * (1 - TRANSITION_FRACTION / 2) * cutoffHz) / sampleRate;
  const i0Beta = besselI0(beta);
  const taps = new Float64Array(order + 1);
  let sum = 0;
  for (let n = 0; n <= order; n++) {
    const t = n - centre;
    const ideal = t === 0 ? cutRadians / Math.PI : Math.sin(cutRadians * t) / (Math.PI * t);
    const r = t / centre;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    taps[n] = ideal * window;
    sum += taps[n];
  }
  for (let n = 0; n <= order; n++) taps[n] /= sum;
  return taps;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/**
 * `audio` low-pass filtered at `cutoffHz` (stopband from the cutoff up, at least 60 dB down), the
 * same length as the input and time-aligned with it. Samples outside the input count as zero.
 */
export function lowPassAnchor(audio: Float32Array, sampleRate: number, cutoffHz: number): Float32Array {
  const taps = anchorTaps(sampleRate, cutoffHz);
  const n = audio.length;
  const tapCount = taps.length;
  const delay = (tapCount - 1) / 2;
  if (n === 0) return new Float32Array(0);

  // An FFT about 4x the filter length keeps the cost per output sample near its minimum; a short
  // input needs no FFT longer than its whole linear convolution.
  const size = Math.min(nextPowerOfTwo(4 * tapCount), nextPowerOfTwo(n + tapCount - 1));
  const block = size - tapCount + 1;
  const filterRe = new Float64Array(size);
  const filterIm = new Float64Array(size);
  filterRe.set(taps);
  fftInPlace(filterRe, filterIm);

  // The full convolution's sample j lands at output j - delay; the rest (the tails) is dropped.
  const out = new Float64Array(n);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const scale = 1 / size;
  // Two blocks per FFT: block one as the real part, block two as the imaginary part. The taps are
  // real, so convolving the complex signal convolves each part separately, and the two results come
  // back as the real and imaginary parts.
  for (let first = 0; first < n; first += 2 * block) {
    const second = first + block;
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < block && first + i < n; i++) re[i] = audio[first + i];
    for (let i = 0; i < block && second + i < n; i++) im[i] = audio[second + i];
    fftInPlace(re, im);
    for (let k = 0; k < size; k++) {
      const xr = re[k];
      const xi = im[k];
      re[k] = xr * filterRe[k] - xi * filterIm[k];
      im[k] = xr * filterIm[k] + xi * filterRe[k];
    }
    // The inverse FFT by the forward one with real and imaginary parts swapped (the output comes back
    // swapped too, i.e. the right way round in re/im), then divided by the size.
    fftInPlace(im, re);
    accumulate(out, re, first - delay, scale);
    if (second < n) accumulate(out, im, second - delay, scale);
  }
  return Float32Array.from(out);
}

/** Add `scale * part[i]` to `out[offset + i]` wherever that index is inside `out`. */
function accumulate(out: Float64Array, part: Float64Array, offset: number, scale: number): void {
  const from = Math.max(0, -offset);
  const to = Math.min(part.length, out.length - offset);
  for (let i = from; i < to; i++) out[offset + i] += scale * part[i];
}
