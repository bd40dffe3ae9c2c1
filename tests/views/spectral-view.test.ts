// The views of src/views are the losses' own features: on one block, the mean |A - B| of a view is
// that space's L1 loss and the mean (A - B)^2 its L2 loss, as src/losses computes them; a clip
// longer than the view's chunk gives, frame by frame, what one transform over the whole clip gives;
// columns of a long clip are the means of their frames.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KernelCore } from '../../src/kernels/core.js';
import { getLoss } from '../../src/losses/index.js';
import { SPACES } from '../../src/losses/spaces.js';
import { composeStages } from '../../src/losses/transform.js';
import { denseFilterbank, melFilterbank } from '../../src/losses/mel.js';
import { decodeWav } from '../../src/audio/wav-read.js';
import { VIEW_SPACES, type ViewSpace } from '../../src/common/view-spaces.js';
import { spectralView } from '../../src/views/spectral-view.js';
import { MUSIC_DIR, maxAbsDiff, rng } from '../helpers.js';

const core = KernelCore.create();

/** A real excerpt (its first channel; the view does not care about the rate) and a degraded copy: noise and a one-pole low-pass. */
function pair(n: number, seed: number): { a: Float32Array; b: Float32Array } {
  const wav = decodeWav(new Uint8Array(readFileSync(path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav'))));
  const a = wav.samples[0].slice(0, n);
  expect(a.length).toBe(n);
  const r = rng(seed);
  const b = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.7 * y + 0.3 * a[i];
    b[i] = y + 0.01 * (r() - 0.5);
  }
  return { a, b };
}

/** A loss of src/losses on one block: target a, prediction b. */
function lossOf(name: string, a: Float32Array, b: Float32Array): number {
  const loss = getLoss(name).make(core, 1, a.length);
  const target = core.allocF32(a.length);
  const pred = core.allocF32(a.length);
  core.f32(target, a.length).set(a);
  core.f32(pred, b.length).set(b);
  return loss.compute(pred, target, 0);
}

const mean = (x: Float32Array, f: (v: number) => number) => x.reduce((s, v) => s + f(v), 0) / x.length;

describe('a view is what the loss compares', () => {
  const BLOCK = 8192;
  const { a, b } = pair(BLOCK, 1);
  for (const space of VIEW_SPACES) {
    it(`${space}: mean |A - B| is ${space}-l1 and mean (A - B)^2 is ${space}-l2 of the same block`, () => {
      const v = spectralView(core, a, b, space, { maxColumns: 10_000 });
      expect(v.columns).toBe(v.frames);
      expect(v.frames).toBe(1 + BLOCK / 256);
      expect(v.diff.length).toBe(v.frames * v.rows);
      const l1 = lossOf(`${space}-l1`, a, b);
      expect(l1).toBeGreaterThan(1);
      expect(Math.abs(mean(v.diff, Math.abs) / l1 - 1)).toBeLessThan(1e-5);
      const l2 = lossOf(`${space}-l2`, a, b);
      expect(Math.abs(mean(v.diff, (d) => d * d) / l2 - 1)).toBeLessThan(1e-5);
    });
  }

  it('says its units, axes and settings', () => {
    const stft = spectralView(core, a, b, 'stft-db');
    expect(stft).toMatchObject({ unit: 'dB', rows: 513, rowScale: 'linear-hz', sampleRate: 24000, hopSeconds: 256 / 24000 });
    expect(stft.transform).toMatchObject({ nFft: 1024, hop: 256, window: 'periodic Hann', bands: null, dbFloor: 1e-5, floorDb: -100 });
    expect(stft.rowHz[1]).toBeCloseTo(24000 / 1024, 6);
    expect(stft.rowHz[512]).toBe(12000);
    const mel = spectralView(core, a, b, 'mel-db');
    expect(mel).toMatchObject({ rows: 64, rowScale: 'mel' });
    expect(mel.transform.bands).toEqual({ count: 64, scale: 'HTK mel', fMinHz: 0, fMaxHz: 12000, normalized: false });
    // Each band's centre is where its filter peaks: the bin nearest it carries the filter's largest weight.
    const fb = melFilterbank({ nFft: 1024, nMels: 64, sampleRate: 24000, fMin: 0, fMax: 12000 });
    const dense = denseFilterbank(fb);
    mel.rowHz.forEach((hz, m) => {
      const column = Array.from({ length: fb.nFreqs }, (_, k) => dense[k * 64 + m]);
      const peak = column.indexOf(Math.max(...column));
      expect(Math.abs(peak - (hz * 1024) / 24000)).toBeLessThanOrEqual(1);
    });
    for (let m = 1; m < 64; m++) expect(mel.rowHz[m]).toBeGreaterThan(mel.rowHz[m - 1]);
  });
});

describe('a clip longer than one chunk', () => {
  // Not a multiple of the hop, longer than two chunks of 32768: the ends and the chunk seams all count.
  const N = 2 * 32768 + 5000 + 77;
  const { a, b } = pair(N, 2);

  it.each(VIEW_SPACES.map((s) => [s]))('%s: every frame equals one transform over the whole clip', (space: ViewSpace) => {
    const whole = composeStages(core, SPACES[space], { rows: 1, width: N }, false);
    const x = core.allocF32(N);
    core.f32(x, N).set(a);
    const ref = core.f32(whole.forward(x), whole.size).slice();
    const v = spectralView(core, a, b, space, { maxColumns: 100_000 });
    expect(v.frames * v.rows).toBe(ref.length);
    expect(maxAbsDiff(v.a, ref)).toBeLessThan(1e-4);
  });

  it('reduced to fewer columns, each column is the mean of its frames and diff is a - b', () => {
    const full = spectralView(core, a, b, 'mel-db', { maxColumns: 100_000 });
    const v = spectralView(core, a, b, 'mel-db', { maxColumns: 50 });
    expect(v.columns).toBe(50);
    expect(v.framesPerColumn).toBeCloseTo(full.frames / 50, 9);
    expect(v.columnReduction).toMatch(/^mean of the dB values over the 5\.\d frames each column covers/);
    const expected = new Float32Array(50 * 64);
    for (let c = 0; c < 50; c++) {
      const from = Math.ceil((c * full.frames) / 50);
      const to = Math.ceil(((c + 1) * full.frames) / 50);
      for (let r = 0; r < 64; r++) {
        let s = 0;
        for (let f = from; f < to; f++) s += full.a[f * 64 + r];
        expected[c * 64 + r] = s / (to - from);
      }
    }
    expect(maxAbsDiff(v.a, expected)).toBeLessThan(1e-3);
    expect(maxAbsDiff(v.diff, v.a.map((x, i) => x - v.b[i]))).toBe(0);
  });

  it('views A and B over the shorter of the two, and says so', () => {
    const v = spectralView(core, a, b.subarray(0, 20_000), 'stft-db');
    expect(v.lengths).toEqual({ a: N, b: 20_000, viewed: 20_000 });
    expect(v.frames).toBe(1 + Math.floor(20_000 / 256));
  });

  it('refuses a signal too short for one STFT frame (NOT_ENOUGH_AUDIO)', () => {
    expect(() => spectralView(core, a.subarray(0, 512), b, 'mel-db')).toThrow(expect.objectContaining({ code: 'NOT_ENOUGH_AUDIO' }));
  });
});
