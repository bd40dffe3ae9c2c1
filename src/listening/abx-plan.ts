// Which side X is in each trial of an ABX test. The seed is the test's secret (src/listening/seed.ts);
// X of trial t (t = 1, 2, ...) is the lowest bit of the first byte of SHA-256(seed || t as 4 bytes,
// big-endian): 0 is A, 1 is B. Each trial is drawn independently, as in the classic ABX: a plan of
// 16 is not forced to 8 and 8, which would let a listener who counted guess the last trials.
import { seededDigest } from './seed.js';

export type Side = 'A' | 'B';

/** The side X is in trial `trial` (counted from 1) of the test with this seed. */
export function xOfTrial(seedHex: string, trial: number): Side {
  if (!Number.isInteger(trial) || trial < 1 || trial > 0xffffffff) throw new RangeError(`trial ${trial} is not a trial number`);
  return (seededDigest(seedHex, '', trial)[0] & 1) === 0 ? 'A' : 'B';
}

/** X of every trial, 1 to `trials`, in order. */
export function abxPlan(seedHex: string, trials: number): Side[] {
  return Array.from({ length: trials }, (_, i) => xOfTrial(seedHex, i + 1));
}
