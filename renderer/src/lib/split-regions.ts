// Where a run's training, validation and test segments lie in a library clip, from its split.json:
// the clip is found by the hash of its model-rate samples (the library computes the same hash), so a
// renamed copy is still recognised and another file of the same name is not.
import type { SplitRecord } from './types.js';

/** A stretch of the timeline a run used for training, validation or testing (seconds). */
export interface SplitRegion {
  kind: 'train' | 'val' | 'test';
  start: number;
  end: number;
}

export interface ClipInSplit {
  /** Segments of each split in this clip. */
  counts: { train: number; val: number; test: number };
  /** Adjacent segments of one split merged into one region. */
  regions: SplitRegion[];
}

/** The clip's part in the run's data, or null when the run never saw it. */
export function clipInSplit(split: SplitRecord, sha256: string): ClipInSplit | null {
  const index = split.clips.findIndex((c) => c.sha256 === sha256);
  if (index < 0) return null;
  const all: SplitRegion[] = [];
  const counts = { train: 0, val: 0, test: 0 };
  for (const kind of ['train', 'val', 'test'] as const) {
    for (const s of split[kind]) {
      if (s.clip !== index) continue;
      counts[kind]++;
      all.push({ kind, start: s.start / split.sampleRate, end: (s.start + s.length) / split.sampleRate });
    }
  }
  all.sort((a, b) => a.start - b.start);
  const regions: SplitRegion[] = [];
  for (const r of all) {
    const last = regions.at(-1);
    if (last && last.kind === r.kind && Math.abs(last.end - r.start) < 1e-9) last.end = r.end;
    else regions.push({ ...r });
  }
  return { counts, regions };
}
