// The MUSHRA low-pass anchors: their response measured with sines, their alignment with the reference
// (a listener switches between the two in sync), and the fast filter against a direct convolution.
import { describe, expect, it } from 'vitest';
import { AnchorArgumentError, ANCHOR_CUTOFFS_HZ, anchorTaps, lowPassAnchor } from '../../src/listening/lowpass-anchor.js';
import { maxAbsDiff, rms, rng, sine } from '../helpers.js';

const RATE = 24000;

/** Gain at `freq` in dB, from one second of sine, away from both ends (where the filter sees the edges). */
function gainDb(freq: number, cutoffHz: number, rate = RATE): number {
  const x = sine(freq, rate, rate);
  const y = lowPassAnchor(x, rate, cutoffHz);
  const skip = anchorTaps(rate, cutoffHz).length;
  return 20 * Math.log10(rms(y, skip, x.length - skip) / rms(x, skip, x.length - skip));
}

/** The full linear convolution with `taps`, delayed by half their length, cut to the input's length. */
function directConvolution(x: Float32Array, taps: Float64Array): Float64Array {
  const delay = (taps.length - 1) / 2;
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let s = 0;
    for (let k = 0; k < taps.length; k++) {
      const j = i + delay - k;
      if (j >= 0 && j < x.length) s += taps[k] * x[j];
    }
    y[i] = s;
  }
  return y;
}

describe('the anchors offered', () => {
  it('are 3.5 kHz (the mandatory low anchor) and 7 kHz (the optional mid anchor)', () => {
    expect([...ANCHOR_CUTOFFS_HZ]).toEqual([3500, 7000]);
  });
});

describe.each([
  { cutoff: 3500, pass: [100, 500, 1000, 3000], stop: [3500, 4000, 6000, 11000] },
  { cutoff: 7000, pass: [500, 3000, 6000], stop: [7000, 8000, 11000] },
])('the $cutoff Hz anchor at 24 kHz', ({ cutoff, pass, stop }) => {
  it.each(pass)('passes %d Hz within 0.1 dB of unity', (freq) => {
    expect(Math.abs(gainDb(freq, cutoff))).toBeLessThan(0.1);
  });

  it.each(stop)('takes %d Hz at least 60 dB down', (freq) => {
    expect(gainDb(freq, cutoff)).toBeLessThan(-60);
  });
});

describe('the 3500 Hz anchor at 48 kHz', () => {
  it('has the same bands: 3000 Hz passed, 3500 Hz and up stopped', () => {
    expect(Math.abs(gainDb(3000, 3500, 48000))).toBeLessThan(0.1);
    expect(gainDb(3500, 3500, 48000)).toBeLessThan(-60);
    expect(gainDb(20000, 3500, 48000)).toBeLessThan(-60);
  });
});

describe('an anchor', () => {
  it.each([0, 1, 7, 100, 274, 275, 1775, 10001, 48000])('has the length of its input: %d samples', (n) => {
    const x = new Float32Array(n).fill(0.1);
    expect(lowPassAnchor(x, RATE, 3500).length).toBe(n);
  });

  it('returns a new array and leaves the input alone', () => {
    const x = sine(440, RATE, 2000);
    const before = Float32Array.from(x);
    const y = lowPassAnchor(x, RATE, 3500);
    expect(y).not.toBe(x);
    expect(x).toEqual(before);
  });

  it.each(ANCHOR_CUTOFFS_HZ)('keeps a click where it was (%d Hz): peak at the same sample, symmetric about it', (cutoff) => {
    const x = new Float32Array(9000);
    const at = 4321;
    x[at] = 1;
    const y = lowPassAnchor(x, RATE, cutoff);
    let peak = 0;
    for (let i = 1; i < y.length; i++) if (Math.abs(y[i]) > Math.abs(y[peak])) peak = i;
    expect(peak).toBe(at);
    for (let k = 1; k < 400; k++) expect(y[at + k]).toBeCloseTo(y[at - k], 6);
  });

  it('keeps a low sine in phase with the reference, sample for sample', () => {
    const x = sine(220, RATE, RATE);
    const y = lowPassAnchor(x, RATE, 3500);
    const skip = anchorTaps(RATE, 3500).length;
    // A one-sample shift of a 0.5-amplitude 220 Hz sine would differ by up to 0.029.
    expect(maxAbsDiff(x.subarray(skip, -skip), y.subarray(skip, -skip))).toBeLessThan(1e-3);
  });

  it.each(ANCHOR_CUTOFFS_HZ)('has unity gain at DC (%d Hz)', (cutoff) => {
    const taps = anchorTaps(RATE, cutoff);
    expect(taps.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    const x = new Float32Array(6000).fill(0.25);
    const y = lowPassAnchor(x, RATE, cutoff);
    const skip = taps.length;
    for (let i = skip; i < x.length - skip; i++) expect(Math.abs(y[i] - 0.25)).toBeLessThan(1e-6);
  });

  it.each(ANCHOR_CUTOFFS_HZ)('has symmetric taps of odd length (linear phase, whole-sample delay) at %d Hz', (cutoff) => {
    const taps = anchorTaps(RATE, cutoff);
    expect(taps.length % 2).toBe(1);
    for (let k = 0; k < taps.length; k++) expect(taps[k]).toBe(taps[taps.length - 1 - k]);
  });

  it.each([
    { cutoff: 3500, n: 10001 },
    { cutoff: 7000, n: 5000 },
    { cutoff: 3500, n: 150 },
  ])('equals a direct convolution with its taps, zeros outside ($cutoff Hz, $n samples)', ({ cutoff, n }) => {
    const random = rng(n + cutoff);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 2 * random() - 1;
    const fast = lowPassAnchor(x, RATE, cutoff);
    const slow = directConvolution(x, anchorTaps(RATE, cutoff));
    expect(maxAbsDiff(fast, slow)).toBeLessThan(1e-5);
  });
});

/** What `f` throws; undefined if it returns. */
function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('an anchor asked for with bad arguments', () => {
  const silence = new Float32Array(100);

  it.each([0, -3500, RATE / 2, RATE, Number.NaN, Number.POSITIVE_INFINITY])('refuses cutoff %d', (cutoff) => {
    const e = thrownBy(() => lowPassAnchor(silence, RATE, cutoff));
    expect(e).toBeInstanceOf(RangeError);
    expect(e).toBeInstanceOf(AnchorArgumentError);
    expect((e as AnchorArgumentError).code).toBe('ANCHOR_BAD_CUTOFF');
    expect((e as Error).message).toMatch(/cutoff must be above 0 Hz and below half the sample rate \(12000 Hz\)/);
  });

  it.each([0, -24000, 24000.5, Number.NaN])('refuses sample rate %d', (rate) => {
    const e = thrownBy(() => lowPassAnchor(silence, rate, 3500));
    expect(e).toBeInstanceOf(RangeError);
    expect((e as AnchorArgumentError).code).toBe('ANCHOR_BAD_SAMPLE_RATE');
    expect((e as Error).message).toMatch(/sample rate must be a positive whole number/);
  });
});
