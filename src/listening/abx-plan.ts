// Which side X is in each trial of an ABX test. The seed is 32 bytes from the operating system's
// cryptographic random source (node:crypto randomBytes), recorded in the test; X of trial t
// (t = 1, 2, ...) is the lowest bit of the first byte of SHA-256(seed || t as 4 bytes, big-endian):
// 0 is A, 1 is B. Why so:
// - anyone checking a stored test recomputes the whole plan from its seed (the reader refuses a file
//   whose plan disagrees), so the record cannot claim a plan it did not use;
// - SHA-256 of a secret 256-bit seed is unpredictable: the sides of earlier trials (which the
//   listener may learn, e.g. with practice feedback) say nothing about later ones, which a seeded
//   ordinary generator (mulberry32, src/util/random.ts) could not promise.
// Each trial is drawn independently, as in the classic ABX: a plan of 16 is not forced to 8 and 8,
// which would let a listener who counted guess the last trials.
import { createHash, randomBytes } from 'node:crypto';

export type Side = 'A' | 'B';

export const SEED_BYTES = 32;
/** A seed as stored: 64 lowercase hex digits. */
export const SEED_PATTERN = /^[0-9a-f]{64}$/;

/** A fresh seed from the cryptographic random source, as hex. */
export function newAbxSeed(): string {
  return randomBytes(SEED_BYTES).toString('hex');
}

/** The side X is in trial `trial` (counted from 1) of the test with this seed. */
export function xOfTrial(seedHex: string, trial: number): Side {
  if (!SEED_PATTERN.test(seedHex)) throw new RangeError('an ABX seed is 64 hex digits');
  if (!Number.isInteger(trial) || trial < 1 || trial > 0xffffffff) throw new RangeError(`trial ${trial} is not a trial number`);
  const index = Buffer.alloc(4);
  index.writeUInt32BE(trial);
  const digest = createHash('sha256').update(Buffer.from(seedHex, 'hex')).update(index).digest();
  return (digest[0] & 1) === 0 ? 'A' : 'B';
}

/** X of every trial, 1 to `trials`, in order. */
export function abxPlan(seedHex: string, trials: number): Side[] {
  return Array.from({ length: trials }, (_, i) => xOfTrial(seedHex, i + 1));
}
