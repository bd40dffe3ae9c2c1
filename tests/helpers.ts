// Shared by the tests: where the test audio lives (tests/fixtures), and small signal measurements.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { Random } from '../src/util/random.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Unusual and broken WAV files, each with what it must give (fixtures/edge/CASES.md). */
export const EDGE_DIR = path.join(REPO, 'tests', 'fixtures', 'edge');
/** Short excerpts of real recordings, with sources and licenses (fixtures/music/SOURCES.md). */
export const MUSIC_DIR = path.join(REPO, 'tests', 'fixtures', 'music');

export function sine(freq: number, rate: number, frames: number, amp = 0.5): Float32Array {
  const x = new Float32Array(frames);
  for (let i = 0; i < frames; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** ||a - b|| / ||b||: the relative error of a against b (a waveform, a spectrogram, a gradient). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    e += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(e / n);
}

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = 'codec-lab-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A seeded uniform generator in [0, 1) (the engine's own mulberry32), so a failing case reproduces. */
export function rng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}
