// The Pareto front of the rate-quality view: the runs no other run beats on both measures, with each
// measure's own direction; ties, a single run and missing figures; and the staircase it is drawn as.
import { describe, expect, it } from 'vitest';
import { frontSteps, paretoFront, type XY } from '../../renderer/src/lib/pareto.js';

const pts = (...xy: [number | null, number | null][]): XY[] => xy.map(([x, y]) => ({ x, y }));

describe('paretoFront', () => {
  // Bit rate (lower is better) against SI-SDR (higher is better).
  const rateSdr = pts([6, 10], [12, 14], [12, 9], [3, 4], [9, 8], [18, 14]);

  it('keeps the runs no other is cheaper and better than, for a rate against a higher-is-better quality', () => {
    // (12, 9) loses to (6, 10); (9, 8) to (6, 10); (18, 14) to (12, 14): as good, at a higher rate.
    expect(paretoFront(rateSdr, 'lower', 'higher')).toEqual([true, true, false, true, false, false]);
  });

  it('follows the quality\'s direction: with a loss (lower is better) the front is the low-loss corner', () => {
    expect(paretoFront(rateSdr, 'lower', 'lower')).toEqual([false, false, false, true, false, false]);
    const rateLoss = pts([6, -20], [12, -25], [3, -10], [12, -24]);
    expect(paretoFront(rateLoss, 'lower', 'lower')).toEqual([true, true, true, false]);
  });

  it('follows the cost\'s direction: a higher speed is better', () => {
    // Speed (higher is better) against SI-SDR: (200, 6) is faster than (100, 8) but worse, so both stay;
    // (90, 5) is slower and worse than both.
    expect(paretoFront(pts([100, 8], [200, 6], [90, 5]), 'higher', 'higher')).toEqual([true, true, false]);
    // The same figures read as a bit rate (lower is better): (90, 5) is now cheapest.
    expect(paretoFront(pts([100, 8], [200, 6], [90, 5]), 'lower', 'higher')).toEqual([true, false, true]);
  });

  it('keeps both of two runs with the same figures (neither beats the other) and drops a run beaten on one measure only', () => {
    expect(paretoFront(pts([6, 10], [6, 10], [6, 9], [7, 10]), 'lower', 'higher')).toEqual([true, true, false, false]);
  });

  it('puts a single run on its front, and no run at all makes an empty front', () => {
    expect(paretoFront(pts([12, 3]), 'lower', 'higher')).toEqual([true]);
    expect(paretoFront([], 'lower', 'higher')).toEqual([]);
  });

  it('leaves a run with a missing or non-finite figure off the front, and it beats no one', () => {
    const withGaps: XY[] = [{ x: 1, y: null }, { x: null, y: 100 }, { x: 2, y: Number.NaN }, { x: undefined, y: 5 }, { x: Infinity, y: 1 }, { x: 6, y: 10 }];
    expect(paretoFront(withGaps, 'lower', 'higher')).toEqual([false, false, false, false, false, true]);
  });
});

describe('frontSteps', () => {
  it('holds each quality rightwards for a bit rate: any higher rate can afford the cheaper run', () => {
    expect(frontSteps(pts([12, 14], [3, 4], [6, 10]), 'lower')).toEqual([[3, 4], [6, 4], [6, 10], [12, 10], [12, 14]]);
  });

  it('holds each quality leftwards for a speed: the faster run also meets any lower speed', () => {
    expect(frontSteps(pts([200, 6], [100, 8]), 'higher')).toEqual([[100, 8], [100, 6], [200, 6]]);
  });

  it('draws one corner for one run, and one for two runs with the same figures', () => {
    expect(frontSteps(pts([5, 1]), 'lower')).toEqual([[5, 1]]);
    expect(frontSteps(pts([5, 1], [5, 1]), 'lower')).toEqual([[5, 1]]);
    expect(frontSteps([], 'lower')).toEqual([]);
  });
});
