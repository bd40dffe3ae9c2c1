// split.json: the data a run was trained, validated and tested on, written when the run starts.
// For every segment of each split it names the clip (by index into `clips`, which holds each clip's
// name and content hash), the start and the length in samples at the model rate. Evaluation reads
// the test split from here, with its audio from test_original.wav (the test segments one after
// another, in this order, written in the same step as this file).
//
// The content hash is the SHA-256 of the clip's mono float32 samples at 24 kHz, little-endian: the
// exact numbers the model saw. The file's bytes would say less (the worker never sees them, and the
// same file prepared another way is other data) and could not be checked against a run's audio.
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import path from 'node:path';
import { decodeWav } from '../audio/wav-read.js';
import { MODEL_RATE } from '../audio/prepare.js';
import type { Clip, DataSplit } from '../data/dataset.js';
import { RunError } from './errors.js';
import { entryExists, readRunFile } from './run-files.js';

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitSegment {
  /** Index into SplitRecord.clips. */
  clip: number;
  start: number;
  length: number;
}

export interface SplitRecord {
  format: 'codec-lab-split';
  sampleRate: number;
  /** Samples per segment (the run's segment length). */
  segment: number;
  hash: 'sha256-f32le-mono-24k';
  clips: { name: string; sha256: string; samples: number }[];
  train: SplitSegment[];
  val: SplitSegment[];
  test: SplitSegment[];
  /** Clips too short for one segment, with the reason. */
  skipped: { name: string; reason: string }[];
}

/** SHA-256 of mono float32 samples as little-endian bytes (the same digest on every platform). */
export function audioSha256(audio: Float32Array): string {
  let bytes = new Uint8Array(audio.buffer, audio.byteOffset, audio.byteLength);
  if (endianness() === 'BE') {
    bytes = new Uint8Array(audio.byteLength);
    const view = new DataView(bytes.buffer);
    audio.forEach((v, i) => view.setFloat32(i * 4, v, true));
  }
  return createHash('sha256').update(bytes).digest('hex');
}

export function splitRecord(clips: readonly Clip[], split: DataSplit): SplitRecord {
  const seg = (list: DataSplit['train']) => list.map((s) => ({ clip: s.clip, start: s.start, length: split.segment }));
  return {
    format: 'codec-lab-split',
    sampleRate: MODEL_RATE,
    segment: split.segment,
    hash: 'sha256-f32le-mono-24k',
    clips: clips.map((c) => ({ name: c.name, sha256: audioSha256(c.audio), samples: c.audio.length })),
    train: seg(split.train),
    val: seg(split.val),
    test: seg(split.test),
    skipped: split.skipped,
  };
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** A run's split.json, checked; RunError NO_TEST_SPLIT if the run has none, RUN_DAMAGED if it is not one. */
export function readSplit(dir: string): SplitRecord {
  const file = path.join(dir, 'split.json');
  if (!entryExists(file)) throw new RunError('NO_TEST_SPLIT', `${dir} records no test split (no split.json: the run was made before runs recorded their data)`);
  const text = readRunFile(file).toString('utf8');
  const bad = (why: string): never => {
    throw new RunError('RUN_DAMAGED', `${file}: ${why}`);
  };
  let r: SplitRecord;
  try {
    r = JSON.parse(text) as SplitRecord;
  } catch {
    return bad('not JSON');
  }
  if (r === null || typeof r !== 'object' || r.format !== 'codec-lab-split') bad('not a split record');
  if (r.sampleRate !== MODEL_RATE || !(isCount(r.segment) && r.segment > 0)) bad('wrong sample rate or segment length');
  if (!Array.isArray(r.clips) || !r.clips.every((c) => c && typeof c.name === 'string' && /^[0-9a-f]{64}$/.test(c.sha256) && isCount(c.samples))) bad('bad clip list');
  for (const name of SPLIT_NAMES) {
    if (!Array.isArray(r[name])) bad(`no ${name} list`);
    for (const s of r[name]) {
      const clip = s && isCount(s.clip) ? r.clips[s.clip] : undefined;
      if (!clip || !isCount(s.start) || !(isCount(s.length) && s.length > 0) || s.start + s.length > clip.samples) bad(`a ${name} segment lies outside its clip`);
    }
  }
  return r;
}

export interface TestSplit {
  /** One clip per test segment, named `clip@start`. */
  clips: { name: string; audio: Float32Array }[];
  /** The run's segment length: the block its losses were scored over. */
  segment: number;
}

/**
 * A run's test split: the segments split.json lists, cut from test_original.wav. Scoring these gives
 * the figures the run reported. RunError NO_TEST_SPLIT if the run records no test segment.
 */
export function readTestSplit(dir: string): TestSplit {
  return readSplitAudio(dir, 'test');
}

/** A run's test or validation segments, cut from its test_original.wav or val_original.wav. */
export function readSplitAudio(dir: string, part: 'test' | 'val'): TestSplit {
  const split = readSplit(dir);
  const segments = split[part];
  const what = part === 'test' ? 'test' : 'validation';
  if (segments.length === 0) throw new RunError('NO_TEST_SPLIT', `${dir} has an empty ${what} split`);
  const file = path.join(dir, `${part}_original.wav`);
  let wav;
  try {
    wav = decodeWav(new Uint8Array(readRunFile(file)));
  } catch (e) {
    if (e instanceof RunError) throw e;
    throw new RunError('RUN_DAMAGED', `${file}: ${(e as Error).message}`);
  }
  const total = segments.reduce((n, s) => n + s.length, 0);
  if (wav.sampleRate !== MODEL_RATE || wav.channels !== 1 || wav.frames !== total) {
    throw new RunError('RUN_DAMAGED', `${file} holds ${wav.frames} samples (${wav.channels} ch, ${wav.sampleRate} Hz); split.json lists ${total} ${what} samples (mono, ${MODEL_RATE} Hz)`);
  }
  let off = 0;
  const clips = segments.map((s) => {
    const audio = wav.samples[0].subarray(off, off + s.length);
    off += s.length;
    return { name: `${split.clips[s.clip].name}@${s.start}`, audio };
  });
  return { clips, segment: split.segment };
}
