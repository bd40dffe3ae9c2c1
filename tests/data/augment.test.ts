// The augmentations: noise at the signal-to-noise ratio asked for, and the tilt's shelf response
// (0 dB at DC, the gain at Nyquist, a boost and a cut of the same size mirror each other).
import { describe, expect, it } from 'vitest';
import { addNoiseAtSnr, gaussian, highShelf, TILT_CORNER_HZ } from '../../src/data/augment.js';
import { Random } from '../../src/util/random.js';
import { rms, sine } from '../helpers.js';

/** The shelf's gain in dB at `hz`, measured with a sine on its steady part. */
function gainAt(hz: number, gainDb: number): number {
  const x = sine(hz, 24000, 24000, 0.5);
  const y = Float32Array.from(x);
  highShelf(y, 24000, TILT_CORNER_HZ, gainDb);
  return 20 * Math.log10(rms(y, 12000) / rms(x, 12000));
}

describe('augmentations', () => {
  it('draws standard normal values', () => {
    const rng = new Random(1);
    const v = Array.from({ length: 200_000 }, () => gaussian(rng));
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it.each([0, 10, 30])('adds noise at %s dB SNR relative to the example itself, and leaves silence silent', (snr) => {
    const x = sine(440, 24000, 48000, 0.3);
    const y = Float32Array.from(x);
    addNoiseAtSnr(y, snr, new Random(2));
    const noise = y.map((v, i) => v - x[i]);
    expect(20 * Math.log10(rms(x) / rms(noise))).toBeCloseTo(snr, 1);
    const silent = new Float32Array(100);
    addNoiseAtSnr(silent, snr, new Random(2));
    expect(silent.every((v) => v === 0)).toBe(true);
  });

  it.each([6, -6, 12, -12])('shelves by %s dB: 0 dB in the bass, the full gain near Nyquist, monotonic between', (g) => {
    expect(Math.abs(gainAt(50, g))).toBeLessThan(0.2);
    expect(Math.abs(gainAt(11000, g) - g)).toBeLessThan(0.15);
    // It turns around the corner: a quarter to four fifths of the way at 1 kHz, and never back.
    const mid = gainAt(TILT_CORNER_HZ, g) / g;
    expect(mid > 0.25 && mid < 0.8).toBe(true);
    const sweep = [50, 200, 500, 1000, 2000, 5000, 11000].map((hz) => gainAt(hz, g) / g);
    sweep.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(sweep[i]));
    // A cut mirrors the boost of the same size.
    expect(gainAt(2000, g) + gainAt(2000, -g)).toBeCloseTo(0, 1);
  });
});
