import { describe, expect, it } from 'vitest';
import { applyMel, applyMelBackward, denseFilterbank, hzToMel, melFilterbank, melToHz } from '../../src/losses/mel.js';

const fb = melFilterbank({ nFft: 1024, nMels: 64, sampleRate: 24000, fMin: 0, fMax: 12000 });
const dense = denseFilterbank(fb);
const w = (k: number, m: number) => dense[k * 64 + m];

describe('mel filterbank (HTK, 64 bands, 0-12 kHz, n_fft 1024 at 24 kHz)', () => {
  it('uses the HTK mel scale', () => {
    expect(hzToMel(700)).toBeCloseTo(2595 * Math.log10(2), 10);
    expect(hzToMel(12000)).toBeCloseTo(3266.3412420437, 8);
    expect(melToHz(hzToMel(1234.5))).toBeCloseTo(1234.5, 9);
  });

  it('matches weights computed by hand', () => {
    // Edges are 66 points evenly spaced in mel from 0 to 3266.34: edge 1 = melToHz(3266.34/65) = 31.9185 Hz,
    // edge 2 = 65.2925 Hz. Bin 1 sits at 24000/1024 = 23.4375 Hz, on the rising side of filter 0:
    // 23.4375 / 31.9185 = 0.734291.
    expect(w(1, 0)).toBeCloseTo(23.4375 / 31.91853076881643, 6);
    expect(w(1, 0)).toBeCloseTo(0.7342913, 6);
    // Bin 2 (46.875 Hz) lies between edges 1 and 2: falling side of filter 0, rising side of filter 1.
    expect(w(2, 0)).toBeCloseTo((65.29247954683267 - 46.875) / (65.29247954683267 - 31.91853076881643), 6);
    expect(w(2, 0)).toBeCloseTo(0.5518520, 6);
    expect(w(2, 1)).toBeCloseTo(0.4481480, 6);
    expect(w(10, 5)).toBeCloseTo(0.5286634, 6);
    expect(w(500, 63)).toBeCloseTo(0.5078187, 6);
    // The DC bin and a bin far from a filter get nothing; the Nyquist bin is the top edge.
    expect(w(0, 0)).toBe(0);
    expect(w(100, 30)).toBe(0);
    expect(w(512, 63)).toBeLessThan(1e-6);
  });

  it('has triangles that peak below 1 and overlap so neighbours sum to about 1 in the middle', () => {
    for (let m = 0; m < 64; m++) {
      let peak = 0;
      for (let k = 0; k < 513; k++) peak = Math.max(peak, w(k, m));
      expect(peak).toBeGreaterThan(0.4);
      expect(peak).toBeLessThanOrEqual(1);
    }
    for (const k of [50, 200, 400]) {
      let s = 0;
      for (let m = 0; m < 64; m++) s += w(k, m);
      expect(s).toBeCloseTo(1, 5);
    }
  });

  it('applies as a matrix product, and its backward is the transpose', () => {
    const frames = 3;
    const mag = Float32Array.from({ length: frames * 513 }, (_, i) => Math.abs(Math.sin(i * 0.37)));
    const mel = new Float32Array(frames * 64);
    applyMel(fb, mag, mel, frames);
    for (const [f, m] of [[0, 0], [1, 20], [2, 63]]) {
      let ref = 0;
      for (let k = 0; k < 513; k++) ref += mag[f * 513 + k] * w(k, m);
      expect(mel[f * 64 + m]).toBeCloseTo(ref, 4);
    }
    // <fb x, y> = <x, fb^T y>
    const y = Float32Array.from({ length: frames * 64 }, (_, i) => Math.cos(i));
    const back = new Float32Array(frames * 513);
    applyMelBackward(fb, y, back, frames);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < mel.length; i++) lhs += mel[i] * y[i];
    for (let i = 0; i < mag.length; i++) rhs += mag[i] * back[i];
    expect(lhs).toBeCloseTo(rhs, 3);
  });
});
