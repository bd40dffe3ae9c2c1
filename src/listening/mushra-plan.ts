// The order a MUSHRA test presents its conditions in (ITU-R BS.1534-3 §5.3: the conditions, the
// hidden reference and the anchors among them, are presented in random order, unlabelled). The order
// is a Fisher-Yates shuffle whose draws come from the test's secret seed (src/listening/seed.ts), so
// the stored order can be checked against the seed, and nothing the page sees predicts it.
import { seededInt } from './seed.js';

const ORDER_LABEL = 'mushra-order';

/** A permutation of 0 .. n-1: slot s (from 0) presents condition order[s]. */
export function mushraOrder(seedHex: string, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`a MUSHRA test has at least one condition, not ${n}`);
  const order = Array.from({ length: n }, (_, i) => i);
  let counter = 0;
  // Durstenfeld's form of Fisher-Yates (Knuth, TAOCP vol. 2, 3.4.2, Algorithm P): each of the n!
  // orders equally likely when each draw is uniform, which seededInt's rejection makes it.
  for (let i = n - 1; i > 0; i--) {
    const draw = seededInt(seedHex, ORDER_LABEL, counter, i + 1);
    counter = draw.next;
    [order[i], order[draw.value]] = [order[draw.value], order[i]];
  }
  return order;
}
