import { describe, expect, it } from 'vitest';
import { BatchSampler, DataError, gatherSegments, splitSegments, type Clip } from '../../src/data/dataset.js';

function ramp(name: string, n: number, offset: number): Clip {
  // Every sample distinct across clips, so a batch can be traced back to where it came from.
  return { name, audio: Float32Array.from({ length: n }, (_, i) => offset + i) };
}

const clips = [ramp('a', 8192 * 13 + 100, 0), ramp('b', 8192 * 7, 1e6), ramp('tiny', 50, 2e6)];

describe('splitting into train, validation and test', () => {
  it('deals whole segments 8:1:1 with no overlap and nothing lost', () => {
    const s = splitSegments(clips, { segment: 8192, seed: 1 });
    expect(s.train.length + s.val.length + s.test.length).toBe(20);
    expect(s.val.length).toBe(2);
    expect(s.test.length).toBe(2);
    const key = (x: { clip: number; start: number }) => `${x.clip}:${x.start}`;
    const all = [...s.train, ...s.val, ...s.test].map(key);
    expect(new Set(all).size).toBe(all.length);
    // Segments sit on the grid, inside their clip.
    for (const seg of [...s.train, ...s.val, ...s.test]) {
      expect(seg.start % 8192).toBe(0);
      expect(seg.start + 8192).toBeLessThanOrEqual(clips[seg.clip].audio.length);
    }
    expect(s.skipped).toEqual([{ name: 'tiny', reason: '50 samples is shorter than one 8192-sample segment' }]);
  });

  it('is seeded: the same seed gives the same split, another seed another', () => {
    const a = splitSegments(clips, { segment: 8192, seed: 7 });
    expect(splitSegments(clips, { segment: 8192, seed: 7 })).toEqual(a);
    expect(splitSegments(clips, { segment: 8192, seed: 8 }).val).not.toEqual(a.val);
  });

  it('honours other ratios', () => {
    const s = splitSegments(clips, { segment: 4096, seed: 3, ratios: [6, 2, 2] });
    expect(s.val.length).toBe(8);
    expect(s.test.length).toBe(8);
    expect(s.train.length).toBe(24);
  });

  it('trains on a share of the training segments when asked, keeping validation and test as they were', () => {
    const whole = splitSegments(clips, { segment: 4096, seed: 3 });
    const quarter = splitSegments(clips, { segment: 4096, seed: 3, trainFraction: 0.25 });
    expect(quarter.val).toEqual(whole.val);
    expect(quarter.test).toEqual(whole.test);
    expect(quarter.train.length).toBe(Math.ceil(whole.train.length / 4));
    const key = (x: { clip: number; start: number }) => `${x.clip}:${x.start}`;
    const all = new Set(whole.train.map(key));
    expect(quarter.train.every((x) => all.has(key(x)))).toBe(true);
    // Never fewer than one.
    expect(splitSegments(clips, { segment: 4096, seed: 3, trainFraction: 1e-9 }).train).toHaveLength(1);
  });

  it('refuses too little audio with a message that says how much is needed', () => {
    expect(() => splitSegments([ramp('short', 8192 * 2, 0)], { segment: 8192, seed: 1 })).toThrow(DataError);
    expect(() => splitSegments([ramp('short', 8192 * 2, 0)], { segment: 8192, seed: 1 })).toThrow(/at least 3 \(1\.02 s at 24 kHz\)/);
  });
});

describe('minibatches', () => {
  const split = splitSegments(clips, { segment: 8192, seed: 1 });
  const forbidden = new Set<number>();
  for (const s of [...split.val, ...split.test]) for (let t = 0; t < 8192; t++) forbidden.add(clips[s.clip].audio[s.start + t]);

  it('draw only training audio, in contiguous runs, and never touch validation or test samples', () => {
    const sampler = new BatchSampler(clips, split, { batch: 8, seed: 5 });
    const out = new Float32Array(8 * 8192);
    const starts = new Set<number>();
    for (let k = 0; k < 50; k++) {
      sampler.next(out);
      for (let b = 0; b < 8; b++) {
        const ex = out.subarray(b * 8192, (b + 1) * 8192);
        // One expect per example, not per sample: 3.3 million expect calls took most of a minute.
        let gaps = 0;
        for (let t = 1; t < 8192; t++) if (ex[t] - ex[t - 1] !== 1) gaps++;
        expect(gaps, `example ${b} of batch ${k} is not one contiguous run`).toBe(0);
        expect(forbidden.has(ex[0]) || forbidden.has(ex[8191]), `example ${b} of batch ${k} touches validation or test audio`).toBe(false);
        starts.add(ex[0]);
      }
    }
    // Crops slide across neighbouring training segments, so there are many more distinct starts than segments.
    expect(starts.size).toBeGreaterThan(split.train.length * 3);
  });

  it('are reproducible from the seed', () => {
    const a = new BatchSampler(clips, split, { batch: 4, seed: 9 });
    const b = new BatchSampler(clips, split, { batch: 4, seed: 9 });
    const x = new Float32Array(4 * 8192);
    const y = new Float32Array(4 * 8192);
    for (let k = 0; k < 2; k++) {
      a.next(x);
      b.next(y);
      expect(x).toEqual(y);
    }
    new BatchSampler(clips, split, { batch: 4, seed: 10 }).next(y);
    expect(x).not.toEqual(y);
  });

  it('augment with a gain in range and flipped polarity only when asked', () => {
    const sig = [{ name: 'ones', audio: new Float32Array(8192 * 10).fill(0.5) }];
    const s = splitSegments(sig, { segment: 8192, seed: 2 });
    const out = new Float32Array(16 * 8192);
    new BatchSampler(sig, s, { batch: 16, seed: 1 }).next(out);
    expect(out.every((v) => v === 0.5)).toBe(true);
    new BatchSampler(sig, s, { batch: 16, seed: 1, augmentGainDb: 6, augmentPolarity: true }).next(out);
    const firsts = Array.from({ length: 16 }, (_, b) => out[b * 8192]);
    expect(firsts.some((v) => v < 0)).toBe(true);
    expect(firsts.some((v) => v > 0)).toBe(true);
    for (const v of firsts) expect(Math.abs(v)).toBeGreaterThanOrEqual(0.5 * 10 ** (-6 / 20) - 1e-7);
    for (const v of firsts) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
  });

  it('adds noise and a tilt only when asked, and leaves the batches of a run without them as they were', () => {
    const sig = [{ name: 'tone', audio: Float32Array.from({ length: 8192 * 10 }, (_, i) => 0.5 * Math.sin(i / 3)) }];
    const s = splitSegments(sig, { segment: 8192, seed: 2 });
    const plain = new Float32Array(4 * 8192);
    const again = new Float32Array(4 * 8192);
    new BatchSampler(sig, s, { batch: 4, seed: 1 }).next(plain);
    new BatchSampler(sig, s, { batch: 4, seed: 1, augmentTiltDb: 0 }).next(again);
    expect(again).toEqual(plain);
    // The first example is cut where it would be without noise (the noise is drawn after its crop).
    const noisy = new Float32Array(4 * 8192);
    new BatchSampler(sig, s, { batch: 4, seed: 1, augmentNoiseSnrDb: 20 }).next(noisy);
    const first = (x: Float32Array) => x.subarray(0, 8192);
    const err = first(noisy).reduce((e, v, i) => e + (v - plain[i]) ** 2, 0);
    const pow = first(plain).reduce((e, v) => e + v * v, 0);
    expect(10 * Math.log10(pow / err)).toBeCloseTo(20, 0);
    const tilted = new Float32Array(4 * 8192);
    new BatchSampler(sig, s, { batch: 4, seed: 1, augmentTiltDb: 12 }).next(tilted);
    expect(tilted).not.toEqual(plain);
  });

  it('gathers fixed segments in order', () => {
    const g = gatherSegments(clips, split.val, 8192);
    expect(g.length).toBe(split.val.length * 8192);
    expect(g[0]).toBe(clips[split.val[0].clip].audio[split.val[0].start]);
  });
});
