// The MUSHRA page's own rules: what stops a submission, how the keys move a score, how Compare
// prints a mean, and how long each slot has been heard.
import { describe, expect, it } from 'vitest';
import { bandOf, fmtMushraMean, missingForSubmit, stepScore } from '../../renderer/src/lib/mushra-scale.js';
import { HeardClock } from '../../renderer/src/lib/heard-clock.js';

describe('the MUSHRA scale', () => {
  it('names what is missing before a submission, slots counted from 1', () => {
    expect(missingForSubmit([null, 50, null], [0, 10, 5])).toBe('play #1; score #1, #3');
    expect(missingForSubmit([10, 50], [0, 0])).toBe('play #1, #2');
    expect(missingForSubmit([0, 100], [1, 2])).toBeNull();
  });

  it('moves a score in whole steps, kept on 0 to 100; an unscored slot moves from 0', () => {
    expect(stepScore(null, 1)).toBe(1);
    expect(stepScore(null, -1)).toBe(0);
    expect(stepScore(95, 10)).toBe(100);
    expect(stepScore(42.4, 0)).toBe(42);
  });

  it('puts a boundary in the band above (BS.1534-3: 80 is Excellent, 20 Poor)', () => {
    expect([100, 80, 79, 60, 40, 20, 19, 0].map(bandOf)).toEqual(['Excellent', 'Excellent', 'Good', 'Good', 'Fair', 'Poor', 'Bad', 'Bad']);
  });

  it('prints a mean with its interval clipped to the scale, or says there is none', () => {
    expect(fmtMushraMean({ mean: 72.4, n: 4, low: 64.6, high: 79.4 })).toBe('MUSHRA 72 [65–79], n = 4');
    expect(fmtMushraMean({ mean: 97, n: 3, low: 91.2, high: 102.8 })).toBe('MUSHRA 97 [91–100], n = 3');
    expect(fmtMushraMean({ mean: 55, n: 1, low: null, high: null })).toBe('MUSHRA 55, n = 1, no interval');
  });
});

describe('HeardClock', () => {
  it('counts time only for the slot heard, from where the stored draft left off', () => {
    const clock = new HeardClock([0, 250, 0]);
    clock.mark(0, 1000); // slot 1 audible and playing
    clock.mark(null, 1400.2); // the reference, or paused
    clock.mark(2, 2000);
    clock.settle(2000.5);
    expect(clock.rounded()).toEqual([401, 250, 1]); // rounded up: a slot heard at all is never 0
    clock.mark(null, 3000);
    clock.settle(9000);
    expect(clock.rounded()).toEqual([401, 250, 1000]);
  });
});
