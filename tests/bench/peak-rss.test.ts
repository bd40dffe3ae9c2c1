// The peak memory `codec-lab bench` reports: `codec-lab train` in a child process, its peak read there.
import { describe, expect, it } from 'vitest';
import { trainPeakRss } from '../../src/bench/peak-rss.js';

describe('peak memory of codec-lab train', () => {
  it('is present and plausible for each thread count (MB of 2^20 bytes)', { timeout: 180_000 }, async () => {
    for (const threads of [1, 2]) {
      const m = await trainPeakRss('tiny', threads, 2);
      expect(m).toMatchObject({ preset: 'tiny', threads, loss: 'mel-db-l1', steps: 2 });
      // Node, the kernels and a tiny run need well over 30 MB; more than 4 GB would be a leak.
      expect(m.peakRssMb).toBeGreaterThan(30);
      expect(m.peakRssMb).toBeLessThan(4096);
    }
  });
});
