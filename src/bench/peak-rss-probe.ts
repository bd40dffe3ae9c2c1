// Preloaded (`node --import`) into a process whose peak memory `codec-lab bench` measures: on exit it
// writes the process's peak resident memory to the file named by CODEC_LAB_PEAK_RSS_FILE. It runs in
// the measured process itself because Node cannot read a child's rusage, and polling the child from
// outside misses a peak reached just before it exits. Worker threads share the process, so the
// figure covers them.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.CODEC_LAB_PEAK_RSS_FILE;
// Only this process reports: a process it starts must not overwrite the figure.
delete process.env.CODEC_LAB_PEAK_RSS_FILE;

/**
 * Peak resident memory in KiB. VmHWM first: Linux carries the high-water mark of the address space a
 * process replaced at exec into its ru_maxrss, so resourceUsage().maxRSS of a child can be its
 * parent's peak (a benchmark's parent is large); VmHWM belongs to this address space alone.
 */
function peakKib(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // No /proc (not Linux): fall through to rusage, which is right where exec does not carry it.
  }
  return process.resourceUsage().maxRSS;
}

if (file) process.on('exit', () => writeFileSync(file, JSON.stringify({ peakKib: peakKib() })));
