// The secret seed of a listening test, and the random numbers drawn from it. The seed is 32 bytes
// from the operating system's cryptographic random source (node:crypto randomBytes), recorded in the
// test; every draw is SHA-256(seed || a label || a counter), so:
// - anyone checking a stored test recomputes its whole plan (ABX's X of each trial, MUSHRA's order)
//   from the seed, and the reader refuses a file whose plan disagrees;
// - SHA-256 of a secret 256-bit seed is unpredictable: what a listener learns of earlier draws says
//   nothing about later ones, which a seeded ordinary generator (mulberry32, src/util/random.ts)
//   could not promise.
import { createHash, randomBytes } from 'node:crypto';

export const SEED_BYTES = 32;
/** A seed as stored: 64 lowercase hex digits. */
export const SEED_PATTERN = /^[0-9a-f]{64}$/;

/** A fresh seed from the cryptographic random source, as hex. */
export function newSeed(): string {
  return randomBytes(SEED_BYTES).toString('hex');
}

/**
 * The 32-byte digest SHA-256(seed || label || counter as 4 bytes, big-endian). The label keeps the
 * draws of different uses apart (an empty label is ABX's, as its first files were written).
 */
export function seededDigest(seedHex: string, label: string, counter: number): Buffer {
  if (!SEED_PATTERN.test(seedHex)) throw new RangeError('a listening test seed is 64 hex digits');
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) throw new RangeError(`counter ${counter} is not a 32-bit count`);
  const index = Buffer.alloc(4);
  index.writeUInt32BE(counter);
  const hash = createHash('sha256').update(Buffer.from(seedHex, 'hex'));
  if (label) hash.update(label, 'utf8');
  return hash.update(index).digest();
}

/**
 * A whole number uniform in [0, n), drawn from the seed: 32-bit words of successive digests, any
 * word at or above the largest multiple of n below 2^32 rejected (so no value is more likely than
 * another, as plain `word % n` would make it). Returns the value and the next counter to use.
 */
export function seededInt(seedHex: string, label: string, counter: number, n: number): { value: number; next: number } {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`cannot draw from ${n} values`);
  const limit = 2 ** 32 - (2 ** 32 % n);
  for (let c = counter; ; c++) {
    const digest = seededDigest(seedHex, label, c);
    for (let k = 0; k + 4 <= digest.length; k += 4) {
      const word = digest.readUInt32BE(k);
      if (word < limit) return { value: word % n, next: c + 1 };
    }
  }
}
