// How much of the machine the hypervisor took while a benchmark ran: on a virtual machine, "steal"
// is CPU time the host gave to other guests while this one had work (Linux's /proc/stat, the 8th
// field of the "cpu" line, as proc(5) documents it). A timing taken while the host steals a tenth of
// the time is a tenth slow, on both sides of a comparison; the figure tells a reader how noisy the
// sitting was. Elsewhere (no /proc/stat) there is no figure.
import { readFileSync } from 'node:fs';

/** The machine's CPU time counters, in clock ticks, summed over every core. */
export interface CpuTimes {
  steal: number;
  total: number;
}

/** The "cpu" line of /proc/stat (user nice system idle iowait irq softirq steal ...), or null where there is none. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((v) => !Number.isFinite(v))) return null;
  // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { steal: fields[7], total };
}

export function readCpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Steal as a percentage of all CPU time between two readings (null without both, or with no time between them). */
export function stealPercent(from: CpuTimes | null, to: CpuTimes | null): number | null {
  if (!from || !to) return null;
  const total = to.total - from.total;
  return total > 0 ? (100 * (to.steal - from.steal)) / total : null;
}
