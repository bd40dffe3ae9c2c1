// The hypervisor's share of a sitting, read from /proc/stat's "cpu" line (proc(5)).
import { describe, expect, it } from 'vitest';
import { parseProcStat, readCpuTimes, stealPercent } from '../../src/bench/steal-time.js';

// A real /proc/stat head from this project's 2-core virtual machine: user nice system idle iowait irq softirq steal guest guest_nice.
const SAMPLE = `cpu  3775872 15523 449535 2857657 11199 0 4424 47601 0 0
cpu0 1809082 8250 223846 1512722 2020 0 940 23954 0 0
cpu1 1966790 7273 225689 1344934 9179 0 3483 23647 0 0
intr 123 4 5
`;

describe('steal time', () => {
  it('reads the steal field and the total of the eight time fields from the all-cores line', () => {
    expect(parseProcStat(SAMPLE)).toEqual({ steal: 47601, total: 3775872 + 15523 + 449535 + 2857657 + 11199 + 0 + 4424 + 47601 });
  });

  it('says nothing for text without a usable cpu line', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('cpu0 1 2 3 4 5 6 7 8\n')).toBeNull();
    expect(parseProcStat('cpu  1 2 3\n')).toBeNull();
    expect(parseProcStat('cpu  1 2 3 4 5 6 7 x\n')).toBeNull();
  });

  it('is the stolen share of the time between two readings', () => {
    expect(stealPercent({ steal: 100, total: 1000 }, { steal: 192, total: 1743 })).toBeCloseTo((100 * 92) / 743, 10);
    expect(stealPercent(null, { steal: 1, total: 2 })).toBeNull();
    expect(stealPercent({ steal: 1, total: 2 }, { steal: 1, total: 2 })).toBeNull();
  });

  it.skipIf(process.platform !== 'linux')('reads this machine\'s /proc/stat', () => {
    const now = readCpuTimes();
    expect(now!.total).toBeGreaterThan(0);
    expect(now!.steal).toBeGreaterThanOrEqual(0);
  });
});
