// How many threads compute a training batch, and which examples each takes.
// The default is the machine's physical cores (a second hyperthread of a core adds little to
// SIMD-bound kernels and costs memory), capped at MAX_DEFAULT_THREADS; a run may ask for more (up
// to MAX_THREADS, and never more threads than examples), e.g. to check that a result does not
// depend on how the batch was split.
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The most threads a run may ask for. */
export const MAX_THREADS = 16;
/** The default never exceeds this: beyond it the per-step exchange outweighs the gain on small batches. */
export const MAX_DEFAULT_THREADS = 8;

/**
 * Physical cores: distinct (physical id, core id) pairs in /proc/cpuinfo on Linux; elsewhere (or if
 * that file says nothing) the logical processors Node reports, which counts hyperthreads twice.
 */
export function physicalCores(cpuinfo?: string): number {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      text = '';
    }
  }
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const phys = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (phys !== undefined && core !== undefined) cores.add(`${phys}:${core}`);
  }
  return cores.size > 0 ? cores.size : os.availableParallelism();
}

/** This machine's physical cores, read once. */
export const PHYSICAL_CORES = physicalCores();

/** The default thread count on this machine. */
export const DEFAULT_THREADS = Math.max(1, Math.min(MAX_DEFAULT_THREADS, PHYSICAL_CORES));

export interface BatchShare {
  /** The share's first example in the batch. */
  offset: number;
  /** Examples in the share. */
  count: number;
}

/**
 * Split `batch` examples between `threads` in order, as evenly as whole examples allow: thread 0
 * (the session's own) takes the first share. When the batch does not divide, the last batch %
 * threads shares take one more, as the session's thread also samples and adds up the gradients.
 */
export function batchShares(batch: number, threads: number): BatchShare[] {
  const base = Math.floor(batch / threads);
  const extra = batch % threads;
  const shares: BatchShare[] = [];
  let offset = 0;
  for (let i = 0; i < threads; i++) {
    const count = base + (i >= threads - extra ? 1 : 0);
    shares.push({ offset, count });
    offset += count;
  }
  return shares;
}
