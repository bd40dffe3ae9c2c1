// The learning-rate range test: rates rising evenly in log(lr) from the first to the last, the
// suggestions read off a known curve, and a real short test on music that stops once the loss climbs.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readWav } from '../../src/audio/wav-read.js';
import { prepareAudio } from '../../src/audio/prepare.js';
import { resolveConfig } from '../../src/train/config.js';
import { checkLrRange, lrRangeTest, rangeLr, suggest, type LrRangePoint } from '../../src/train/lr-range.js';
import { MUSIC_DIR } from '../helpers.js';

describe('learning-rate range test', () => {
  it('steps the rate evenly in log(lr) from the start to the end of the range', () => {
    const o = { minLr: 1e-5, maxLr: 1e-1, steps: 5 };
    expect([0, 1, 2, 3, 4].map((i) => rangeLr(o, i))).toEqual([1e-5, 1e-4, 1e-3, 1e-2, 1e-1].map((v, i) => expect.closeTo(v, 15 - i)));
    expect(() => checkLrRange({ minLr: 0, maxLr: 1, steps: 50 })).toThrow(/0 < min lr < max lr < 10/);
    expect(() => checkLrRange({ minLr: 1e-3, maxLr: 1e-4, steps: 50 })).toThrow(/0 < min lr < max lr < 10/);
    expect(() => checkLrRange({ minLr: 1e-5, maxLr: 1, steps: 5 })).toThrow(/10 to 10000 steps/);
  });

  it('reads the suggestions off the curve: lowest at 1e-2 suggests 1e-3; the fall is steepest where the curve drops', () => {
    const o = { minLr: 1e-6, maxLr: 1, steps: 61 };
    // Flat at 1 until 1e-4, down to 0.2 by 1e-2 (steepest around 1e-3), then up.
    const points: LrRangePoint[] = Array.from({ length: 61 }, (_, i) => {
      const lr = rangeLr(o, i);
      const x = Math.log10(lr);
      const smoothed = x < -4 ? 1 : x < -2 ? 1 - 0.8 * ((x + 4) / 2) ** 2 * (3 - (x + 4)) : 0.2 + (x + 2) ** 2;
      return { step: i + 1, lr, loss: smoothed, smoothed };
    });
    const s = suggest(points, o);
    expect(s.minLossLr).toBeCloseTo(1e-2, 10);
    expect(s.suggestedLr).toBeCloseTo(1e-3, 10);
    expect(Math.log10(s.steepestLr!)).toBeGreaterThan(-3.6);
    expect(Math.log10(s.steepestLr!)).toBeLessThan(-2.4);
    expect(s.sentence).toMatch(/lowest at lr ≈ 0\.010; a rate around a tenth of that, 0\.0010, is a safe start/);
    expect(suggest(points.slice(0, 2), o).suggestedLr).toBeNull();
  });

  it('runs on music from the initial weights, its rate rising each step, until the loss climbs well past its lowest', async () => {
    const wav = await readWav(path.join(MUSIC_DIR, 'piano_openmsx_slow_and_easy.wav'));
    const clips = [{ name: 'piano', audio: (await prepareAudio(wav)).mono }];
    const config = resolveConfig({ preset: 'tiny', loss: 'wave-l1', batch: 2, segment: 4096, seed: 3, optimizer: { name: 'sgd' } });
    const seen: number[] = [];
    const r = lrRangeTest(clips, config, { minLr: 1e-4, maxLr: 9.9, steps: 40 }, (p) => seen.push(p.lr));
    expect(seen.length).toBe(r.points.length);
    r.points.slice(1).forEach((p, i) => expect(p.lr).toBeGreaterThan(r.points[i].lr));
    // Plain SGD at a rate near 10 blows the codec's output up: the test ends before its last step.
    expect(r.stopped).not.toBe('completed');
    expect(r.points.length).toBeLessThan(40);
    expect(r.suggestedLr).toBeGreaterThan(0);
  });
});
