import { describe, expect, it } from 'vitest';
import { learningRate, scheduleGamma } from '../../src/optim/schedule.js';

describe('learning-rate schedules', () => {
  it('constant stays put', () => {
    expect([0, 10, 999].map((s) => learningRate(1e-3, s, 1000, { name: 'constant' }))).toEqual([1e-3, 1e-3, 1e-3]);
  });

  it('linear warm-up climbs to the base rate, then the schedule takes over', () => {
    const s = { name: 'constant' as const, warmupSteps: 4 };
    const got = [0, 1, 2, 3, 4, 50].map((k) => learningRate(0.1, k, 100, s));
    [0.025, 0.05, 0.075, 0.1, 0.1, 0.1].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 15));
  });

  it('step decay multiplies by gamma every stepSize steps', () => {
    const s = { name: 'step' as const, stepSize: 10, gamma: 0.5 };
    expect([0, 9, 10, 19, 20, 35].map((k) => learningRate(1, k, 100, s))).toEqual([1, 1, 0.5, 0.5, 0.25, 0.125]);
  });

  it('cosine goes from the base rate to minLr by the last step, through the midpoint halfway', () => {
    const s = { name: 'cosine' as const, minLr: 0.1 };
    expect(learningRate(1, 0, 100, s)).toBeCloseTo(1, 12);
    expect(learningRate(1, 50, 100, s)).toBeCloseTo(0.55, 12);
    expect(learningRate(1, 100, 100, s)).toBeCloseTo(0.1, 12);
    // With warm-up the cosine starts after it.
    expect(learningRate(1, 10, 110, { name: 'cosine', warmupSteps: 10 })).toBeCloseTo(1, 12);
    expect(learningRate(1, 60, 110, { name: 'cosine', warmupSteps: 10 })).toBeCloseTo(0.5, 12);
  });

  it('inverse time is lr / (1 + gamma t): half the rate at t = 1 / gamma, a tenth at the last step by default', () => {
    const s = { name: 'inverse-time' as const, gamma: 0.01 };
    expect(learningRate(0.2, 0, 1000, s)).toBe(0.2);
    expect(learningRate(0.2, 100, 1000, s)).toBeCloseTo(0.1, 15);
    expect(learningRate(0.2, 300, 1000, s)).toBeCloseTo(0.05, 15);
    expect(learningRate(1, 1000, 1000, { name: 'inverse-time' })).toBeCloseTo(0.1, 12);
    // After a warm-up, t counts from its end.
    expect(learningRate(1, 15, 1000, { name: 'inverse-time', gamma: 0.2, warmupSteps: 10 })).toBeCloseTo(0.5, 15);
  });

  it('exponential is lr * gamma^t, per step; by default a tenth at the last step', () => {
    const s = { name: 'exponential' as const, gamma: 0.99 };
    expect(learningRate(1, 0, 1000, s)).toBe(1);
    expect(learningRate(1, 1, 1000, s)).toBeCloseTo(0.99, 15);
    expect(learningRate(1, 100, 1000, s)).toBeCloseTo(0.99 ** 100, 14);
    expect(learningRate(1, 500, 500, { name: 'exponential' })).toBeCloseTo(0.1, 12);
    expect(scheduleGamma({ name: 'exponential' }, 500)).toBeCloseTo(0.1 ** (1 / 500), 15);
    expect(scheduleGamma({ name: 'inverse-time' }, 900)).toBeCloseTo(0.01, 15);
    expect(scheduleGamma({ name: 'step' }, 900)).toBe(0.1);
  });
});
